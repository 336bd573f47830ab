package io.kube4j.node.pod;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateRunning;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.HostIP;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.kube4j.node.runtime.ContainerStatus;
import io.kube4j.node.runtime.Sandbox;

/**
 * Computes a pod's status from its spec, what the runtime reports and the probes, after the kubelet's
 * {@code generateAPIPodStatus} and {@code getPhase}. Pure: everything it needs comes in as arguments.
 */
public final class PodStatusBuilder {

    public static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    /** Readiness and start state of a running container, as the probe manager knows them. */
    public interface Probes {
        boolean ready(String containerId);

        boolean started(String containerId);
    }

    /** A pod-level verdict that overrides the computed phase (eviction, active deadline). */
    public record Terminal(String phase, String reason, String message) {
    }

    private PodStatusBuilder() {
    }

    /**
     * @param waiting  reasons the last sync gave for containers it could not run, by container name
     * @param terminal null, or a phase/reason the agent decided (Failed/Evicted, Failed/DeadlineExceeded)
     */
    public static PodStatus build(Pod pod, PodRuntimeState state, Map<String, ContainerWaiting> waiting,
                                  Probes probes, String runtimeName, String hostIp, Instant now, Terminal terminal) {
        PodStatus old = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
        PodStatus st = new PodStatus();
        String restartPolicy = Objects.requireNonNullElse(pod.getSpec().getRestartPolicy(), "Always");

        List<io.fabric8.kubernetes.api.model.ContainerStatus> init = new ArrayList<>();
        boolean initDone = true;
        boolean initFailed = false;
        for (Container c : nullSafe(pod.getSpec().getInitContainers())) {
            io.fabric8.kubernetes.api.model.ContainerStatus cs = containerStatus(c, state, waiting, probes,
                    runtimeName, old.getInitContainerStatuses());
            init.add(cs);
            ContainerStateTerminated t = cs.getState().getTerminated();
            // a restartable init container (a sidecar, restartPolicy Always) counts as done once it runs
            boolean sidecar = "Always".equals(c.getRestartPolicy());
            boolean done = sidecar ? cs.getState().getRunning() != null : t != null && t.getExitCode() == 0;
            if (!done) {
                initDone = false;
                if (!sidecar && t != null && t.getExitCode() != 0 && "Never".equals(restartPolicy)) {
                    initFailed = true;
                }
            }
        }
        List<io.fabric8.kubernetes.api.model.ContainerStatus> app = new ArrayList<>();
        for (Container c : nullSafe(pod.getSpec().getContainers())) {
            io.fabric8.kubernetes.api.model.ContainerStatus cs = containerStatus(c, state, waiting, probes,
                    runtimeName, old.getContainerStatuses());
            if (!initDone && cs.getState().getWaiting() != null && cs.getLastState().getTerminated() == null
                    && "ContainerCreating".equals(cs.getState().getWaiting().getReason())) {
                cs.getState().getWaiting().setReason("PodInitializing");
            }
            app.add(cs);
        }
        st.setInitContainerStatuses(init.isEmpty() ? null : init);
        st.setContainerStatuses(app);

        String phase = phase(pod, app, initDone, initFailed, restartPolicy);
        if (terminal != null) {
            phase = terminal.phase();
            st.setReason(terminal.reason());
            st.setMessage(terminal.message());
        } else if (isTerminalPhase(old.getPhase())) {
            phase = old.getPhase(); // a terminal phase never changes back
            st.setReason(old.getReason());
            st.setMessage(old.getMessage());
        }
        st.setPhase(phase);

        Sandbox sandbox = state.latestSandbox().orElse(null);
        String podIp = null;
        if (sandbox != null && sandbox.ip() != null && !sandbox.ip().isEmpty()) {
            podIp = sandbox.ip();
        } else if (Boolean.TRUE.equals(pod.getSpec().getHostNetwork()) && sandbox != null) {
            podIp = hostIp;
        }
        if (podIp == null && isTerminalPhase(phase)) {
            podIp = old.getPodIP(); // keep the address a finished pod had
        }
        st.setPodIP(podIp);
        st.setPodIPs(podIp == null ? null : List.of(new PodIP(podIp)));
        st.setHostIP(hostIp);
        st.setHostIPs(hostIp == null ? null : List.of(new HostIP(hostIp)));
        st.setStartTime(old.getStartTime() != null ? old.getStartTime() : RFC3339.format(now));
        st.setQosClass(old.getQosClass() != null ? old.getQosClass() : QosClasses.of(pod));
        st.setNominatedNodeName(old.getNominatedNodeName());

        boolean containersReady = !app.isEmpty() && app.stream().allMatch(cs -> Boolean.TRUE.equals(cs.getReady()));
        if (isTerminalPhase(phase)) {
            containersReady = false;
        }
        boolean ready = containersReady && readinessGatesPass(pod, old);
        List<PodCondition> conditions = new ArrayList<>();
        // conditions the agent does not own (PodScheduled, DisruptionTarget, readiness gates) are kept as they are
        for (PodCondition c : nullSafe(old.getConditions())) {
            if (!OWNED.contains(c.getType())) {
                conditions.add(c);
            }
        }
        conditions.add(condition(old, "PodReadyToStartContainers", sandbox != null && sandbox.ready(), null, now));
        conditions.add(condition(old, "Initialized", initDone,
                initDone ? null : "ContainersNotInitialized", now));
        conditions.add(condition(old, "Ready", ready, ready ? null : "ContainersNotReady", now));
        conditions.add(condition(old, "ContainersReady", containersReady,
                containersReady ? null : "ContainersNotReady", now));
        if (conditions.stream().noneMatch(c -> "PodScheduled".equals(c.getType()))) {
            conditions.add(condition(old, "PodScheduled", true, null, now));
        }
        conditions.sort((a, b) -> Integer.compare(order(a.getType()), order(b.getType())));
        st.setConditions(conditions);
        return st;
    }

