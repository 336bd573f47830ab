package io.kube4j.node.pod;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.kube4j.node.runtime.ContainerStatus;
import io.kube4j.node.runtime.Sandbox;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class PodStatusBuilderTest {

    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

    private static final PodStatusBuilder.Probes ALL_READY = new PodStatusBuilder.Probes() {
        @Override
        public boolean ready(String id) {
            return true;
        }

        @Override
        public boolean started(String id) {
            return true;
        }
    };

    static Pod pod(String restartPolicy, String... containers) {
        Pod p = new PodBuilder().withNewMetadata().withName("p").withNamespace("default").withUid("u1")
                .endMetadata().withNewSpec().withRestartPolicy(restartPolicy).withNodeName("n1").endSpec().build();
        List<io.fabric8.kubernetes.api.model.Container> list = new ArrayList<>();
        for (String c : containers) {
            list.add(new io.fabric8.kubernetes.api.model.ContainerBuilder().withName(c).withImage("img:1").build());
        }
        p.getSpec().setContainers(list);
        return p;
    }

    static Sandbox sandbox() {
        return new Sandbox("sb1", "u1", "p", "default", 0, Sandbox.State.READY, "10.244.1.5", T0, Map.of());
    }

    static ContainerStatus container(String name, int attempt, ContainerStatus.State state, int exit) {
        return new ContainerStatus(name + attempt, "u1", "p", "default", name, attempt, "sb1", state, T0,
                T0.plusSeconds(1), state == ContainerStatus.State.EXITED ? T0.plusSeconds(5) : null, exit,
                state == ContainerStatus.State.EXITED ? (exit == 0 ? "Completed" : "Error") : null, null, "img:1",
                "sha256:abc", "h", Map.of());
    }

    @ParameterizedTest(name = "{0} with {1} -> {2}")
    @CsvSource({
            "Always,    running,         Running",
            "Always,    exited0,         Running",
            "Always,    exited1,         Running",
            "Never,     exited0,         Succeeded",
            "Never,     exited1,         Failed",
            "OnFailure, exited0,         Succeeded",
            "OnFailure, exited1,         Running",
            "Never,     none,            Pending",
    })
    void phaseFollowsTheKubeletsRules(String policy, String state, String phase) {
        List<ContainerStatus> cs = new ArrayList<>();
        switch (state.trim()) {
            case "running" -> cs.add(container("a", 0, ContainerStatus.State.RUNNING, 0));
            case "exited0" -> cs.add(container("a", 0, ContainerStatus.State.EXITED, 0));
            case "exited1" -> cs.add(container("a", 0, ContainerStatus.State.EXITED, 1));
            default -> { }
        }
        PodStatus st = PodStatusBuilder.build(pod(policy.trim(), "a"),
                new PodRuntimeState("u1", List.of(sandbox()), cs), Map.of(), ALL_READY, "docker", "192.168.1.2",
                T0, null);
        assertThat(st.getPhase()).isEqualTo(phase.trim());
    }

    @Test
    void aRunningReadyPodHasItsIpsConditionsAndContainerStatus() {
        PodStatus st = PodStatusBuilder.build(pod("Always", "a", "b"), new PodRuntimeState("u1", List.of(sandbox()),
                        List.of(container("a", 0, ContainerStatus.State.RUNNING, 0),
                                container("b", 2, ContainerStatus.State.RUNNING, 0),
                                container("b", 1, ContainerStatus.State.EXITED, 137))),
                Map.of(), ALL_READY, "docker", "192.168.1.2", T0, null);
        assertThat(st.getPhase()).isEqualTo("Running");
        assertThat(st.getPodIP()).isEqualTo("10.244.1.5");
        assertThat(st.getHostIP()).isEqualTo("192.168.1.2");
        assertThat(st.getStartTime()).isEqualTo("2026-11-27T10:00:00Z");
        assertThat(st.getConditions()).extracting(c -> c.getType() + "=" + c.getStatus())
                .contains("Initialized=True", "Ready=True", "ContainersReady=True", "PodScheduled=True");
        var b = st.getContainerStatuses().get(1);
        assertThat(b.getRestartCount()).isEqualTo(2);
        assertThat(b.getContainerID()).isEqualTo("docker://b2");
        assertThat(b.getLastState().getTerminated().getExitCode()).isEqualTo(137);
        assertThat(b.getReady()).isTrue();
        assertThat(st.getQosClass()).isEqualTo("BestEffort");
    }

    @Test
    void aCrashLoopingContainerIsWaitingWithItsLastTermination() {
        PodStatus st = PodStatusBuilder.build(pod("Always", "a"), new PodRuntimeState("u1", List.of(sandbox()),
                        List.of(container("a", 3, ContainerStatus.State.EXITED, 1))),
                Map.of("a", new ContainerWaiting("CrashLoopBackOff", "back-off 40s")), ALL_READY, "docker",
                "192.168.1.2", T0, null);
        var a = st.getContainerStatuses().get(0);
        assertThat(a.getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
        assertThat(a.getLastState().getTerminated().getExitCode()).isEqualTo(1);
        assertThat(a.getRestartCount()).isEqualTo(3);
        assertThat(st.getPhase()).isEqualTo("Running");
        assertThat(st.getConditions()).extracting(c -> c.getType() + "=" + c.getStatus()).contains("Ready=False");
    }

    @Test
    void appContainersWaitForInitContainers() {
        Pod p = pod("Always", "a");
        p.getSpec().setInitContainers(List.of(new io.fabric8.kubernetes.api.model.ContainerBuilder()
                .withName("init").withImage("img:1").build()));
        PodStatus st = PodStatusBuilder.build(p, new PodRuntimeState("u1", List.of(sandbox()),
                        List.of(container("init", 0, ContainerStatus.State.RUNNING, 0))), Map.of(), ALL_READY,
                "docker", "h", T0, null);
        assertThat(st.getPhase()).isEqualTo("Pending");
        assertThat(st.getContainerStatuses().get(0).getState().getWaiting().getReason()).isEqualTo("PodInitializing");
        assertThat(st.getConditions()).extracting(c -> c.getType() + "=" + c.getStatus()).contains("Initialized=False");
    }

    @Test
    void aRunningSidecarCountsAsInitializedButOnlyAfterTheInitContainersBeforeIt() {
        Pod p = pod("Always", "a");
        p.getSpec().setInitContainers(List.of(
                new io.fabric8.kubernetes.api.model.ContainerBuilder().withName("setup").withImage("img:1").build(),
                new io.fabric8.kubernetes.api.model.ContainerBuilder().withName("proxy").withImage("img:1")
                        .withRestartPolicy("Always").build()));
        PodStatus initializing = PodStatusBuilder.build(p, new PodRuntimeState("u1", List.of(sandbox()),
                        List.of(container("setup", 0, ContainerStatus.State.RUNNING, 0))), Map.of(), ALL_READY,
                "docker", "h", T0, null);
        assertThat(initializing.getConditions()).extracting(c -> c.getType() + "=" + c.getStatus())
                .contains("Initialized=False");
        PodStatus done = PodStatusBuilder.build(p, new PodRuntimeState("u1", List.of(sandbox()),
                        List.of(container("setup", 0, ContainerStatus.State.EXITED, 0),
                                container("proxy", 0, ContainerStatus.State.RUNNING, 0),
                                container("a", 0, ContainerStatus.State.RUNNING, 0))), Map.of(), ALL_READY,
                "docker", "h", T0, null);
        assertThat(done.getConditions()).extracting(c -> c.getType() + "=" + c.getStatus()).contains("Initialized=True");
        assertThat(done.getPhase()).isEqualTo("Running");
    }

    @Test
    void aFailedInitContainerFailsAPodThatNeverRestarts() {
        Pod p = pod("Never", "a");
        p.getSpec().setInitContainers(List.of(new io.fabric8.kubernetes.api.model.ContainerBuilder()
                .withName("init").withImage("img:1").build()));
        PodStatus st = PodStatusBuilder.build(p, new PodRuntimeState("u1", List.of(sandbox()),
                        List.of(container("init", 0, ContainerStatus.State.EXITED, 2))), Map.of(), ALL_READY,
                "docker", "h", T0, null);
        assertThat(st.getPhase()).isEqualTo("Failed");
    }

    @Test
    void anEvictionVerdictWinsAndTerminalPhasesStay() {
        PodStatus st = PodStatusBuilder.build(pod("Always", "a"), new PodRuntimeState("u1", List.of(sandbox()),
                        List.of(container("a", 0, ContainerStatus.State.EXITED, 137))), Map.of(), ALL_READY,
                "docker", "h", T0, new PodStatusBuilder.Terminal("Failed", "Evicted", "low on memory"));
        assertThat(st.getPhase()).isEqualTo("Failed");
        assertThat(st.getReason()).isEqualTo("Evicted");
        Pod again = pod("Always", "a");
        again.setStatus(st);
        PodStatus next = PodStatusBuilder.build(again, new PodRuntimeState("u1", List.of(), List.of()), Map.of(),
                ALL_READY, "docker", "h", T0.plusSeconds(5), null);
        assertThat(next.getPhase()).isEqualTo("Failed");
        assertThat(next.getReason()).isEqualTo("Evicted");
    }

    @Test
    void transitionTimesAreKeptWhileAConditionHolds() {
        Pod p = pod("Always", "a");
        PodRuntimeState s = new PodRuntimeState("u1", List.of(sandbox()),
                List.of(container("a", 0, ContainerStatus.State.RUNNING, 0)));
        PodStatus first = PodStatusBuilder.build(p, s, Map.of(), ALL_READY, "docker", "h", T0, null);
        p.setStatus(first);
        PodStatus second = PodStatusBuilder.build(p, s, Map.of(), ALL_READY, "docker", "h", T0.plusSeconds(60), null);
        assertThat(second).isEqualTo(first);
    }
}
