package io.kube4j.apiserver.auth.authz.rbac;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.kube4j.apiserver.auth.authz.AuthorizationAttributes;
import io.kube4j.apiserver.auth.authz.Authorizer;
import io.kube4j.apiserver.auth.authz.Decision;
import io.kube4j.security.UserInfo;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Kubernetes' RBAC authorizer ({@code plugin/pkg/auth/authorizer/rbac}): allows a request when a rule of a role
 * bound to the user (by a ClusterRoleBinding, or a RoleBinding of the request's namespace) allows it; otherwise
 * no opinion. Reads the {@link RbacIndex}; until the index is loaded from the watch cache, requests wait for it.
 */
public final class RbacAuthorizer implements Authorizer {

    private static final Duration WAIT_STEP = Duration.ofMillis(50);
    private static final int WAIT_STEPS = 200;

    private final RbacIndex index;
    private final BooleanSupplier ready;

    public RbacAuthorizer(RbacIndex index, BooleanSupplier ready) {
        this.index = index;
        this.ready = ready;
    }

    @Override
    public Mono<Decision> authorize(AuthorizationAttributes a) {
        if (ready.getAsBoolean()) {
            return Mono.just(decide(a));
        }
        return Mono.defer(() -> ready.getAsBoolean() ? Mono.just(decide(a)) : Mono.<Decision>empty())
                .repeatWhenEmpty(WAIT_STEPS, f -> f.delayElements(WAIT_STEP))
                .onErrorResume(IllegalStateException.class,
                        e -> Mono.just(Decision.noOpinion("RBAC: the authorization cache is not loaded yet")));
    }

    /** The decision, synchronously, from the current index (what {@link #authorize} returns once loaded). */
    public Decision decide(AuthorizationAttributes a) {
        String[] reason = new String[1];
        List<String> errors = new ArrayList<>(0);
        index.visit(a.user(), a.namespace(), (source, rule, error) -> {
            if (rule != null && RbacRules.allows(a, rule)) {
                reason[0] = "RBAC: allowed by " + source;
                return false;
            }
            if (error != null) {
                errors.add(error);
            }
            return true;
        });
        if (reason[0] != null) {
            return Decision.allow(reason[0]);
        }
        return Decision.noOpinion(errors.isEmpty() ? "" : "RBAC: " + String.join(", ", errors));
    }

    /** Every rule that applies to {@code user} in {@code namespace}, and the errors met (missing roles). */
    public Rules rulesFor(UserInfo user, String namespace) {
        List<PolicyRule> rules = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        index.visit(user, namespace, (source, rule, error) -> {
            if (rule != null) {
                rules.add(rule);
            }
            if (error != null) {
                errors.add(error);
            }
            return true;
        });
        return new Rules(rules, errors);
    }

    /** The result of {@link #rulesFor}. */
    public record Rules(List<PolicyRule> rules, List<String> errors) {
    }
}
