package io.kube4j.apiserver.apply;

import io.kube4j.api.patch.PatchMetaTable;
import io.kube4j.api.patch.PatchSchema;

import java.util.List;

/**
 * What server-side apply needs to know about a type: for each field, how its lists merge — Kubernetes'
 * {@code x-kubernetes-list-type} ({@code map} with its {@code list-map-keys}, {@code set}, {@code atomic}).
 * Derived from the strategic-merge-patch metadata ({@link PatchMetaTable}): a list with a merge key is a map keyed
 * by it, a merging list without one is a set, any other list is atomic; maps (structs and string maps) merge field by
 * field. Where the OpenAPI keys differ from the patch merge key (ports are keyed by port and protocol), the keys
 * are widened here. A kind without metadata (custom resources) gets the generic schema: lists atomic, maps granular.
 */
public final class FieldSchema {

    /** How a list merges and identifies its items. */
    public enum ListType { ATOMIC, SET, MAP }

    private static final FieldSchema GENERIC = new FieldSchema(PatchSchema.generic());

    private final PatchSchema patch;

    private FieldSchema(PatchSchema patch) {
        this.patch = patch;
    }

    /** The schema of a kind ({@code apiVersion} like {@code apps/v1}). */
    public static FieldSchema forKind(String apiVersion, String kind) {
        return PatchMetaTable.builtin().forKind(apiVersion, kind).map(FieldSchema::new).orElse(GENERIC);
    }

    public static FieldSchema of(PatchSchema patch) {
        return new FieldSchema(patch);
    }

    /** The schema of a field's value; of its items for a list. */
    public FieldSchema field(String name) {
        PatchSchema.Field f = patch.field(name);
        return f.schema() == PatchSchema.generic() ? GENERIC : new FieldSchema(f.schema());
    }

    public ListType listType(String name) {
        PatchSchema.Field f = patch.field(name);
        if (!f.strategies().contains("merge")) {
            return ListType.ATOMIC;
        }
        return f.mergeKey().isEmpty() ? ListType.SET : ListType.MAP;
    }

    /** The list-map keys of a {@link ListType#MAP} field. */
    public List<String> keys(String name) {
        String key = patch.field(name).mergeKey();
        if (name.equals("ports") && (key.equals("containerPort") || key.equals("port"))) {
            return List.of(key, "protocol");
        }
        if (name.equals("topologySpreadConstraints")) {
            return List.of(key, "whenUnsatisfiable");
        }
        return List.of(key);
    }

    /** The value a list-map key has when an item leaves it out (its OpenAPI default), or null. */
    static String keyDefault(String key) {
        return key.equals("protocol") ? "TCP" : null;
    }
}
