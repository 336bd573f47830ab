package io.kube4j.scheduler;

import static io.kube4j.scheduler.testsupport.TestObjects.node;
import static io.kube4j.scheduler.testsupport.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
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
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The application with two profiles from a KubeSchedulerConfiguration file: pods naming each schedulerName are
 * scheduled by that profile, and the profile that enables the ServiceLoader-found plugin places its pod differently.
 */
class SchedulerProfilesIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void twoProfilesFromAConfigFilePlacePodsDifferently() throws Exception {
        Requirements.requireBinary("etcd");
        String run = UUID.randomUUID().toString().substring(0, 6);
        String ns = "sched-prof-" + run;
        String big = "prof-big-" + run;
        String gold = "prof-gold-" + run;
        String plainName = "plain-" + run;
        String goldName = "gold-first-" + run;
        Path file = dir.resolve("scheduler.yaml");
        Files.writeString(file, """
                apiVersion: kubescheduler.config.k8s.io/v1
                kind: KubeSchedulerConfiguration
                profiles:
                - schedulerName: %s
                - schedulerName: %s
                  plugins:
                    multiPoint:
                      enabled:
                      - name: NodeLabelPreference
                        weight: 10
                  pluginConfig:
                  - name: NodeLabelPreference
                    args:
                      label: tier-%s
                      value: gold
                """.formatted(plainName, goldName, run));
        try (KubeClient client = KubeClient.create(ClientConfig.of(ApiServerInstance.shared().url()))) {
            client.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName(ns)
                    .endMetadata().build()).block(WAIT);
            createNode(client, node(big, "16", "64Gi").build());
            createNode(client, node(gold, "2", "4Gi").editMetadata().addToLabels("tier-" + run, "gold")
                    .endMetadata().build());
            try (ConfigurableApplicationContext ctx = SpringApplication.run(SchedulerApplication.class,
                    "--server.port=0", "--kube4j.client.server=" + ApiServerInstance.shared().url(),
                    "--kube4j.scheduler.config-file=" + file)) {
                // Other ITs' nodes may share the apiserver: both pods select this test's nodes by name.
                for (String[] p : new String[][] {{"plain", plainName}, {"gold", goldName}}) {
                    Pod pod = pod(p[0], "cpu", "1", "memory", "1Gi").editMetadata().withNamespace(ns).withUid(null)
                            .endMetadata().editSpec().withSchedulerName(p[1]).withNewAffinity().withNewNodeAffinity()
                            .withNewRequiredDuringSchedulingIgnoredDuringExecution().addNewNodeSelectorTerm()
                            .addNewMatchField().withKey("metadata.name").withOperator("In").withValues(big, gold)
                            .endMatchField().endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution()
                            .endNodeAffinity().endAffinity().endSpec().build();
                    client.resources(Pod.class).create(pod).block(WAIT);
                }
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(client.resources(Pod.class).get(ns, "plain").block(WAIT).getSpec().getNodeName())
                            .isEqualTo(big);
                    assertThat(client.resources(Pod.class).get(ns, "gold").block(WAIT).getSpec().getNodeName())
                            .isEqualTo(gold);
                });
            } finally {
                for (String n : new String[] {big, gold}) {
                    client.resources(Node.class).delete(null, n, DeleteOptions.defaults()).onErrorComplete()
                            .block(WAIT);
                }
                client.resources(Namespace.class).delete(null, ns, DeleteOptions.defaults()).onErrorComplete()
                        .block(WAIT);
            }
        }
    }

    @Test
    void invalidConfigurationStopsTheStartupWithAClearMessage() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                apiVersion: kubescheduler.config.k8s.io/v1
                kind: KubeSchedulerConfiguration
                profiles:
                - schedulerName: a
                  plugins:
                    score:
                      enabled: [{name: NodeResourcesFitt, weight: 2}]
                """);
        assertThatThrownBy(() -> SpringApplication.run(SchedulerApplication.class, "--server.port=0",
                "--kube4j.client.server=http://127.0.0.1:1", "--kube4j.scheduler.config-file=" + file).close())
                .hasStackTraceContaining("invalid scheduler configuration: profile a: unknown scheduler plugin"
                        + " NodeResourcesFitt; known: [");
    }

    private static void createNode(KubeClient client, Node n) {
        Node created = client.resources(Node.class).create(n).block(WAIT);
        created.setStatus(n.getStatus());
        client.resources(Node.class).updateStatus(created).block(WAIT);
    }
}
