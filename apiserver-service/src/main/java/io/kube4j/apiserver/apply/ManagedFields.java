package io.kube4j.apiserver.apply;

import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.kube4j.api.codec.Codecs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
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
        /** The decoded set, or null while only {@link #raw} is known. */
        private FieldSet fields;
        /** The entry as read, reused as written while its set is not changed (decoding costs more than the write). */
        private ManagedFieldsEntry raw;

        Manager(String manager, String operation, String apiVersion, String subresource, String time, FieldSet fields) {
            this.manager = manager;
            this.operation = operation;
            this.apiVersion = apiVersion;
            this.subresource = subresource == null ? "" : subresource;
            this.time = time;
            this.fields = fields;
        }

        /** Whether this manager's set has a member in {@code set}, read from the raw entry when not decoded yet. */
        boolean intersects(FieldSet set) {
            if (fields != null) {
                return !fields.intersection(set).isEmpty();
            }
            return raw.getFieldsV1() != null && intersects(raw.getFieldsV1().getAdditionalProperties(), set);
        }

        private static boolean intersects(Map<?, ?> node, FieldSet set) {
            for (Map.Entry<String, FieldSet> e : set.children().entrySet()) {
                if (node.get(e.getKey()) instanceof Map<?, ?> child) {
                    if (e.getValue().member() && (child.isEmpty() || child.containsKey("."))) {
                        return true;
                    }
                    if (intersects(child, e.getValue())) {
                        return true;
                    }
                }
            }
            return false;
        }

        void fields(FieldSet f) {
            fields = f;
            raw = null;
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
            if (fields == null) {
                fields = raw.getFieldsV1() == null ? new FieldSet()
                        : FieldSet.fromFieldsV1(Codecs.json().valueToTree(raw.getFieldsV1()));
            }
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
        return decode(entries, true);
    }

    /**
     * Reads entries, their field sets only when {@code eager} (a user's entries, which must be checked) or when
     * first used (stored entries, which were checked when written).
     */
    public static ManagedFields decode(List<ManagedFieldsEntry> entries, boolean eager) {
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
            Manager m = new Manager(e.getManager() == null ? "" : e.getManager(), e.getOperation(), e.getApiVersion(),
                    e.getSubresource(), e.getTime(), null);
            m.raw = e;
            if (eager) {
                try {
                    m.fields();
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException(where + ".fieldsV1: Invalid value: " + ex.getMessage());
                }
            }
            out.add(m);
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
            m.fields(fields);
        }
        return m;
    }

    /** The entries, without empty ones, in Kubernetes' order (Apply first, then by time, manager, version, subresource). */
    public List<ManagedFieldsEntry> encode() {
        List<Manager> sorted = new ArrayList<>(managers);
        sorted.removeIf(m -> m.raw == null ? m.fields.isEmpty() : m.raw.getFieldsV1() == null
                || m.raw.getFieldsV1().getAdditionalProperties().isEmpty());
        sorted.sort(Comparator.<Manager, String>comparing(m -> m.operation)
                .thenComparing(m -> m.time == null ? "" : m.time)
                .thenComparing(m -> m.manager)
                .thenComparing(m -> m.apiVersion == null ? "" : m.apiVersion)
                .thenComparing(m -> m.subresource));
        List<ManagedFieldsEntry> out = new ArrayList<>(sorted.size());
        for (Manager m : sorted) {
            if (m.raw != null) {
                out.add(m.raw);
                continue;
            }
            FieldsV1 f = Codecs.json().convertValue(m.fields.toFieldsV1(), FieldsV1.class);
            out.add(new ManagedFieldsEntry(m.apiVersion, "FieldsV1", f, m.manager, m.operation,
                    m.subresource.isEmpty() ? null : m.subresource, m.time));
        }
        return out;
    }
}
