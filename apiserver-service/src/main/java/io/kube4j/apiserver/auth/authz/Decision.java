package io.kube4j.apiserver.auth.authz;

/**
 * An authorizer's answer, as Kubernetes' {@code authorizer.Decision}: allow, deny (stop, no later authorizer asked)
 * or no opinion (ask the next one); the reason is shown in 403 messages and SubjectAccessReview status.
 */
public record Decision(Kind kind, String reason) {

    public enum Kind { ALLOW, DENY, NO_OPINION }

    public static Decision allow(String reason) {
        return new Decision(Kind.ALLOW, reason);
    }

    public static Decision deny(String reason) {
        return new Decision(Kind.DENY, reason);
    }

    public static Decision noOpinion(String reason) {
        return new Decision(Kind.NO_OPINION, reason);
    }

    public boolean allowed() {
        return kind == Kind.ALLOW;
    }
}
