package io.kube4j.client;

/**
 * How to delete: grace period (null: the object's default), propagation (Orphan, Background, Foreground; null: the
 * resource's default) and preconditions (null: none).
 */
public record DeleteOptions(Long gracePeriodSeconds, String propagationPolicy, String preconditionUid,
                            String preconditionResourceVersion) {

    public static DeleteOptions defaults() {
        return new DeleteOptions(null, null, null, null);
    }

    public static DeleteOptions background() {
        return new DeleteOptions(null, "Background", null, null);
    }

    public static DeleteOptions now() {
        return new DeleteOptions(0L, null, null, null);
    }
}
