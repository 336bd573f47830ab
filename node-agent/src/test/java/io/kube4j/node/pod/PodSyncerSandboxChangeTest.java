package io.kube4j.node.pod;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.kube4j.client.util.FakeClock;
import io.kube4j.node.agent.NodeContext;
import io.kube4j.node.config.PodLifecycleProperties;
import io.kube4j.node.env.EnvResolver;
import io.kube4j.node.probe.ProbeManager;
import io.kube4j.node.runtime.ContainerSpec;
import io.kube4j.node.runtime.ContainerStatus;
import io.kube4j.node.runtime.Sandbox;
import io.kube4j.node.runtime.hollow.HollowRuntime;
import io.kube4j.node.testsupport.TestNodeContexts;
import io.kube4j.node.volume.VolumeManager;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * A pod whose sandbox died while one of its containers had been created and not yet started (the Docker engine
 * stopped between the two calls; NodeLossIT's engine restart hit it once). That container belongs to the dead
 * sandbox: it would join its network namespace when started, which is gone, so starting it fails for ever (the pod
 * stayed "RunContainerError: No such container: <old sandbox>"). The next sync must make the container anew in the
 * new sandbox. On the hollow runtime, which refuses to start a container whose sandbox is not running, as Docker does.
 */
class PodSyncerSandboxChangeTest {

    private final FakeClock clock = new FakeClock();
    private final HollowRuntime runtime = new HollowRuntime("hollow-0", "10.255.0.1", "10.64.0.0/24", Duration.ZERO,
            clock, HollowRuntime.Resources.DEFAULT);

    @TempDir
    Path root;

    @Test
    void aContainerCreatedForADeadSandboxIsMadeAnewInTheNewSandbox() {
        PodSyncer syncer = syncer();
        Pod pod = new PodBuilder().withNewMetadata().withNamespace("ns").withName("web").withUid("u1").endMetadata()
                .withNewSpec().withNodeName("hollow-0").withRestartPolicy("Always").addNewContainer().withName("web")
                .withImage("busybox:1").endContainer().endSpec().build();

        syncer.sync(pod, syncer.relist("u1"), null, null);
        PodRuntimeState first = syncer.relist("u1");
        Sandbox dead = first.latestSandbox().orElseThrow();
        ContainerStatus ran = first.latest("web").orElseThrow();
        assertThat(ran.running()).isTrue();

        // the engine stops: the agent had just created the next container (attempt 1) in the sandbox, then the
        // container exits and the sandbox goes down before that container is started
        Container web = pod.getSpec().getContainers().get(0);
        ContainerSpec next = syncer.containerSpec(pod, web, 1, List.of(), List.of());
        String stale = runtime.createContainer(dead, next);
        runtime.stopContainer(ran.id(), Duration.ZERO);
        runtime.stopSandbox(dead.id());
        assertThat(syncer.relist("u1").latest("web").orElseThrow().state()).isEqualTo(ContainerStatus.State.CREATED);

        PodSyncer.Outcome outcome = syncer.sync(pod, syncer.relist("u1"), null, null);

        PodRuntimeState after = syncer.relist("u1");
        Sandbox current = after.latestSandbox().orElseThrow();
        assertThat(current.id()).isNotEqualTo(dead.id());
        assertThat(current.ready()).isTrue();
        ContainerStatus latest = after.latest("web").orElseThrow();
        assertThat(latest.id()).as("a new container, not the stale one").isNotEqualTo(stale);
        assertThat(latest.sandboxId()).isEqualTo(current.id());
        assertThat(latest.running()).isTrue();
        assertThat(after.containers()).as("the stale container is removed")
                .noneMatch(c -> c.id().equals(stale));
        assertThat(outcome.status().getContainerStatuses().get(0).getState().getRunning()).isNotNull();
    }

    private PodSyncer syncer() {
        NodeContext ctx = new NodeContext("hollow-0", "10.255.0.1", TestNodeContexts.properties(Map.of("name",
                "hollow-0")), null, runtime, null, null, new SimpleMeterRegistry(), clock, root);
        VolumeManager volumes = new VolumeManager() {
            @Override
            public void setUp(Pod pod) {
            }

            @Override
            public List<ContainerSpec.Mount> mounts(Pod pod, Container container) {
                return List.of();
            }

            @Override
            public void tearDown(String podUid) {
            }

            @Override
            public List<String> podsWithVolumes() {
                return List.of();
            }
        };
        EnvResolver env = (pod, container, podIp, hostIp) -> List.of();
        ProbeManager probes = new ProbeManager() {
            @Override
            public void syncPod(Pod pod, Map<String, ContainerStatus> running, String podIp) {
            }

            @Override
            public void removePod(String podUid) {
            }

            @Override
            public boolean ready(String containerId) {
                return true;
            }

            @Override
            public boolean alive(String containerId) {
                return true;
            }

            @Override
            public boolean started(String containerId) {
                return true;
            }
        };
        return new PodSyncer(ctx, volumes, env, probes, PodLifecycleProperties.defaults());
    }
}
