package io.kube4j.apiserver.apply;

import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.kube4j.api.codec.Codecs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * An object's {@code metadata.managedFields} as field sets: one {@link Manager} per manager, operation and
 * subresource (and apiVersion, for {@code Update}), as Kubernetes' {@code BuildManagerIdentifier}.
 */
public final class ManagedFields {

    public static final String APPLY = "Apply";
    public static final String UPDATE = "Update";

    /** One entry: who, how, and which fields. */
    public static final class Manager {
        final String manager;
        final String operation;
        final String apiVersion;
        final String subresource;
        String time;
        FieldSet fields;

        Manager(String manager, String operation, String apiVersion, String subresource, String time, FieldSet fields) {
            this.manager = manager;
            this.operation = operation;
            this.apiVersion = apiVersion;
            this.subresource = subresource == null ? "" : subresource;
            this.time = time;
            this.fields = fields;
        }

        boolean sameIdentity(String m, String op, String version, String sub) {
            return manager.equals(m) && operation.equals(op) && subresource.equals(sub == null ? "" : sub)
                    && (op.equals(APPLY) || Objects.equals(apiVersion, version));
        }

        /** How a conflict names this manager, as Kubernetes' {@code printManager}. */
        String describe() {
            String s = '"' + manager + '"';
            if (!subresource.isEmpty()) {
                s += " with subresource \"" + subresource + '"';
            }
            return operation.equals(UPDATE) ? s + " using " + apiVersion : s;
        }

        public String manager() {
            return manager;
        }

        public String operation() {
            return operation;
        }

        public FieldSet fields() {
            return fields;
        }
    }

    private final List<Manager> managers;

    private ManagedFields(List<Manager> managers) {
        this.managers = managers;
    }

    public static ManagedFields empty() {
        return new ManagedFields(new ArrayList<>());
    }

    public List<Manager> managers() {
        return managers;
    }

    /**
     * Reads entries; a malformed one (operation other than Apply/Update, fieldsType other than FieldsV1, a fieldsV1
     * that is not a field set) is an {@link IllegalArgumentException} naming it.
     */
    public static ManagedFields decode(List<ManagedFieldsEntry> entries) {
        List<Manager> out = new ArrayList<>();
        if (entries == null) {
            return new ManagedFields(out);
        }
        for (int i = 0; i < entries.size(); i++) {
            ManagedFieldsEntry e = entries.get(i);
            String where = "metadata.managedFields[" + i + "]";
            if (e == null) {
                throw new IllegalArgumentException(where + ": must not be null");
            }
            if (!APPLY.equals(e.getOperation()) && !UPDATE.equals(e.getOperation())) {
                if (e.getOperation() == null && e.getManager() == null && e.getFieldsV1() == null) {
                    continue; // Kubernetes' way to clear managedFields: [{}]
                }
                throw new IllegalArgumentException(where + ".operation: Unsupported value: \"" + e.getOperation()
                        + "\": supported values: \"Apply\", \"Update\"");
            }
            if (e.getFieldsType() != null && !e.getFieldsType().equals("FieldsV1")) {
                throw new IllegalArgumentException(where + ".fieldsType: Unsupported value: \"" + e.getFieldsType()
                        + "\": supported values: \"FieldsV1\"");
            }
            FieldSet fields;
            try {
                fields = e.getFieldsV1() == null ? new FieldSet()
                        : FieldSet.fromFieldsV1(Codecs.json().valueToTree(e.getFieldsV1()));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(where + ".fieldsV1: Invalid value: " + ex.getMessage());
            }
            out.add(new Manager(e.getManager() == null ? "" : e.getManager(), e.getOperation(), e.getApiVersion(),
                    e.getSubresource(), e.getTime(), fields));
        }
        return new ManagedFields(out);
    }

    public Manager find(String manager, String operation, String apiVersion, String subresource) {
        for (Manager m : managers) {
            if (m.sameIdentity(manager, operation, apiVersion, subresource)) {
                return m;
            }
        }
        return null;
    }

    Manager put(String manager, String operation, String apiVersion, String subresource, String time, FieldSet fields) {
        Manager m = find(manager, operation, apiVersion, subresource);
        if (m == null) {
            m = new Manager(manager, operation, apiVersion, subresource, time, fields);
            managers.add(m);
        } else {
            m.time = time;
            m.fields = fields;
        }
        return m;
    }

    /** The entries, without empty ones, in Kubernetes' order (Apply first, then by time, manager, version, subresource). */
    public List<ManagedFieldsEntry> encode() {
        List<Manager> sorted = new ArrayList<>(managers);
        sorted.removeIf(m -> m.fields.isEmpty());
        sorted.sort(Comparator.<Manager, String>comparing(m -> m.operation)
                .thenComparing(m -> m.time == null ? "" : m.time)
                .thenComparing(m -> m.manager)
                .thenComparing(m -> m.apiVersion == null ? "" : m.apiVersion)
                .thenComparing(m -> m.subresource));
        List<ManagedFieldsEntry> out = new ArrayList<>(sorted.size());
        for (Manager m : sorted) {
            FieldsV1 f = Codecs.json().convertValue(m.fields.toFieldsV1(), FieldsV1.class);
            out.add(new ManagedFieldsEntry(m.apiVersion, "FieldsV1", f, m.manager, m.operation,
                    m.subresource.isEmpty() ? null : m.subresource, m.time));
        }
        return out;
    }
}
