package io.kube4j.cli.commands.describe;

import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.api.ApiResource;
import io.kube4j.cli.api.Discovery;
import io.kube4j.cli.api.Fetch;
import io.kube4j.cli.api.ResourceArgs;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.KubeClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

import static io.kube4j.cli.api.Trees.controllerUid;
import static io.kube4j.cli.api.Trees.formatSelector;
import static io.kube4j.cli.api.Trees.text;

/**
 * {@code k4j describe TYPE NAME | TYPE/NAME | TYPE -l SEL | TYPE}: kubectl's describe — a name that matches no
 * object is taken as a prefix, several objects are separated by a blank line, and each kind has kubectl's layout
 * ({@link Describers}); other kinds get the generic field listing. Events at the end are those whose involved
 * object is this one (kubectl's field selector on name, namespace, kind and uid).
 */
@Component
public class DescribeCommand extends KubeCommand {

    public DescribeCommand() {
        super("describe", "Show details of a specific resource or group of resources");
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.string("-l, --selector", "SELECTOR", null, "Selector (label query) to filter on");
        b.bool("-A, --all-namespaces", "If present, list the requested object(s) across all namespaces");
        b.boolDefaultTrue("--show-events", "If true, display events related to the described object.");
        b.positionals("TYPE [NAME_PREFIX] | TYPE/NAME", "what to describe");
    }

    @Override
    protected String examples() {
        return """
                  # Describe a node
                  k4j describe nodes kubernetes-node-emt8.c.myproject.internal

                  # Describe a pod
                  k4j describe pods/nginx

                  # Describe all pods
                  k4j describe pods

                  # Describe pods by label name=myLabel
                  k4j describe pods -l name=myLabel
                """;
    }

    @Override
    protected int run(Invocation inv) {
        if (inv.args().isEmpty()) {
            throw new io.kube4j.cli.command.UsageException("You must specify the type of resource to describe. Use "
                    + "\"k4j api-resources\" for a complete list of supported resources.");
        }
        Discovery discovery = inv.discovery();
        List<ResourceArgs.Target> targets = ResourceArgs.parse(inv.args(), discovery);
        KubeClient client = inv.client();
        boolean all = inv.flags().bool("all-namespaces");
        String selector = inv.flags().string("selector");
        String ns = inv.namespace();
        List<JsonNode> objects = new ArrayList<>();
        List<ApiResource> kinds = new ArrayList<>();
        RuntimeException firstError = null;
        for (ResourceArgs.Target t : targets) {
            ApiResource r = t.resource();
            String listNs = r.namespaced() ? (all ? null : ns) : null;
            if (t.name() == null) {
                for (JsonNode o : Fetch.list(client, r, listNs, selector, null)) {
                    objects.add(o);
                    kinds.add(r);
                }
                continue;
            }
            try {
                objects.add(Fetch.object(client, r, ns, t.name()));
                kinds.add(r);
            } catch (ApiStatusException.NotFound e) {
                // kubectl: a name that is no object is a prefix of the objects to describe
                List<JsonNode> matches = Fetch.list(client, r, listNs, selector, null).stream()
                        .filter(o -> text(o, "metadata.name").startsWith(t.name())).toList();
                if (matches.isEmpty()) {
                    if (firstError == null) {
                        firstError = e;
                    }
                    inv.err().println(serverError(e));
                }
                matches.forEach(o -> {
                    objects.add(o);
                    kinds.add(r);
                });
            }
        }
        Describers d = new Describers(Instant.now());
        boolean events = inv.flags().bool("show-events");
        for (int i = 0; i < objects.size(); i++) {
            String s = describe(client, discovery, d, kinds.get(i), objects.get(i), events);
            inv.out().print(i == 0 ? s : "\n\n" + s);
        }
        if (firstError != null) {
            return 1;
        }
        if (objects.isEmpty()) {
            boolean namespaced = targets.stream().anyMatch(t -> t.resource().namespaced());
            inv.err().println(all || !namespaced ? "No resources found" : "No resources found in " + ns + " namespace.");
        }
        return 0;
    }

