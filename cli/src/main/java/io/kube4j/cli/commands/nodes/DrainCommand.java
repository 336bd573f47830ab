package io.kube4j.cli.commands.nodes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.command.UsageException;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.ListOptions;
import io.kube4j.client.ResourceClient;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code k4j drain NODE}: cordons the node, refuses (as kubectl does) pods without a controller unless
 * {@code --force}, DaemonSet pods unless {@code --ignore-daemonsets} and emptyDir pods unless
 * {@code --delete-emptydir-data}, then evicts the others through the Eviction API ({@code POST pods/x/eviction},
 * retrying every 5 s while a PodDisruptionBudget answers 429) — or deletes them with {@code --disable-eviction} —
 * and waits until they are gone. It never falls back from eviction to deletion on its own.
 */
@Component
public class DrainCommand extends KubeCommand {

    static final String DAEMONSET_FATAL = "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)";
    static final String DAEMONSET_WARNING = "ignoring DaemonSet-managed Pods";
    static final String LOCAL_STORAGE_FATAL = "Pods with local storage (use --delete-emptydir-data to override)";
    static final String LOCAL_STORAGE_WARNING = "deleting Pods with local storage";
    static final String UNMANAGED_FATAL = "Pods declare no controller (use --force to override)";
    static final String UNMANAGED_WARNING = "deleting Pods that declare no controller";
    /** How long kubectl waits before evicting again after a 429. */
    static final Duration EVICT_RETRY = Duration.ofSeconds(5);
    static final Duration POLL = Duration.ofSeconds(1);

    public DrainCommand() {
        super("drain", "Drain node in preparation for maintenance");
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.bool("--force", "Continue even if there are pods that do not declare a controller.");
        b.bool("--ignore-daemonsets", "Ignore DaemonSet-managed pods.");
        b.bool("--delete-emptydir-data", "Continue even if there are pods using emptyDir (local data that will be "
                + "deleted when the node is drained).");
        b.integer("--grace-period", "SECONDS", -1, "Period of time in seconds given to each pod to terminate "
                + "gracefully. If negative, the default value specified in the pod will be used.");
        b.string("--timeout", "DURATION", "0s", "The length of time to wait before giving up, zero means infinite");
        b.string("-l, --selector", "SELECTOR", null, "Selector (label query) to filter on");
        b.string("--pod-selector", "SELECTOR", null, "Label selector to filter pods on the node");
        b.bool("--disable-eviction", "Force drain to use delete, even if eviction is supported. This will bypass "
                + "checking PodDisruptionBudgets, use with caution.");
        b.positionals("NODE", "the node to drain");
    }

    @Override
    protected String examples() {
        return "  # Drain node \"foo\", even if there are pods not managed by a replication controller, replica set, "
                + "job, daemon set, or stateful set on it\n  k4j drain foo --force\n\n"
                + "  # As above, but abort if there are pods not managed by a replication controller, replica set, "
                + "job, daemon set, or stateful set, and use a grace period of 15 minutes\n"
                + "  k4j drain foo --grace-period=900";
    }

    /** One pod of the node and what the filters decided: delete it, and a warning or an error to report. */
    record Decision(ObjectNode pod, boolean delete, String warning, String error) {
        String ref() {
            return pod.path("metadata").path("namespace").asString() + "/" + pod.path("metadata").path("name")
                    .asString();
        }
    }

    @Override
    protected int run(Invocation inv) {
        String podSelector = inv.flags().string("pod-selector");
        Duration timeout = Invocation.Durations.parse(inv.flags().string("timeout"));
        List<ObjectNode> nodes = Nodes.select(inv, inv.args(), inv.flags().string("selector"), false);
        for (ObjectNode node : nodes) {
            Nodes.cordon(inv, node, true);
        }
        List<String> fatal = new ArrayList<>();
        List<String> remaining = new ArrayList<>();
        for (ObjectNode node : nodes) {
            String name = Nodes.name(node);
            String err = drain(inv, name, podSelector, timeout);
            if (err == null) {
                inv.out().println("node/" + name + " drained");
                continue;
            }
            inv.out().flush();
            inv.err().println("error: unable to drain node \"" + name + "\" due to error: " + err
                    + ", continuing command...");
            fatal.add(err);
            remaining.add(name);
            inv.err().println("There are pending nodes to be drained:");
            remaining.forEach(n -> inv.err().println(" " + n));
        }
        if (fatal.isEmpty()) {
            return 0;
        }
        inv.err().println("error: " + (fatal.size() == 1 ? fatal.get(0) : "[" + String.join(", ", fatal) + "]"));
        return 1;
    }

