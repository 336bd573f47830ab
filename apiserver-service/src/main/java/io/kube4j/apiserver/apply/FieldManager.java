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
        for (Manager m : managed.managers()) {
            m.fields = m.fields.difference(taken).difference(cmp.removed());
        }
        if (!taken.isEmpty()) {
            Manager own = managed.find(manager, ManagedFields.UPDATE, t.apiVersion(), sub);
            FieldSet set = own == null ? taken : own.fields.union(taken);
            managed.put(manager, ManagedFields.UPDATE, t.apiVersion(), sub, ResourceStore.now(), set);
        }
        next.getMetadata().setManagedFields(orNull(managed.encode()));
    }

    private static ManagedFields baseManagers(ResourceType t, HasMetadata old, HasMetadata next, boolean subresource) {
        List<ManagedFieldsEntry> sent = next.getMetadata().getManagedFields();
        if (!subresource && sent != null && !sent.isEmpty()) {
            try {
                return ManagedFields.decode(sent);
            } catch (IllegalArgumentException e) {
                throw new ApiException(422, "Invalid", t.kind() + " \"" + next.getMetadata().getName()
                        + "\" is invalid: " + e.getMessage());
            }
        }
        return old == null ? ManagedFields.empty() : ManagedFields.decode(old.getMetadata().getManagedFields());
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
        FieldSet lastSet = previous == null ? null : previous.fields;
        managed.put(manager, ManagedFields.APPLY, t.apiVersion(), sub, ResourceStore.now(), applied);
        if (lastSet != null && !lastSet.isEmpty()) {
            FieldSet owned = new FieldSet();
            managed.managers().forEach(m -> owned.addAll(m.fields));
            FieldWalker.prune(merged, lastSet.difference(owned), owned, schema);
        }

        Comparison cmp = FieldWalker.compare(before, strip(merged.deepCopy()), schema);
        FieldSet changed = cmp.modified().union(cmp.added());
        Map<String, List<String>> conflicts = new TreeMap<>();
        List<StatusCause> causes = new ArrayList<>();
        for (Manager m : managed.managers()) {
            if (m.sameIdentity(manager, ManagedFields.APPLY, null, sub)) {
                continue;
            }
            FieldSet conflict = m.fields.intersection(changed);
            if (!conflict.isEmpty()) {
                for (List<String> path : conflict.paths()) {
                    String field = FieldSet.display(path);
                    conflicts.computeIfAbsent(m.describe(), k -> new ArrayList<>()).add(field);
                    causes.add(new StatusCause(field, "conflict with " + m.describe(), "FieldManagerConflict"));
                }
                m.fields = m.fields.difference(conflict);
            }
            m.fields = m.fields.difference(cmp.removed());
        }
        if (!force && !causes.isEmpty()) {
            throw new ApiException(409, "Conflict", conflictMessage(conflicts, causes.size()), null, null, null,
                    causes, null);
        }
        return new Applied(merged, orNull(managed.encode()));
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
