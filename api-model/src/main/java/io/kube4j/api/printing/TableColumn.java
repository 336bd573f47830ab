package io.kube4j.api.printing;

import java.util.Locale;

/**
 * One {@code meta.k8s.io/v1} {@code TableColumnDefinition}: what a column is called, its OpenAPI type and format,
 * and its priority (0 is always shown, 1 only with {@code kubectl get -o wide}).
 */
public record TableColumn(String name, String type, String format, String description, int priority) {

    static final String NAME_DESCRIPTION = "Name must be unique within a namespace. Is required when creating "
            + "resources, although some resources may allow a client to request the generation of an appropriate "
            + "name automatically. Name is primarily intended for creation idempotence and configuration definition. "
            + "Cannot be updated. More info: "
            + "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
    static final String CREATED_DESCRIPTION = "CreationTimestamp is a timestamp representing the server time when "
            + "this object was created. It is not guaranteed to be set in happens-before order across separate "
            + "operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\n"
            + "Populated by the system. Read-only. Null for lists. More info: "
            + "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

    /**
     * A column as Kubernetes' printers declare it: {@code Name} has the {@code name} format and the object name's
     * description, {@code Age} and {@code Created At} the creation timestamp's.
     */
    static TableColumn of(String name, String type, int priority) {
        String format = name.equals("Name") ? "name" : "";
        String description = switch (name) {
            case "Name" -> NAME_DESCRIPTION;
            case "Age", "Created At" -> CREATED_DESCRIPTION;
            default -> "";
        };
        return new TableColumn(name, type, format, description, priority);
    }

    /** The header kubectl prints: the name in upper case. */
    public String header() {
        return name.toUpperCase(Locale.ROOT);
    }

    /** True when only {@code -o wide} shows the column. */
    public boolean wide() {
        return priority > 0;
    }
}
