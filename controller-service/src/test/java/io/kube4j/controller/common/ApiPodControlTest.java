package io.kube4j.controller.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.events.EventRecorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

class ApiPodControlTest {

    private ResourceClient<Pod> pods;
    private EventRecorder recorder;
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private ApiPodControl control;
    private final ReplicaSet owner = new ReplicaSetBuilder().withNewMetadata().withName("web").withNamespace("ns")
            .withUid("uid-web").endMetadata().build();
    private final PodTemplateSpec template = new PodTemplateSpecBuilder().withNewMetadata()
            .withLabels(Map.of("app", "web")).withAnnotations(Map.of("a", "1")).withFinalizers("f/x").endMetadata()
            .withNewSpec().addNewContainer().withName("c").withImage("i").endContainer().endSpec().build();

    @BeforeEach
    @SuppressWarnings("unchecked")
    void setUp() {
        pods = mock(ResourceClient.class);
        ResourceClient<Event> eventClient = mock(ResourceClient.class);
        when(eventClient.create(any())).thenAnswer(inv -> {
            events.add(inv.getArgument(0));
            return Mono.just(inv.getArgument(0));
        });
        recorder = new EventRecorder(eventClient, "replicaset-controller", null);
        control = new ApiPodControl(pods, recorder);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        recorder.close(Duration.ofSeconds(5));
    }

    @Test
    void podFromTemplateCopiesMetadataAndSpecUnderTheControllerRef() {
        Pod pod = ApiPodControl.podFromTemplate("ns", template, owner,
                OwnerReferences.controllerRef(owner, "apps/v1", "ReplicaSet"));
        assertThat(pod.getMetadata().getGenerateName()).isEqualTo("web-");
        assertThat(pod.getMetadata().getNamespace()).isEqualTo("ns");
        assertThat(pod.getMetadata().getLabels()).isEqualTo(Map.of("app", "web"));
        assertThat(pod.getMetadata().getAnnotations()).isEqualTo(Map.of("a", "1"));
        assertThat(pod.getMetadata().getFinalizers()).containsExactly("f/x");
        assertThat(OwnerReferences.isControlledBy(pod, "uid-web")).isTrue();
        assertThat(pod.getSpec()).isEqualTo(template.getSpec()).isNotSameAs(template.getSpec());
        pod.getSpec().getContainers().get(0).setImage("changed");
        assertThat(template.getSpec().getContainers().get(0).getImage()).isEqualTo("i"); // a deep copy
    }

    @Test
    void createRecordsSuccessfulCreate() {
        when(pods.create(any())).thenAnswer(inv -> {
            Pod p = inv.getArgument(0);
            p.getMetadata().setName("web-abcde");
            return Mono.just(p);
        });
        control.createPod("ns", template, owner, OwnerReferences.controllerRef(owner, "apps/v1", "ReplicaSet"))
                .block();
        await().atMost(Duration.ofSeconds(10)).until(() -> !events.isEmpty());
        assertThat(events.get(0).getReason()).isEqualTo("SuccessfulCreate");
        assertThat(events.get(0).getMessage()).isEqualTo("Created pod: web-abcde");
        assertThat(events.get(0).getInvolvedObject().getKind()).isEqualTo("ReplicaSet");
    }

    @Test
    void aFailedCreateIsAWarningAndTheError() {
        when(pods.create(any())).thenReturn(Mono.error(new ApiStatusException.Forbidden(403, new Status(),
                "exceeded quota")));
        assertThatThrownBy(() -> control.createPod("ns", template, owner, null).block())
                .isInstanceOf(ApiStatusException.Forbidden.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> !events.isEmpty());
        assertThat(events.get(0).getType()).isEqualTo("Warning");
        assertThat(events.get(0).getReason()).isEqualTo("FailedCreate");
        assertThat(events.get(0).getMessage()).isEqualTo("Error creating: exceeded quota");
    }

    @Test
    void aTemplateWithoutLabelsIsRefusedBeforeAnyWrite() {
        PodTemplateSpec bare = new PodTemplateSpecBuilder().withNewSpec().endSpec().build();
        assertThatThrownBy(() -> control.createPod("ns", bare, owner, null).block())
                .hasMessageContaining("no labels");
        verify(pods, never()).create(any());
    }

    @Test
    void deleteRecordsSuccessfulDeleteAndNotFoundIsNoFailedDelete() {
        when(pods.delete(eq("ns"), eq("web-1"), any())).thenReturn(Mono.just(new Pod()));
        when(pods.delete(eq("ns"), eq("gone"), any())).thenReturn(Mono.error(new ApiStatusException.NotFound(404,
                new Status(), "pods \"gone\" not found")));
        control.deletePod("ns", "web-1", owner).block();
        assertThatThrownBy(() -> control.deletePod("ns", "gone", owner).block())
                .isInstanceOf(ApiStatusException.NotFound.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> !events.isEmpty());
        assertThat(events).extracting(Event::getReason).containsExactly("SuccessfulDelete");
        assertThat(events.get(0).getMessage()).isEqualTo("Deleted pod: web-1");
        verify(pods, never()).create(any());
        verify(pods).delete(anyString(), eq("gone"), any());
    }
}
