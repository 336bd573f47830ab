package io.kube4j.cli.commands.rollout;

import io.kube4j.cli.command.CliException;
import tools.jackson.databind.JsonNode;

/**
 * kubectl's rollout status viewers ({@code polymorphichelpers/rollout_status.go}): from a Deployment, DaemonSet or
 * StatefulSet, the line kubectl prints and whether the rollout is done. A rollout that cannot finish (a Deployment
 * past its progress deadline, a revision that is not the running one) is a {@link CliException}.
 */
public final class StatusViewer {

    /** A line to print (without its newline) and whether waiting is over. */
    public record Status(String message, boolean done) {
    }

    private StatusViewer() {
    }

    /** The status of {@code obj} of kind {@code kind} ({@code Deployment}, {@code DaemonSet}, {@code StatefulSet}). */
    public static Status status(String kind, JsonNode obj, long revision) {
        return switch (kind) {
            case "Deployment" -> deployment(obj, revision);
            case "DaemonSet" -> daemonSet(obj);
            case "StatefulSet" -> statefulSet(obj);
            default -> throw new CliException("no status viewer has been implemented for " + kind);
        };
    }

    static Status deployment(JsonNode d, long revision) {
        String name = d.path("metadata").path("name").asString();
        if (revision > 0) {
            long running = Workloads.revision(d);
            if (running != revision) {
                throw new CliException("desired revision (" + revision + ") is different from the running revision ("
                        + running + ")");
            }
        }
        JsonNode st = d.path("status");
        if (d.path("metadata").path("generation").asLong(0) <= st.path("observedGeneration").asLong(0)) {
            JsonNode progressing = condition(st, "Progressing");
            if (progressing != null && "ProgressDeadlineExceeded".equals(progressing.path("reason").asString())) {
                throw new CliException("deployment \"" + name + "\" exceeded its progress deadline");
            }
            JsonNode specReplicas = d.path("spec").path("replicas");
            long updated = st.path("updatedReplicas").asLong(0);
            if (specReplicas.isNumber() && updated < specReplicas.asLong()) {
                return new Status("Waiting for deployment \"" + name + "\" rollout to finish: " + updated + " out of "
                        + specReplicas.asLong() + " new replicas have been updated...", false);
            }
            long replicas = st.path("replicas").asLong(0);
            if (replicas > updated) {
                return new Status("Waiting for deployment \"" + name + "\" rollout to finish: " + (replicas - updated)
                        + " old replicas are pending termination...", false);
            }
            long available = st.path("availableReplicas").asLong(0);
            if (available < updated) {
                return new Status("Waiting for deployment \"" + name + "\" rollout to finish: " + available + " of "
                        + updated + " updated replicas are available...", false);
            }
            return new Status("deployment \"" + name + "\" successfully rolled out", true);
        }
        return new Status("Waiting for deployment spec update to be observed...", false);
    }

    static Status daemonSet(JsonNode ds) {
        String name = ds.path("metadata").path("name").asString();
        String strategy = ds.path("spec").path("updateStrategy").path("type").asString("RollingUpdate");
        if (!"RollingUpdate".equals(strategy)) {
            throw new CliException("rollout status is only available for RollingUpdate strategy type");
        }
        JsonNode st = ds.path("status");
        if (ds.path("metadata").path("generation").asLong(0) <= st.path("observedGeneration").asLong(0)) {
            long desired = st.path("desiredNumberScheduled").asLong(0);
            long updated = st.path("updatedNumberScheduled").asLong(0);
            if (updated < desired) {
                return new Status("Waiting for daemon set \"" + name + "\" rollout to finish: " + updated + " out of "
                        + desired + " new pods have been updated...", false);
            }
            long available = st.path("numberAvailable").asLong(0);
            if (available < desired) {
                return new Status("Waiting for daemon set \"" + name + "\" rollout to finish: " + available + " of "
                        + desired + " updated pods are available...", false);
            }
            return new Status("daemon set \"" + name + "\" successfully rolled out", true);
        }
        return new Status("Waiting for daemon set spec update to be observed...", false);
    }

    static Status statefulSet(JsonNode sts) {
        JsonNode spec = sts.path("spec");
        String strategy = spec.path("updateStrategy").path("type").asString("RollingUpdate");
        if (!"RollingUpdate".equals(strategy)) {
            throw new CliException("rollout status is only available for RollingUpdate strategy type");
        }
        JsonNode st = sts.path("status");
        long observed = st.path("observedGeneration").asLong(0);
        if (observed == 0 || sts.path("metadata").path("generation").asLong(0) > observed) {
            return new Status("Waiting for statefulset spec update to be observed...", false);
        }
        JsonNode replicas = spec.path("replicas");
        long ready = st.path("readyReplicas").asLong(0);
        if (replicas.isNumber() && ready < replicas.asLong()) {
            return new Status("Waiting for " + (replicas.asLong() - ready) + " pods to be ready...", false);
        }
        long updated = st.path("updatedReplicas").asLong(0);
        JsonNode rolling = spec.path("updateStrategy").path("rollingUpdate");
        if (rolling.isObject()) {
            JsonNode partition = rolling.path("partition");
            if (replicas.isNumber() && partition.isNumber() && updated < replicas.asLong() - partition.asLong()) {
                return new Status("Waiting for partitioned roll out to finish: " + updated + " out of "
                        + (replicas.asLong() - partition.asLong()) + " new pods have been updated...", false);
            }
            return new Status("partitioned roll out complete: " + updated + " new pods have been updated...", true);
        }
        String updateRevision = st.path("updateRevision").asString("");
        String currentRevision = st.path("currentRevision").asString("");
        if (!updateRevision.equals(currentRevision)) {
            return new Status("waiting for statefulset rolling update to complete " + updated + " pods at revision "
                    + updateRevision + "...", false);
        }
        return new Status("statefulset rolling update complete " + st.path("currentReplicas").asLong(0)
                + " pods at revision " + currentRevision + "...", true);
    }

    static JsonNode condition(JsonNode status, String type) {
        for (JsonNode c : status.path("conditions")) {
            if (type.equals(c.path("type").asString())) {
                return c;
            }
        }
        return null;
    }
}
