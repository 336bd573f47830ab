package io.kube4j.scheduler;

import static io.kube4j.scheduler.testsupport.TestObjects.node;
import static io.kube4j.scheduler.testsupport.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.UUID;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.config.ClientConfig;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/** The packaged application: started against the real apiserver, it binds the pods that name its schedulerName. */
class SchedulerApplicationIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void theApplicationSchedulesPodsForItsSchedulerName() {
        Requirements.requireBinary("etcd");
        String run = UUID.randomUUID().toString().substring(0, 6);
        String ns = "sched-app-" + run;
        String nodeName = "app-node-" + run;
        String schedulerName = "app-it-" + run;
        try (KubeClient client = KubeClient.create(ClientConfig.of(ApiServerInstance.shared().url()))) {
            client.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName(ns)
                    .endMetadata().build()).block(WAIT);
            Node n = node(nodeName, "4", "8Gi").build();
            Node created = client.resources(Node.class).create(n).block(WAIT);
            created.setStatus(n.getStatus());
            client.resources(Node.class).updateStatus(created).block(WAIT);
            try (ConfigurableApplicationContext ctx = SpringApplication.run(SchedulerApplication.class,
                    "--server.port=0", "--kube4j.client.server=" + ApiServerInstance.shared().url(),
                    "--kube4j.scheduler.scheduler-name=" + schedulerName)) {
                Pod mine = pod("mine", "cpu", "1").editMetadata().withNamespace(ns).withUid(null).endMetadata()
                        .editSpec().withSchedulerName(schedulerName).endSpec().build();
                Pod other = pod("other", "cpu", "1").editMetadata().withNamespace(ns).withUid(null).endMetadata()
                        .editSpec().withSchedulerName("someone-else").endSpec().build();
                client.resources(Pod.class).create(mine).block(WAIT);
                client.resources(Pod.class).create(other).block(WAIT);
                await().atMost(WAIT).untilAsserted(() -> assertThat(
                        client.resources(Pod.class).get(ns, "mine").block(WAIT).getSpec().getNodeName())
                        .isEqualTo(nodeName));
                // The other pod belongs to another scheduler: this one never touches it.
                assertThat(client.resources(Pod.class).get(ns, "other").block(WAIT).getSpec().getNodeName())
                        .isNullOrEmpty();
                assertThat(ctx.getBean(Scheduler.class).queue().whereIs(ns + "/other")).isNull();
            } finally {
                client.resources(Node.class).delete(null, nodeName, DeleteOptions.defaults()).onErrorComplete()
                        .block(WAIT);
                client.resources(Namespace.class).delete(null, ns, DeleteOptions.defaults()).onErrorComplete()
                        .block(WAIT);
            }
        }
    }
}
