package io.kube4j.node.runtime.hollow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.kube4j.client.util.FakeClock;
import io.kube4j.node.runtime.ContainerSpec;
import io.kube4j.node.runtime.ContainerStatus;
import io.kube4j.node.runtime.LogRequest;
import io.kube4j.node.runtime.RuntimeLabels;
import io.kube4j.node.runtime.RuntimeOperationException;
import io.kube4j.node.runtime.Sandbox;
import io.kube4j.node.runtime.SandboxSpec;
import io.kube4j.node.runtime.StreamHandle;

class HollowRuntimeTest {

    private final FakeClock clock = new FakeClock();
    private final HollowRuntime rt = new HollowRuntime("hollow-0", "10.255.0.1", "10.64.0.0/24",
            Duration.ofSeconds(2), clock, HollowRuntime.Resources.DEFAULT);

    private static SandboxSpec sandbox(String uid) {
        return new SandboxSpec(uid, "p-" + uid, "ns", 0, "p-" + uid, false, null, null, null, null, null);
    }

    private static ContainerSpec container(Sandbox s, String name) {
        return new ContainerSpec(s.podUid(), s.podName(), s.namespace(), name, "busybox:1", null, null, null, null,
                null, 0, 0, 0, false, false, false, 0, "h1", null, null, false, Map.of());
    }

    @Test
    void containersRunStartDelayAfterStartAndExitWhenStopped() {
        Sandbox s = rt.runSandbox(sandbox("u1"));
        String id = rt.createContainer(s, container(s, "app"));
        assertThat(rt.inspectContainer(id).orElseThrow().state()).isEqualTo(ContainerStatus.State.CREATED);

        rt.startContainer(id);
        clock.advance(Duration.ofMillis(1999));
        assertThat(rt.inspectContainer(id).orElseThrow().state()).isEqualTo(ContainerStatus.State.CREATED);
        assertThatThrownBy(() -> rt.execSync(id, List.of("true"), Duration.ofSeconds(1)))
                .isInstanceOf(RuntimeOperationException.class);

        clock.advance(Duration.ofMillis(1));
        ContainerStatus running = rt.inspectContainer(id).orElseThrow();
        assertThat(running.state()).isEqualTo(ContainerStatus.State.RUNNING);
        assertThat(running.startedAt()).isEqualTo(clock.now());
        assertThat(running.labels()).containsEntry(RuntimeLabels.POD_UID, "u1")
                .containsEntry(RuntimeLabels.CONTAINER_NAME, "app").containsEntry(RuntimeLabels.NODE, "hollow-0");
        assertThat(rt.execSync(id, List.of("true"), Duration.ofSeconds(1)).exitCode()).isZero();
        assertThat(rt.stats(id)).hasValueSatisfying(st -> assertThat(st.memoryWorkingSetBytes()).isZero());

        clock.advance(Duration.ofHours(24));
        assertThat(rt.inspectContainer(id).orElseThrow().running()).isTrue();

        rt.stopContainer(id, Duration.ofSeconds(30));
        ContainerStatus exited = rt.inspectContainer(id).orElseThrow();
        assertThat(exited.state()).isEqualTo(ContainerStatus.State.EXITED);
        assertThat(exited.exitCode()).isZero();
        assertThat(exited.reason()).isEqualTo("Completed");
        assertThat(rt.stats(id)).isEmpty();
        assertThatThrownBy(() -> rt.startContainer(id)).isInstanceOf(RuntimeOperationException.class);

        rt.removeContainer(id);
        rt.removeContainer(id); // idempotent
        assertThat(rt.listContainers()).isEmpty();
    }

    @Test
    void sandboxesTakeDistinctIpsFromThePodCidrAndGiveThemBack() {
        Sandbox a = rt.runSandbox(sandbox("a"));
        Sandbox b = rt.runSandbox(sandbox("b"));
        assertThat(a.ip()).isEqualTo("10.64.0.2");
        assertThat(b.ip()).isEqualTo("10.64.0.3");
        assertThat(a.ready()).isTrue();
        rt.stopSandbox(a.id());
        assertThat(rt.listSandboxes()).filteredOn(s -> s.id().equals(a.id())).allMatch(s -> !s.ready());
        assertThatThrownBy(() -> rt.createContainer(a, container(a, "x"))).hasMessageContaining("not ready");
        rt.removeSandbox(a.id());
        assertThat(rt.podIpsInUse()).isEqualTo(1);
        assertThat(rt.runSandbox(sandbox("c")).ip()).isEqualTo("10.64.0.2");
    }

    @Test
    void hostNetworkSandboxesUseTheNodeIp() {
        SandboxSpec host = new SandboxSpec("h", "h", "ns", 0, "h", true, null, null, null, null, null);
        assertThat(rt.runSandbox(host).ip()).isEqualTo("10.255.0.1");
        assertThat(rt.podIpsInUse()).isZero();
    }

    @Test
    void aFullRangeFailsClearly() {
        HollowRuntime tiny = new HollowRuntime("n", "10.0.0.1", "10.1.0.0/30", Duration.ZERO, clock, null);
        tiny.runSandbox(sandbox("1"));
        assertThatThrownBy(() -> tiny.runSandbox(sandbox("2"))).isInstanceOf(RuntimeOperationException.class)
                .hasMessageContaining("no free address");
    }

    @Test
    void imagesAreAlwaysPresentAndInfoAdvertisesTheResources() {
        assertThat(rt.inspectImage("anything:1")).isPresent();
        assertThat(rt.pullImage("anything:1").id()).startsWith("sha256:");
        assertThat(rt.info().cpus()).isEqualTo(4);
        assertThat(rt.info().memoryBytes()).isEqualTo(16L << 30);
        assertThat(rt.info().containerRuntimeVersion()).isEqualTo("hollow://" + HollowRuntime.VERSION);
    }

    @Test
    void followedLogsEndWhenTheContainerStops() {
        Sandbox s = rt.runSandbox(sandbox("u"));
        String id = rt.createContainer(s, container(s, "app"));
        rt.startContainer(id);
        clock.advance(Duration.ofSeconds(2));
        StreamHandle follow = rt.logs(id, new LogRequest(true, null, null, false, null), null);
        assertThat(follow.completion()).isNotDone();
        assertThat(rt.logs(id, LogRequest.all(), null).completion()).isCompletedWithValue(0);
        rt.stopContainer(id, Duration.ZERO);
        assertThat(follow.completion()).isCompletedWithValue(0);
    }
}