    /** One object's description, fetching what its describer needs. */
    static String describe(KubeClient client, Discovery discovery, Describers d, ApiResource r, JsonNode obj,
                           boolean showEvents) {
        String ns = text(obj, "metadata.namespace");
        List<JsonNode> events = showEvents ? events(client, discovery, obj) : null;
        String gk = r.group() + "/" + r.kind();
        switch (gk) {
            case "/Pod" -> {
                return d.pod(obj, events);
            }
            case "apps/Deployment" -> {
                List<JsonNode> owned = owned(client, discovery, "replicasets.apps", ns, obj);
                JsonNode newRs = newReplicaSet(obj, owned);
                List<JsonNode> old = owned.stream().filter(rs -> rs != newRs).toList();
                return d.deployment(obj, old, newRs, events);
            }
            case "apps/ReplicaSet" -> {
                return d.replicaSet(obj, podPhases(client, discovery, obj), events);
            }
            case "apps/StatefulSet" -> {
                return d.statefulSet(obj, podPhases(client, discovery, obj), events);
            }
            case "apps/DaemonSet" -> {
                return d.daemonSet(obj, podPhases(client, discovery, obj), events);
            }
            case "batch/Job" -> {
                return d.job(obj, events);
            }
            case "batch/CronJob" -> {
                return d.cronJob(obj, events);
            }
            case "autoscaling/HorizontalPodAutoscaler" -> {
                return d.horizontalPodAutoscaler(obj, events);
            }
            case "/PersistentVolume" -> {
                return d.persistentVolume(obj, events);
            }
            case "/PersistentVolumeClaim" -> {
                return d.persistentVolumeClaim(obj, claimUsers(list(client, discovery, "pods", ns, null), obj),
                        events);
            }
            case "storage.k8s.io/StorageClass" -> {
                return d.storageClass(obj, events);
            }
            case "/Service" -> {
                List<JsonNode> slices = list(client, discovery, "endpointslices.discovery.k8s.io", ns,
                        "kubernetes.io/service-name=" + text(obj, "metadata.name"));
                return d.service(obj, slices, events);
            }
            case "/Node" -> {
                JsonNode lease = null;
                String leaseError = null;
                try {
                    lease = discovery.find("leases.coordination.k8s.io").map(l -> Fetch.object(client, l,
                            "kube-node-lease", text(obj, "metadata.name"))).orElse(null);
                } catch (ApiStatusException e) {
                    leaseError = e.getMessage();
                }
                List<JsonNode> pods = discovery.find("pods").map(p -> Fetch.list(client, p, null, null,
                        "spec.nodeName=" + text(obj, "metadata.name")
                                + ",status.phase!=Failed,status.phase!=Succeeded")).orElse(List.of());
                return d.node(obj, lease, leaseError, pods, events);
            }
            case "/Namespace" -> {
                String name = text(obj, "metadata.name");
                return d.namespace(obj, listOrNull(client, discovery, "resourcequotas", name),
                        listOrNull(client, discovery, "limitranges", name));
            }
            default -> {
                return d.generic(obj, events);
            }
        }
    }

    /**
     * kubectl's getPodStatusForController: the pods matching the controller's selector that it controls, counted by
     * phase as {@code running, waiting (pending), succeeded, failed}.
     */
    private static int[] podPhases(KubeClient client, Discovery discovery, JsonNode controller) {
        int[] phases = new int[4];
        String uid = text(controller, "metadata.uid");
        String ns = text(controller, "metadata.namespace");
        for (JsonNode p : list(client, discovery, "pods", ns, formatSelector(controller.path("spec").path("selector")))) {
            if (!controllerUid(p).equals(uid)) {
                continue;
            }
            switch (text(p, "status.phase")) {
                case "Running" -> phases[0]++;
                case "Pending" -> phases[1]++;
                case "Succeeded" -> phases[2]++;
                case "Failed" -> phases[3]++;
                default -> { }
            }
        }
        return phases;
    }

