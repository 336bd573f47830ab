package io.kube4j.client.informer;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** Orders resourceVersions, which kube4j (like etcd-backed Kubernetes) hands out as increasing integers. */
final class ResourceVersions {

    private ResourceVersions() {
    }

    static String of(HasMetadata o) {
        return o == null || o.getMetadata() == null ? null : o.getMetadata().getResourceVersion();
    }

    /**
     * Whether {@code candidate} is newer than {@code current}. Unknown or unparsable versions count as newer, so an
     * opaque resourceVersion never blocks an event; only a provably old one is refused.
     */
    static boolean isNewer(String candidate, String current) {
        Long c = parse(candidate);
        Long cur = parse(current);
        if (c == null || cur == null) {
            return true;
        }
        return c > cur;
    }

    /** The larger of two versions (the second when they cannot be compared). */
    static String max(String a, String b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        Long pa = parse(a);
        Long pb = parse(b);
        return pa != null && pb != null && pa > pb ? a : b;
    }

    private static Long parse(String rv) {
        if (rv == null || rv.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(rv);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
