package io.kube4j.api.printing;

import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.Set;

/**
 * A pod's READY, STATUS and RESTARTS cells as kubectl computes them (printPod in kubectl's
 * pkg/printers/internalversion/printers.go): the phase overridden by the pod's reason, init container progress
 * ({@code Init:0/1}, {@code Init:CrashLoopBackOff}), container waiting/terminated reasons ({@code ContainerCreating},
 * {@code CrashLoopBackOff}, {@code Completed}, {@code ExitCode:1}), {@code Terminating}, and the restart count with
 * the time of the last restart ({@code 3 (12s ago)}). Describe and rollout reuse it.
 *
 * @param readyContainers  ready containers (the READY cell is {@code readyContainers/totalContainers})
 * @param totalContainers  the containers, sidecar init containers included
 * @param reason           the STATUS cell
 * @param restarts         the restart count
 * @param lastRestart      when the last restart's terminated container finished, or null
 */
public record PodStatus(int readyContainers, int totalContainers, String reason, int restarts, Instant lastRestart) {

    public String ready() {
        return readyContainers + "/" + totalContainers;
    }

    /** {@code 0}, or {@code 3 (12s ago)} as kubectl 1.2x prints it. */
    public String restartsCell(Instant now) {
        if (restarts != 0 && lastRestart != null) {
            return restarts + " (" + Ages.human(java.time.Duration.between(lastRestart, now)) + " ago)";
        }
        return String.valueOf(restarts);
    }

    /** Computes the cells of {@code pod} (a Pod as a JSON tree). */
    public static PodStatus of(JsonNode pod) {
        JsonNode spec = pod.path("spec");
        JsonNode status = pod.path("status");
        int restarts = 0;
        int sidecarRestarts = 0;
        int total = spec.path("containers").size();
        int ready = 0;
        Instant lastRestart = null;
        Instant lastSidecarRestart = null;
        String phase = status.path("phase").asString("");
        String reason = phase;
        if (!status.path("reason").asString("").isEmpty()) {
            reason = status.path("reason").asString();
        }
        for (JsonNode c : status.path("conditions")) {
            if (c.path("type").asString("").equals("PodScheduled")
                    && c.path("reason").asString("").equals("SchedulingGated")) {
                reason = "SchedulingGated";
            }
        }
        Set<String> sidecars = new HashSet<>();
        int initCount = spec.path("initContainers").size();
        for (JsonNode ic : spec.path("initContainers")) {
            if (ic.path("restartPolicy").asString("").equals("Always")) {
                sidecars.add(ic.path("name").asString(""));
                total++;
            }
        }
        boolean initializing = false;
        int i = 0;
        for (JsonNode c : status.path("initContainerStatuses")) {
            restarts += c.path("restartCount").asInt(0);
            Instant finished = finishedAt(c.path("lastState").path("terminated"));
            lastRestart = later(lastRestart, finished);
            boolean sidecar = sidecars.contains(c.path("name").asString(""));
            if (sidecar) {
                sidecarRestarts += c.path("restartCount").asInt(0);
                lastSidecarRestart = later(lastSidecarRestart, finished);
            }
            JsonNode terminated = c.path("state").path("terminated");
            JsonNode waiting = c.path("state").path("waiting");
            if (terminated.isObject() && terminated.path("exitCode").asInt(0) == 0) {
                i++;
                continue;
            }
            if (sidecar && c.path("started").asBoolean(false)) {
                if (c.path("ready").asBoolean(false)) {
                    ready++;
                }
                i++;
                continue;
            }
            if (terminated.isObject()) {
                String r = terminated.path("reason").asString("");
                if (r.isEmpty()) {
                    int signal = terminated.path("signal").asInt(0);
                    reason = signal != 0 ? "Init:Signal:" + signal
                            : "Init:ExitCode:" + terminated.path("exitCode").asInt(0);
                } else {
                    reason = "Init:" + r;
                }
            } else if (waiting.isObject() && !waiting.path("reason").asString("").isEmpty()
                    && !waiting.path("reason").asString("").equals("PodInitializing")) {
                reason = "Init:" + waiting.path("reason").asString();
            } else {
                reason = "Init:" + i + "/" + initCount;
            }
            initializing = true;
            break;
        }
        if (!initializing || conditionTrue(status, "Initialized")) {
            restarts = sidecarRestarts;
            lastRestart = lastSidecarRestart;
            boolean hasRunning = false;
            JsonNode statuses = status.path("containerStatuses");
            for (int k = statuses.size() - 1; k >= 0; k--) {
                JsonNode c = statuses.get(k);
                restarts += c.path("restartCount").asInt(0);
                lastRestart = later(lastRestart, finishedAt(c.path("lastState").path("terminated")));
                JsonNode waiting = c.path("state").path("waiting");
                JsonNode terminated = c.path("state").path("terminated");
                if (waiting.isObject() && !waiting.path("reason").asString("").isEmpty()) {
                    reason = waiting.path("reason").asString();
                } else if (terminated.isObject() && !terminated.path("reason").asString("").isEmpty()) {
                    reason = terminated.path("reason").asString();
                } else if (terminated.isObject()) {
                    int signal = terminated.path("signal").asInt(0);
                    reason = signal != 0 ? "Signal:" + signal : "ExitCode:" + terminated.path("exitCode").asInt(0);
                } else if (c.path("ready").asBoolean(false) && c.path("state").path("running").isObject()) {
                    hasRunning = true;
                    ready++;
                }
            }
            if (reason.equals("Completed") && hasRunning) {
                reason = conditionTrue(status, "Ready") ? "Running" : "NotReady";
            }
        }
        boolean deleting = !pod.path("metadata").path("deletionTimestamp").isMissingNode()
                && !pod.path("metadata").path("deletionTimestamp").isNull();
        if (deleting && status.path("reason").asString("").equals("NodeLost")) {
            reason = "Unknown";
        } else if (deleting && !phase.equals("Succeeded") && !phase.equals("Failed")) {
            reason = "Terminating";
        }
        return new PodStatus(ready, total, reason, restarts, lastRestart);
    }

    private static boolean conditionTrue(JsonNode status, String type) {
        for (JsonNode c : status.path("conditions")) {
            if (c.path("type").asString("").equals(type) && c.path("status").asString("").equals("True")) {
                return true;
            }
        }
        return false;
    }

    private static Instant finishedAt(JsonNode terminated) {
        if (!terminated.isObject()) {
            return null;
        }
        String t = terminated.path("finishedAt").asString("");
        if (t.isEmpty()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Instant later(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b != null && b.isAfter(a) ? b : a;
    }
}
