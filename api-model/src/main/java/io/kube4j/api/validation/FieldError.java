package io.kube4j.api.validation;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kube4j.api.codec.Codecs;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One field-level validation failure, shaped like apimachinery's {@code field.Error}: its
 * {@link #message()} reads exactly as Kubernetes prints it, and {@link Type#reason()} is the
 * {@code StatusCause} reason.
 */
public record FieldError(Type type, String field, Object badValue, String detail) {

    /** The kinds of field error, with their {@code StatusCause} reason and printed description. */
    public enum Type {
        REQUIRED("FieldValueRequired", "Required value"),
        INVALID("FieldValueInvalid", "Invalid value"),
        DUPLICATE("FieldValueDuplicate", "Duplicate value"),
        NOT_SUPPORTED("FieldValueNotSupported", "Unsupported value"),
        FORBIDDEN("FieldValueForbidden", "Forbidden"),
        TOO_LONG("FieldValueTooLong", "Too long"),
        TOO_MANY("FieldValueTooMany", "Too many");

        private final String reason;
        private final String description;

        Type(String reason, String description) {
            this.reason = reason;
            this.description = description;
        }

        public String reason() {
            return reason;
        }

        public String description() {
            return description;
        }
    }

    public FieldError {
        detail = detail == null ? "" : detail;
    }

    public static FieldError required(String field, String detail) {
        return new FieldError(Type.REQUIRED, field, "", detail);
    }

    public static FieldError invalid(String field, Object value, String detail) {
        return new FieldError(Type.INVALID, field, value, detail);
    }

    public static FieldError duplicate(String field, Object value) {
        return new FieldError(Type.DUPLICATE, field, value, "");
    }

    public static FieldError notSupported(String field, Object value, List<String> valid) {
        String detail = valid == null || valid.isEmpty() ? ""
                : "supported values: " + valid.stream().map(FieldError::quote).collect(Collectors.joining(", "));
        return new FieldError(Type.NOT_SUPPORTED, field, value, detail);
    }

    public static FieldError forbidden(String field, String detail) {
        return new FieldError(Type.FORBIDDEN, field, "", detail);
    }

    /** {@code value} was longer than {@code maxLength} (characters or bytes, as the field measures it). */
    public static FieldError tooLong(String field, Object value, int maxLength) {
        return new FieldError(Type.TOO_LONG, field, value, "may not be more than " + maxLength + " bytes");
    }

    public static FieldError tooMany(String field, int actual, int max) {
        return new FieldError(Type.TOO_MANY, field, actual, "must have at most " + max + " items");
    }

    /** {@code field: body}, as {@code field.Error.Error()} prints it. */
    public String message() {
        return field + ": " + body();
    }

    /** The message without the field path ({@code field.Error.ErrorBody()}). */
    public String body() {
        String s = switch (type) {
            case REQUIRED, FORBIDDEN, TOO_LONG -> type.description();
            default -> type.description() + ": " + render(badValue);
        };
        return detail.isEmpty() ? s : s + ": " + detail;
    }

    @Override
    public String toString() {
        return message();
    }

    /** Go's {@code %v} for simple values, {@code %q} for strings, JSON for structures. */
    static String render(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String s) {
            return quote(s);
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        if (value instanceof IntOrString ios) {
            Object v = ios.getValue();
            return v == null ? "0" : v.toString();
        }
        if (value instanceof Quantity q) {
            return q.toString();
        }
        try {
            return Codecs.json().writeValueAsString(value);
        } catch (RuntimeException e) {
            return String.valueOf(value);
        }
    }

    /** Go's {@code %q}: a double-quoted string with Go escapes. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\x%02x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