    /** kubectl's getPodsForPVC: the names of the pods that mount the claim, then of a pod that owns it. */
    static List<String> claimUsers(List<JsonNode> pods, JsonNode pvc) {
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
        String claim = text(pvc, "metadata.name");
        for (JsonNode p : pods) {
            for (JsonNode v : p.path("spec").path("volumes")) {
                if (claim.equals(text(v, "persistentVolumeClaim.claimName"))) {
                    names.add(text(p, "metadata.name"));
                }
            }
        }
        for (JsonNode ref : pvc.path("metadata").path("ownerReferences")) {
            if (text(ref, "kind").equals("Pod")) {
                pods.stream().filter(p -> text(p, "metadata.uid").equals(text(ref, "uid"))).findFirst()
                        .ifPresent(p -> names.add(text(p, "metadata.name")));
            }
        }
        return List.copyOf(names);
    }

    /** The events about {@code obj}: kubectl's field selector on the involved object. */
    static List<JsonNode> events(KubeClient client, Discovery discovery, JsonNode obj) {
        ApiResource ev = discovery.find("events").filter(e -> e.group().isEmpty()).orElse(null);
        if (ev == null) {
            return List.of();
        }
        String ns = text(obj, "metadata.namespace");
        StringBuilder sel = new StringBuilder();
        sel.append("involvedObject.name=").append(text(obj, "metadata.name"));
        sel.append(",involvedObject.namespace=").append(ns);
        if (!text(obj, "kind").isEmpty()) {
            sel.append(",involvedObject.kind=").append(text(obj, "kind"));
        }
        if (!text(obj, "metadata.uid").isEmpty()) {
            sel.append(",involvedObject.uid=").append(text(obj, "metadata.uid"));
        }
        try {
            return Fetch.list(client, ev, ns.isEmpty() ? null : ns, null, sel.toString());
        } catch (ApiStatusException e) {
            return List.of();
        }
    }

    private static List<JsonNode> list(KubeClient client, Discovery discovery, String resource, String ns,
                                       String labelSelector) {
        return discovery.find(resource).map(r -> Fetch.list(client, r, ns, labelSelector, null)).orElse(List.of());
    }

    private static List<JsonNode> listOrNull(KubeClient client, Discovery discovery, String resource, String ns) {
        try {
            return discovery.find(resource).map(r -> Fetch.list(client, r, ns, null, null)).orElse(null);
        } catch (ApiStatusException e) {
            return null;
        }
    }

    /** The namespace's objects of {@code resource} controlled by {@code owner}, oldest first. */
    private static List<JsonNode> owned(KubeClient client, Discovery discovery, String resource, String ns,
                                        JsonNode owner) {
        String uid = text(owner, "metadata.uid");
        return list(client, discovery, resource, ns, null).stream()
                .filter(o -> controllerUid(o).equals(uid))
                .sorted(Comparator.comparing((JsonNode o) -> text(o, "metadata.creationTimestamp"))
                        .thenComparing(o -> text(o, "metadata.name")))
                .toList();
    }

    /** deploymentutil.FindNewReplicaSet: the oldest ReplicaSet whose pod template equals the Deployment's. */
    static JsonNode newReplicaSet(JsonNode deployment, List<JsonNode> owned) {
        JsonNode want = withoutHash(deployment.path("spec").path("template"));
        for (JsonNode rs : owned) {
            if (Objects.equals(withoutHash(rs.path("spec").path("template")), want)) {
                return rs;
            }
        }
        return null;
    }

    private static JsonNode withoutHash(JsonNode template) {
        JsonNode copy = template.deepCopy();
        if (copy.path("metadata").path("labels") instanceof tools.jackson.databind.node.ObjectNode labels) {
            labels.remove("pod-template-hash");
            if (labels.isEmpty()) {
                ((tools.jackson.databind.node.ObjectNode) copy.path("metadata")).remove("labels");
            }
        }
        if (copy.path("metadata") instanceof tools.jackson.databind.node.ObjectNode m && m.isEmpty()
                && copy instanceof tools.jackson.databind.node.ObjectNode o) {
            o.remove("metadata");
        }
        return Codecs.json().valueToTree(copy);
    }
}
