package io.kube4j.cli.commands.rollout;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.api.ApiResource;
import io.kube4j.cli.api.ResourceArgs;
import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.UsageException;
import io.kube4j.client.ListOptions;
import io.kube4j.client.PatchType;
import io.kube4j.client.ResourceClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What the rollout and scale commands share: resolving {@code TYPE/NAME} or {@code TYPE NAME} arguments to objects
 * (read as Jackson trees), a Deployment's ReplicaSets and their revisions, and merge patches.
 */
public final class Workloads {

    /** How long one API call may take. */
    static final Duration CALL = Duration.ofSeconds(60);
    /** The annotation the deployment controller numbers ReplicaSets (and the Deployment) with. */
    public static final String REVISION = "deployment.kubernetes.io/revision";
    public static final String CHANGE_CAUSE = "kubernetes.io/change-cause";
    public static final String POD_TEMPLATE_HASH = "pod-template-hash";

    private Workloads() {
    }

    /** One object of the arguments: its resource and its current state. */
    public record Obj(ApiResource resource, String namespace, ObjectNode tree) {
        public String name() {
            return tree.path("metadata").path("name").asString();
        }

        /** {@code deployment.apps/web}: how kubectl names it in its messages. */
        public String ref() {
            return resource.qualifiedKind() + "/" + name();
        }
    }

    /**
     * The objects the arguments name ({@code TYPE/NAME...} or {@code TYPE NAME...}; {@code TYPE} alone: every object of
     * that type in the namespace, or those {@code selector} selects).
     */
    static List<Obj> objects(Invocation inv, List<String> args, String selector, boolean all) {
        if (args.isEmpty()) {
            throw new UsageException("required resource not specified");
        }
        String ns = inv.namespace();
        List<Obj> out = new ArrayList<>();
        for (ResourceArgs.Target t : ResourceArgs.parse(args, inv.discovery())) {
            ResourceClient<GenericKubernetesResource> rc = client(inv, t.resource());
            if (t.name() != null) {
                out.add(new Obj(t.resource(), ns, tree(rc.get(ns, t.name()).block(CALL))));
                continue;
            }
            if ((selector == null || selector.isBlank()) && !all) {
                throw new UsageException("resource(s) were provided, but no name was specified");
            }
            ListOptions o = selector == null || selector.isBlank() ? ListOptions.all()
                    : ListOptions.all().withLabelSelector(selector);
            rc.list(ns, o).block(CALL).getItems().stream().map(Workloads::tree)
                    .sorted(Comparator.comparing(n -> n.path("metadata").path("name").asString()))
                    .forEach(n -> out.add(new Obj(t.resource(), ns, n)));
        }
        if (out.isEmpty()) {
            throw new CliException("no objects passed to " + inv.command().replace("rollout ", ""));
        }
        return out;
    }

    /** Exactly one object ({@code rollout status}, {@code rollout undo}). */
    static Obj one(Invocation inv) {
        List<ResourceArgs.Target> targets = ResourceArgs.parse(requireArgs(inv.args()), inv.discovery());
        if (targets.size() != 1 || targets.get(0).name() == null) {
            throw new UsageException("only one resource may be named: TYPE/NAME or TYPE NAME");
        }
        ResourceArgs.Target t = targets.get(0);
        String ns = inv.namespace();
        return new Obj(t.resource(), ns, tree(client(inv, t.resource()).get(ns, t.name()).block(CALL)));
    }

    private static List<String> requireArgs(List<String> args) {
        if (args.isEmpty()) {
            throw new UsageException("required resource not specified");
        }
        return args;
    }

    static ResourceClient<GenericKubernetesResource> client(Invocation inv, ApiResource r) {
        return inv.client().dynamic(r.toResourceType());
    }

    static ObjectNode tree(GenericKubernetesResource g) {
        return (ObjectNode) Codecs.json().valueToTree(g);
    }

    static ObjectNode mergePatch(Invocation inv, Obj o, JsonNode patch) {
        return tree(client(inv, o.resource()).patch(o.namespace(), o.name(), PatchType.MERGE, patch.toString())
                .block(CALL));
    }

    static boolean isKind(Obj o, String group, String kind) {
        return o.resource().group().equals(group) && o.resource().kind().equals(kind);
    }

    /** {@code Deployment.apps}, {@code Pod}: kubectl's GroupKind string. */
    static String groupKind(ApiResource r) {
        return r.group().isEmpty() ? r.kind() : r.kind() + "." + r.group();
    }

    /** The ReplicaSets a Deployment controls (by controller owner reference), newest revision last. */
    static List<ObjectNode> replicaSetsOf(Invocation inv, Obj deployment) {
        ApiResource rs = inv.discovery().forKind("apps/v1", "ReplicaSet")
                .orElseThrow(() -> new CliException("the server does not serve apps/v1 ReplicaSets"));
        String uid = deployment.tree().path("metadata").path("uid").asString();
        List<ObjectNode> out = new ArrayList<>();
        for (GenericKubernetesResource g : client(inv, rs).list(deployment.namespace(), ListOptions.all()).block(CALL)
                .getItems()) {
            ObjectNode n = tree(g);
            for (JsonNode ref : n.path("metadata").path("ownerReferences")) {
                if (uid.equals(ref.path("uid").asString()) && ref.path("controller").asBoolean(false)) {
                    out.add(n);
                    break;
                }
            }
        }
        out.sort(Comparator.comparingLong(Workloads::revision));
        return out;
    }

    /** Whether the object keeps its history as ControllerRevisions (a StatefulSet or a DaemonSet). */
    static boolean hasControllerRevisions(Obj o) {
        return isKind(o, "apps", "StatefulSet") || isKind(o, "apps", "DaemonSet");
    }

    /**
     * The ControllerRevisions a StatefulSet or DaemonSet controls (by controller owner reference, as kubectl's
     * {@code controlledHistories}), lowest revision first.
     */
    static List<ObjectNode> controllerRevisionsOf(Invocation inv, Obj owner) {
        ApiResource cr = inv.discovery().forKind("apps/v1", "ControllerRevision")
                .orElseThrow(() -> new CliException("the server does not serve apps/v1 ControllerRevisions"));
        String uid = owner.tree().path("metadata").path("uid").asString();
        List<ObjectNode> out = new ArrayList<>();
        for (GenericKubernetesResource g : client(inv, cr).list(owner.namespace(), ListOptions.all()).block(CALL)
                .getItems()) {
            ObjectNode n = tree(g);
            for (JsonNode ref : n.path("metadata").path("ownerReferences")) {
                if (uid.equals(ref.path("uid").asString()) && ref.path("controller").asBoolean(false)) {
                    out.add(n);
                    break;
                }
            }
        }
        out.sort(Comparator.comparingLong(r -> r.path("revision").asLong(0)));
        return out;
    }

    /**
     * The pod template a ControllerRevision restores: its data is the strategic merge patch
     * {@code {"spec":{"template":{...,"$patch":"replace"}}}}, so applying it replaces the template with this.
     */
    static ObjectNode revisionTemplate(JsonNode controllerRevision) {
        JsonNode t = controllerRevision.path("data").path("spec").path("template");
        ObjectNode out = t.isObject() ? (ObjectNode) t.deepCopy() : Codecs.json().createObjectNode();
        out.remove("$patch");
        return out;
    }

    /** The revision annotation of a Deployment or ReplicaSet (0 when absent or not a number). */
    static long revision(JsonNode obj) {
        String v = obj.path("metadata").path("annotations").path(REVISION).asString("");
        try {
            return v.isEmpty() ? 0 : Long.parseLong(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