    private static final List<String> OWNED = List.of("PodReadyToStartContainers", "Initialized", "Ready",
            "ContainersReady");

    private static int order(String type) {
        return switch (type) {
            case "PodReadyToStartContainers" -> 0;
            case "Initialized" -> 1;
            case "Ready" -> 2;
            case "ContainersReady" -> 3;
            case "PodScheduled" -> 4;
            default -> 5;
        };
    }

    public static boolean isTerminalPhase(String phase) {
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    private static boolean readinessGatesPass(Pod pod, PodStatus old) {
        if (pod.getSpec().getReadinessGates() == null) {
            return true;
        }
        for (var gate : pod.getSpec().getReadinessGates()) {
            boolean ok = nullSafe(old.getConditions()).stream().anyMatch(c ->
                    gate.getConditionType().equals(c.getType()) && "True".equals(c.getStatus()));
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static PodCondition condition(PodStatus old, String type, boolean value, String reason, Instant now) {
        String status = value ? "True" : "False";
        PodCondition prev = nullSafe(old.getConditions()).stream().filter(c -> type.equals(c.getType()))
                .findFirst().orElse(null);
        PodCondition c = new PodCondition();
        c.setType(type);
        c.setStatus(status);
        c.setReason(reason);
        c.setLastTransitionTime(prev != null && status.equals(prev.getStatus()) && prev.getLastTransitionTime() != null
                ? prev.getLastTransitionTime() : RFC3339.format(now));
        c.setLastProbeTime(null);
        return c;
    }

    /** The kubelet's getPhase. */
    static String phase(Pod pod, List<io.fabric8.kubernetes.api.model.ContainerStatus> app, boolean initDone,
                        boolean initFailed, String restartPolicy) {
        if (initFailed) {
            return "Failed";
        }
        if (!initDone) {
            return "Pending";
        }
        int running = 0;
        int waiting = 0;
        int stopped = 0;
        int succeeded = 0;
        for (var cs : app) {
            ContainerState s = cs.getState();
            if (s.getRunning() != null) {
                running++;
            } else if (s.getTerminated() != null) {
                stopped++;
                if (s.getTerminated().getExitCode() == 0) {
                    succeeded++;
                }
            } else if (s.getWaiting() != null) {
                if (cs.getLastState() != null && cs.getLastState().getTerminated() != null) {
                    stopped++;
                } else {
                    waiting++;
                }
            }
        }
        if (waiting > 0) {
            return "Pending";
        }
        if (running > 0) {
            return "Running";
        }
        if (stopped > 0) {
            if ("Always".equals(restartPolicy)) {
                return "Running"; // restarting
            }
            if (stopped == succeeded) {
                return "Succeeded";
            }
            if ("Never".equals(restartPolicy)) {
                return "Failed";
            }
            return "Running"; // OnFailure: the failed ones restart
        }
        return "Pending";
    }

    private static io.fabric8.kubernetes.api.model.ContainerStatus containerStatus(
            Container c, PodRuntimeState state, Map<String, ContainerWaiting> waiting, Probes probes,
            String runtimeName, List<io.fabric8.kubernetes.api.model.ContainerStatus> oldStatuses) {
        io.fabric8.kubernetes.api.model.ContainerStatus cs = new io.fabric8.kubernetes.api.model.ContainerStatus();
        cs.setName(c.getName());
        cs.setImage(c.getImage());
        cs.setImageID("");
        ContainerStatus latest = state.latest(c.getName()).orElse(null);
        ContainerStatus previous = state.previous(c.getName(), latest).orElse(null);
        ContainerWaiting w = waiting.get(c.getName());
        ContainerState current = new ContainerState();
        ContainerState last = new ContainerState();
        int restarts = 0;
        boolean ready = false;
        boolean started = false;
        if (latest != null) {
            restarts = latest.attempt();
            cs.setContainerID(latest.containerUri(runtimeName));
            cs.setImageID(latest.imageId() == null ? "" : runtimeName + "://" + latest.imageId());
            switch (latest.state()) {
                case RUNNING -> {
                    current.setRunning(new ContainerStateRunning(format(latest.startedAt())));
                    started = probes.started(latest.id());
                    ready = started && probes.ready(latest.id());
                    if (previous != null) {
                        last.setTerminated(terminated(previous, runtimeName));
                    }
                }
                case EXITED -> {
                    if (w != null) {
                        // waiting to restart (back-off) or blocked: the exited one is the last state
                        current.setWaiting(new ContainerStateWaiting(w.message(), w.reason()));
                        last.setTerminated(terminated(latest, runtimeName));
                    } else {
                        current.setTerminated(terminated(latest, runtimeName));
                        if (previous != null) {
                            last.setTerminated(terminated(previous, runtimeName));
                        }
                    }
                }
                default -> {
                    current.setWaiting(new ContainerStateWaiting(w == null ? null : w.message(),
                            w == null ? "ContainerCreating" : w.reason()));
                    if (previous != null) {
                        last.setTerminated(terminated(previous, runtimeName));
                    }
                }
            }
        } else {
            current.setWaiting(new ContainerStateWaiting(w == null ? null : w.message(),
                    w == null ? "ContainerCreating" : w.reason()));
            // keep the restart count a container had when its old instances were cleaned away
            for (var o : nullSafe(oldStatuses)) {
                if (c.getName().equals(o.getName()) && o.getRestartCount() != null) {
                    restarts = o.getRestartCount();
                }
            }
        }
        cs.setState(current);
        cs.setLastState(last);
        cs.setRestartCount(restarts);
        cs.setReady(ready);
        cs.setStarted(latest != null && latest.running() ? started : false);
        return cs;
    }

    private static ContainerStateTerminated terminated(ContainerStatus c, String runtimeName) {
        ContainerStateTerminated t = new ContainerStateTerminated();
        t.setExitCode(c.exitCode());
        t.setReason(c.reason() != null ? c.reason() : c.exitCode() == 0 ? "Completed" : "Error");
        t.setMessage(c.message() == null || c.message().isEmpty() ? null : c.message());
        t.setStartedAt(format(c.startedAt()));
        t.setFinishedAt(format(c.finishedAt()));
        t.setContainerID(c.containerUri(runtimeName));
        return t;
    }

    static String format(Instant t) {
        return t == null || t.equals(Instant.EPOCH) ? null : RFC3339.format(t.truncatedTo(ChronoUnit.SECONDS));
    }

    private static <T> List<T> nullSafe(List<T> l) {
        return l == null ? List.of() : l;
    }
}
