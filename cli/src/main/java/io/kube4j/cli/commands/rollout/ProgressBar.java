package io.kube4j.cli.commands.rollout;

import io.kube4j.cli.output.Colors;
import tools.jackson.databind.JsonNode;

/**
 * The live line {@code k4j rollout status} draws on a terminal below kubectl's messages: a bar of the available
 * replicas, then updated/ready/available of desired and the reason of the Progressing condition (Deployments).
 */
public final class ProgressBar {

    static final int WIDTH = 20;

    private ProgressBar() {
    }

    /** Counts of one workload: desired, updated, ready, available, and the current condition (may be empty). */
    public record Counts(long desired, long updated, long ready, long available, String condition) {
    }

    public static Counts counts(String kind, JsonNode obj) {
        JsonNode st = obj.path("status");
        return switch (kind) {
            case "DaemonSet" -> new Counts(st.path("desiredNumberScheduled").asLong(0),
                    st.path("updatedNumberScheduled").asLong(0), st.path("numberReady").asLong(0),
                    st.path("numberAvailable").asLong(0), "");
            default -> {
                JsonNode p = StatusViewer.condition(st, "Progressing");
                yield new Counts(obj.path("spec").path("replicas").asLong(1), st.path("updatedReplicas").asLong(0),
                        st.path("readyReplicas").asLong(0), st.path("availableReplicas").asLong(0),
                        p == null ? "" : p.path("reason").asString(""));
            }
        };
    }

    /** The line (no newline, no carriage return): {@code [######......] 2/3 updated  2/3 ready  1/3 available}. */
    public static String render(Counts c, Colors colors) {
        long d = Math.max(c.desired(), 0);
        int full = d == 0 ? WIDTH : (int) Math.min(WIDTH, c.available() * WIDTH / d);
        int partial = d == 0 ? 0 : (int) Math.min(WIDTH - full, Math.max(0, c.updated() * WIDTH / d - full));
        String bar = colors.green("#".repeat(full)) + colors.yellow("=".repeat(partial))
                + colors.gray(".".repeat(WIDTH - full - partial));
        StringBuilder s = new StringBuilder("[").append(bar).append("] ")
                .append(c.updated()).append('/').append(d).append(" updated  ")
                .append(c.ready()).append('/').append(d).append(" ready  ")
                .append(c.available()).append('/').append(d).append(" available");
        if (!c.condition().isEmpty()) {
            s.append("  ").append(colors.cyan(c.condition()));
        }
        return s.toString();
    }
}
