package io.kube4j.client.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.config.ClientConfig;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EventRecorderIT {

    private static final Duration T = Duration.ofSeconds(30);
    private static KubeClient client;
    private static String ns;
    private static ResourceClient<Event> events;

    @BeforeAll
    static void start() {
        client = KubeClient.create(ClientConfig.of(ApiServerInstance.shared().url()));
        ns = "ev-it-" + UUID.randomUUID().toString().substring(0, 8);
        client.resources(Namespace.class)
                .create(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).block(T);
        events = client.resources(Event.class);
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    private static ConfigMap configMap(String name) {
        return client.resources(ConfigMap.class).create(new ConfigMapBuilder().withNewMetadata().withNamespace(ns)
                .withName(name).endMetadata().build()).block(T);
    }

    private static List<Event> eventsAbout(String name) {
        return events.list(ns, ListOptions.all()).block(T).getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName())).toList();
    }

    @Test
    void fiveIdenticalEventsBecomeOneEventWithCountFive() throws Exception {
        ConfigMap cm = configMap("same");
        try (EventRecorder recorder = new EventRecorder(events, "it-controller", "it-host")) {
            for (int i = 0; i < 5; i++) {
                recorder.event(cm, EventRecorder.NORMAL, "Synced", "configmap synced");
            }
        }
        await().atMost(T).until(() -> eventsAbout("same").size() == 1 && eventsAbout("same").get(0).getCount() == 5);
        Event e = eventsAbout("same").get(0);
        assertThat(e.getInvolvedObject().getKind()).isEqualTo("ConfigMap");
        assertThat(e.getInvolvedObject().getUid()).isEqualTo(cm.getMetadata().getUid());
        assertThat(e.getSource().getComponent()).isEqualTo("it-controller");
        assertThat(e.getReason()).isEqualTo("Synced");
        assertThat(e.getFirstTimestamp()).isNotBlank();
        assertThat(e.getLastTimestamp()).isNotBlank();
    }

    @Test
    void differentReasonsAreSeparateEvents() throws Exception {
        ConfigMap cm = configMap("different");
        try (EventRecorder recorder = new EventRecorder(events, "it-controller", "it-host")) {
            recorder.event(cm, EventRecorder.NORMAL, "Created", "created");
            recorder.event(cm, EventRecorder.WARNING, "Failed", "failed");
            recorder.event(cm, EventRecorder.NORMAL, "Created", "created");
        }
        await().atMost(T).until(() -> eventsAbout("different").size() == 2);
        assertThat(eventsAbout("different")).extracting(Event::getReason, Event::getCount)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("Created", 2),
                        org.assertj.core.groups.Tuple.tuple("Failed", 1));
    }
}