    /** Drains one node; the error (kubectl's text) or null. */
    private String drain(Invocation inv, String node, String podSelector, Duration timeout) {
        ResourceClient<GenericKubernetesResource> pods = inv.client().dynamic(inv.discovery().resolve("pods")
                .toResourceType());
        ListOptions o = ListOptions.all().withFieldSelector("spec.nodeName=" + node);
        if (podSelector != null && !podSelector.isBlank()) {
            o = o.withLabelSelector(podSelector);
        }
        List<Decision> decisions = new ArrayList<>();
        for (GenericKubernetesResource p : pods.list(null, o).block(Nodes.CALL).getItems()) {
            decisions.add(decide((ObjectNode) Codecs.json().valueToTree(p), inv.flags().bool("force"),
                    inv.flags().bool("ignore-daemonsets"), inv.flags().bool("delete-emptydir-data")));
        }
        String errors = grouped(decisions, true);
        if (!errors.isEmpty()) {
            return errors;
        }
        String warnings = grouped(decisions, false);
        if (!warnings.isEmpty()) {
            inv.out().flush();
            inv.err().println("WARNING: " + warnings);
        }
        List<ObjectNode> victims = decisions.stream().filter(Decision::delete).map(Decision::pod).toList();
        if (victims.isEmpty()) {
            return null;
        }
        Integer grace = inv.flags().integer("grace-period");
        long deadline = timeout.isZero() ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        if (inv.flags().bool("disable-eviction")) {
            return deleteAll(inv, pods, victims, grace, deadline, timeout);
        }
        ExecutorService workers = Executors.newFixedThreadPool(Math.min(victims.size(), 8));
        try {
            List<Future<String>> results = new ArrayList<>();
            for (ObjectNode pod : victims) {
                results.add(workers.submit(() -> evict(inv, pods, pod, grace, deadline, timeout)));
            }
            List<String> errs = new ArrayList<>();
            for (Future<String> f : results) {
                String e = f.get();
                if (e != null) {
                    errs.add(e);
                }
            }
            return errs.isEmpty() ? null : errs.size() == 1 ? errs.get(0) : "[" + String.join(", ", errs) + "]";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (java.util.concurrent.ExecutionException e) {
            return String.valueOf(e.getCause().getMessage());
        } finally {
            workers.shutdownNow();
        }
    }

    /** kubectl's filters, in its order: DaemonSet, mirror, local storage, unreplicated; the last word wins. */
    static Decision decide(ObjectNode pod, boolean force, boolean ignoreDaemonSets, boolean deleteEmptyDir) {
        JsonNode controller = null;
        for (JsonNode ref : pod.path("metadata").path("ownerReferences")) {
            if (ref.path("controller").asBoolean(false)) {
                controller = ref;
            }
        }
        String phase = pod.path("status").path("phase").asString("");
        boolean finished = phase.equals("Succeeded") || phase.equals("Failed");
        if (controller != null && controller.path("kind").asString().equals("DaemonSet")) {
            return ignoreDaemonSets ? new Decision(pod, false, DAEMONSET_WARNING, null)
                    : new Decision(pod, false, null, DAEMONSET_FATAL);
        }
        if (pod.path("metadata").path("annotations").has("kubernetes.io/config.mirror")) {
            return new Decision(pod, false, null, null);
        }
        Decision status = new Decision(pod, true, null, null);
        boolean emptyDir = false;
        for (JsonNode v : pod.path("spec").path("volumes")) {
            emptyDir |= v.has("emptyDir");
        }
        if (!finished && emptyDir) {
            if (!deleteEmptyDir) {
                return new Decision(pod, false, null, LOCAL_STORAGE_FATAL);
            }
            status = new Decision(pod, true, LOCAL_STORAGE_WARNING, null);
        }
        if (finished || controller != null) {
            return new Decision(pod, true, null, null);
        }
        return force ? new Decision(pod, true, UNMANAGED_WARNING, null)
                : new Decision(pod, false, null, UNMANAGED_FATAL);
    }

    /** kubectl's {@code cannot delete MSG: ns/a, ns/b} errors, or {@code MSG: ns/a; MSG2: ns/b} warnings. */
    static String grouped(List<Decision> decisions, boolean errors) {
        Map<String, List<String>> byMessage = new LinkedHashMap<>();
        for (Decision d : decisions) {
            String msg = errors ? d.error() : d.warning();
            if (msg != null) {
                byMessage.computeIfAbsent(msg, k -> new ArrayList<>()).add(d.ref());
            }
        }
        List<String> parts = new ArrayList<>();
        byMessage.forEach((msg, pods) -> parts.add((errors ? "cannot delete " : "") + msg + ": "
                + String.join(", ", pods)));
        if (errors) {
            return parts.isEmpty() ? "" : parts.size() == 1 ? parts.get(0) : "[" + String.join(", ", parts) + "]";
        }
        return String.join("; ", parts);
    }

    /** Evicts one pod, retrying while a disruption budget refuses, and waits for it to go; an error or null. */
    private String evict(Invocation inv, ResourceClient<GenericKubernetesResource> pods, ObjectNode pod,
            Integer grace, long deadline, Duration timeout) throws InterruptedException {
        String ns = pod.path("metadata").path("namespace").asString();
        String name = pod.path("metadata").path("name").asString();
        ObjectNode eviction = Codecs.json().createObjectNode().put("apiVersion", "policy/v1").put("kind", "Eviction");
        eviction.putObject("metadata").put("name", name).put("namespace", ns);
        if (grace != null && grace >= 0) {
            eviction.putObject("deleteOptions").put("gracePeriodSeconds", grace);
        }
        String path = inv.discovery().resolve("pods").objectPath(ns, name) + "/eviction";
        while (true) {
            inv.out().println("evicting pod " + ns + "/" + name);
            if (System.nanoTime() > deadline) {
                return "error when evicting pods/\"" + name + "\" -n \"" + ns + "\": global timeout reached: "
                        + Go.duration(timeout);
            }
            try {
                inv.client().raw().request(HttpMethod.POST, path, MediaType.APPLICATION_JSON,
                        eviction.toString().getBytes(StandardCharsets.UTF_8)).block(Nodes.CALL);
                break;
            } catch (ApiStatusException.NotFound e) {
                return null;
            } catch (ApiStatusException e) {
                if (e.code() != 429) {
                    return "error when evicting pods/\"" + name + "\" -n \"" + ns + "\": " + e.getMessage();
                }
                inv.out().flush();
                inv.err().println("error when evicting pods/\"" + name + "\" -n \"" + ns + "\" (will retry after "
                        + Go.duration(EVICT_RETRY) + "): " + e.getMessage());
                Thread.sleep(EVICT_RETRY.toMillis());
            }
        }
        String uid = pod.path("metadata").path("uid").asString();
        String err = awaitGone(pods, ns, name, uid, deadline);
        if (err != null) {
            return "error when waiting for pod \"" + name + "\" in namespace \"" + ns + "\" to terminate: " + err;
        }
        inv.out().println("pod/" + name + " evicted");
        return null;
    }

    /** {@code --disable-eviction}: deletes every pod, then waits for each to go. */
    private String deleteAll(Invocation inv, ResourceClient<GenericKubernetesResource> pods, List<ObjectNode> victims,
            Integer grace, long deadline, Duration timeout) {
        DeleteOptions options = new DeleteOptions(grace != null && grace >= 0 ? Long.valueOf(grace) : null, null,
                null, null);
        for (ObjectNode pod : victims) {
            try {
                pods.delete(pod.path("metadata").path("namespace").asString(),
                        pod.path("metadata").path("name").asString(), options).block(Nodes.CALL);
            } catch (ApiStatusException.NotFound ignored) {
                // gone already
            }
        }
        for (ObjectNode pod : victims) {
            String ns = pod.path("metadata").path("namespace").asString();
            String name = pod.path("metadata").path("name").asString();
            String err = awaitGone(pods, ns, name, pod.path("metadata").path("uid").asString(), deadline);
            if (err != null) {
                return err.equals(TIMEOUT) ? "drain did not complete within " + Go.duration(timeout) : err;
            }
            inv.out().println("pod/" + name + " deleted");
        }
        return null;
    }

    private static final String TIMEOUT = "timeout";

    /** Polls (as kubectl does, every second) until the pod is gone or replaced; an error or null. */
    private static String awaitGone(ResourceClient<GenericKubernetesResource> pods, String ns, String name, String uid,
            long deadline) {
        while (true) {
            try {
                GenericKubernetesResource p = pods.get(ns, name).block(Nodes.CALL);
                if (p == null || !uid.equals(p.getMetadata().getUid())) {
                    return null;
                }
            } catch (ApiStatusException.NotFound e) {
                return null;
            } catch (ApiStatusException e) {
                return e.getMessage();
            }
            if (System.nanoTime() > deadline) {
                return TIMEOUT;
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        }
    }

    /** Go's {@code time.Duration} String for whole seconds: {@code 5s}, {@code 1m0s}, {@code 1h0m0s}. */
    static final class Go {
        private Go() {
        }

        static String duration(Duration d) {
            long s = d.toSeconds();
            if (s < 60) {
                return s + "s";
            }
            if (s < 3600) {
                return s / 60 + "m" + s % 60 + "s";
            }
            return s / 3600 + "h" + (s % 3600) / 60 + "m" + s % 60 + "s";
        }
    }
}
