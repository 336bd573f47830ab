package io.kube4j.apiserver.apply;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.apply.FieldWalker.Comparison;
import io.kube4j.apiserver.apply.ManagedFields.Manager;
import io.kube4j.apiserver.registry.ResourceStore;
import io.kube4j.apiserver.rest.ApiException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Server-side apply and {@code metadata.managedFields} bookkeeping, as Kubernetes' apiserver {@code fieldmanager}
 * over structured-merge-diff's {@code merge.Updater}: every write records which manager set which fields
 * ({@link #update}), and an apply merges a manager's configuration into the live object, with conflicts against
 * other managers' fields and removal of the fields the manager stopped applying ({@link #apply}).
 */
public final class FieldManager {

    /** The manager Kubernetes credits with an object's fields when the first apply meets an untracked object. */
    static final String BEFORE_FIRST_APPLY = "before-first-apply";
    /** The manager whose applies Kubernetes lets take over from client-side apply. */
    static final String KUBECTL = "kubectl";
    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    private FieldManager() {
    }

    /**
     * Records an {@code Update} by {@code manager} that turned {@code old} (null for a create) into {@code next}:
     * the fields it added or changed become its own and leave other managers; fields it removed leave everyone.
     * {@code next}'s own managedFields, when the writer sent a non-empty list, replace the live ones first (a
     * subresource write cannot). Sets {@code next}'s managedFields.
     */
    public static void update(ResourceType t, HasMetadata old, HasMetadata next, String manager, String subresource) {
        String sub = subresource == null ? "" : subresource;
        ManagedFields managed = baseManagers(t, old, next, !sub.isEmpty());
        FieldSchema schema = FieldSchema.forKind(t.apiVersion(), t.kind());
        JsonNode after = stripped(next);
        JsonNode before = old == null ? zeroObject(after) : stripped(old);
        Comparison cmp = FieldWalker.compare(before, after, schema);
        FieldSet taken = cmp.added().union(cmp.modified());
        FieldSet metadata = taken.get("f:metadata");
        if (metadata != null) {
            metadata.member(false); // stripped as a whole, as Kubernetes' stripMetaManager
        }
        FieldSet changed = taken.union(cmp.removed());
        for (Manager m : managed.managers()) {
            if (m.intersects(changed)) {
                m.fields(m.fields().difference(changed));
            }
        }
        if (!taken.isEmpty()) {
            Manager own = managed.find(manager, ManagedFields.UPDATE, t.apiVersion(), sub);
            FieldSet set = own == null ? taken : own.fields().union(taken);
            managed.put(manager, ManagedFields.UPDATE, t.apiVersion(), sub, ResourceStore.now(), set);
        }
        next.getMetadata().setManagedFields(orNull(managed.encode()));
    }

    private static ManagedFields baseManagers(ResourceType t, HasMetadata old, HasMetadata next, boolean subresource) {
        List<ManagedFieldsEntry> sent = next.getMetadata().getManagedFields();
        if (!subresource && sent != null && !sent.isEmpty()) {
            try {
                List<ManagedFieldsEntry> live = old == null ? null : old.getMetadata().getManagedFields();
                // entries sent back as read (a patch, a read-modify-write) were checked when stored
                return ManagedFields.decode(sent, !sent.equals(live));
            } catch (IllegalArgumentException e) {
                throw new ApiException(422, "Invalid", t.kind() + " \"" + next.getMetadata().getName()
                        + "\" is invalid: " + e.getMessage());
            }
        }
        return old == null ? ManagedFields.empty() : ManagedFields.decode(old.getMetadata().getManagedFields(), false);
    }

    /** What an apply produced: the merged object (before defaulting) and the managedFields to store with it. */
    public record Applied(ObjectNode object, List<ManagedFieldsEntry> managedFields) {
    }

    /**
     * Applies {@code config} for {@code manager} to {@code live} (null: the object does not exist yet). Conflicts
     * with fields other managers own and this apply would change are a 409 unless {@code force}, which takes them
     * over; fields this manager applied before and left out now are removed unless someone else owns them.
     *
     * @param statusOnly whether this is an apply to the status subresource (only status fields count)
     */
    public static Applied apply(ResourceType t, HasMetadata live, JsonNode config, String manager, boolean force,
                                boolean statusOnly) {
        FieldSchema schema = FieldSchema.forKind(t.apiVersion(), t.kind());
        try {
            FieldWalker.checkConfig(config, schema, "");
        } catch (IllegalArgumentException e) {
            throw new ApiException(422, "Invalid", t.kind() + " is invalid: " + e.getMessage());
        }
        String sub = statusOnly ? "status" : "";
        ObjectNode liveTree = live == null ? Codecs.json().createObjectNode() : Codecs.json().valueToTree(live);
        ManagedFields managed = live == null ? ManagedFields.empty()
                : ManagedFields.decode(live.getMetadata().getManagedFields());
        ObjectNode before = strip(liveTree.deepCopy());
        if (live != null && managed.managers().isEmpty()) {
            // as Kubernetes: an object nobody tracked is owned by a stand-in updater, so applying over it conflicts
            FieldSet all = FieldWalker.fieldSet(before, schema);
            if (!all.isEmpty()) {
                managed.put(BEFORE_FIRST_APPLY, ManagedFields.UPDATE, t.apiVersion(), "", ResourceStore.now(), all);
            }
        }
        if (liveTree.get("metadata") instanceof ObjectNode m) {
            m.remove("managedFields");
        }
        ObjectNode merged = FieldWalker.merge(liveTree, config, schema);

        FieldSet applied = ownable(t, FieldWalker.fieldSet(strip((ObjectNode) config.deepCopy()), schema), statusOnly);
        Manager previous = managed.find(manager, ManagedFields.APPLY, null, sub);
        FieldSet lastSet = previous == null ? null : previous.fields();
        managed.put(manager, ManagedFields.APPLY, t.apiVersion(), sub, ResourceStore.now(), applied);
        if (lastSet != null && !lastSet.isEmpty()) {
            FieldSet owned = new FieldSet();
            managed.managers().forEach(m -> owned.addAll(m.fields()));
            FieldWalker.prune(merged, lastSet.difference(owned), owned, schema);
        }

        Comparison cmp = FieldWalker.compare(before, strip(merged.deepCopy()), schema);
        FieldSet changed = cmp.modified().union(cmp.added());
        List<Conflict> conflicts = new ArrayList<>();
        for (Manager m : managed.managers()) {
            if (m.sameIdentity(manager, ManagedFields.APPLY, null, sub)) {
                continue;
            }
            FieldSet conflict = m.fields().intersection(changed);
            conflict.paths().forEach(p -> conflicts.add(new Conflict(m, p)));
            m.fields(m.fields().difference(conflict).difference(cmp.removed()));
        }
        if (!force && !conflicts.isEmpty()) {
            FieldSet allowed = manager.equals(KUBECTL) ? unchangedSinceClientSideApply(before, liveTree, schema) : null;
            List<Conflict> remaining = conflicts.stream()
                    .filter(c -> allowed == null || !allowed.contains(c.path().toArray(String[]::new))).toList();
            if (!remaining.isEmpty()) {
                throw conflictError(remaining);
            }
        }
        if (manager.equals(KUBECTL) && !liveTree.path("metadata").path("annotations").path(LAST_APPLIED).isMissingNode()) {
            syncLastApplied(merged, config);
        }
        return new Applied(merged, orNull(managed.encode()));
    }

    /** One field another manager owns that an apply would change. */
    private record Conflict(Manager manager, List<String> path) {
    }

    private static ApiException conflictError(List<Conflict> conflicts) {
        Map<String, List<String>> byManager = new TreeMap<>();
        List<StatusCause> causes = new ArrayList<>();
        for (Conflict c : conflicts) {
            String field = FieldSet.display(c.path());
            byManager.computeIfAbsent(c.manager().describe(), k -> new ArrayList<>()).add(field);
            causes.add(new StatusCause(field, "conflict with " + c.manager().describe(), "FieldManagerConflict"));
        }
        return new ApiException(409, "Conflict", conflictMessage(byManager, conflicts.size()), null, null, null,
                causes, null);
    }

    /**
     * Kubernetes' {@code lastAppliedManager}: kubectl's first server-side apply over an object it applied client-side
     * may take over, without {@code --force-conflicts}, the fields of the last-applied configuration whose live value
     * is still the one client-side apply set. Null when the object has no (readable) last-applied configuration.
     */
    private static FieldSet unchangedSinceClientSideApply(JsonNode live, JsonNode liveWithMeta, FieldSchema schema) {
        JsonNode text = liveWithMeta.path("metadata").path("annotations").path(LAST_APPLIED);
        if (!text.isString() || text.asString().isEmpty()) {
            return null;
        }
        ObjectNode lastApplied;
        try {
            JsonNode parsed = Codecs.json().readTree(text.asString());
            if (!(parsed instanceof ObjectNode o)) {
                return null;
            }
            lastApplied = strip(o);
        } catch (tools.jackson.core.JacksonException e) {
            return null;
        }
        Comparison differs = FieldWalker.compare(live, lastApplied, schema);
        return FieldWalker.fieldSet(lastApplied, schema).difference(differs.modified()).difference(differs.added());
    }

    /**
     * Kubernetes' {@code lastAppliedUpdater}: a server-side apply by kubectl keeps the client-side last-applied
     * annotation in step with the applied configuration, so a later client-side apply computes the right patch.
     */
    private static void syncLastApplied(ObjectNode merged, JsonNode config) {
        ObjectNode applied = (ObjectNode) config.deepCopy();
        if (applied.get("metadata") instanceof ObjectNode m && m.get("annotations") instanceof ObjectNode a) {
            a.remove(LAST_APPLIED);
            if (a.isEmpty()) {
                m.remove("annotations");
            }
        }
        ((ObjectNode) merged.get("metadata")).withObjectProperty("annotations")
                .put(LAST_APPLIED, Codecs.json().writeValueAsString(applied) + "\n");
    }

    /** Kubernetes' {@code getConflictMessage}. */
    private static String conflictMessage(Map<String, List<String>> byManager, int count) {
        if (count == 1) {
            Map.Entry<String, List<String>> e = byManager.entrySet().iterator().next();
            return "Apply failed with 1 conflict: conflict with " + e.getKey() + ": " + e.getValue().get(0);
        }
        List<String> lines = new ArrayList<>();
        byManager.forEach((m, fields) -> {
            lines.add("conflicts with " + m + ":");
            fields.forEach(f -> lines.add("- " + f));
        });
        return "Apply failed with " + count + " conflicts: " + String.join("\n", lines);
    }

    /** The applied fields a manager can own: a main-resource apply never owns status, a status apply only status. */
    private static FieldSet ownable(ResourceType t, FieldSet set, boolean statusOnly) {
        if (statusOnly) {
            FieldSet out = new FieldSet();
            FieldSet status = set.get("f:status");
            if (status != null) {
                out.children().put("f:status", status);
            }
            return out;
        }
        if (t.hasSubresource("status")) {
            set.children().remove("f:status");
        }
        return set;
    }

    /**
     * What a create compares against: Kubernetes compares with the Go zero value of the type, in which the
     * top-level structs (metadata, spec, status) are present and empty, so a create does not own them as a whole.
     */
    private static JsonNode zeroObject(JsonNode created) {
        ObjectNode zero = Codecs.json().createObjectNode();
        for (String f : List.of("metadata", "spec", "status")) {
            if (created.path(f).isObject()) {
                zero.putObject(f);
            }
        }
        return zero;
    }

    private static JsonNode stripped(HasMetadata obj) {
        return strip(Codecs.json().valueToTree(obj));
    }

    /** Leaves out what no manager owns (Kubernetes' stripMetaManager): type, identity and server bookkeeping. */
    static ObjectNode strip(ObjectNode tree) {
        tree.remove("apiVersion");
        tree.remove("kind");
        if (tree.get("metadata") instanceof ObjectNode m) {
            for (String f : List.of("name", "namespace", "creationTimestamp", "selfLink", "uid", "generation",
                    "managedFields", "resourceVersion")) {
                m.remove(f);
            }
            if (m.isEmpty()) {
                tree.remove("metadata");
            }
        }
        return tree;
    }

    private static <T> List<T> orNull(List<T> l) {
        return l.isEmpty() ? null : l;
    }
}
