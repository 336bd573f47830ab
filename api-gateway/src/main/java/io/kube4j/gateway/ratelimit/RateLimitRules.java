package io.kube4j.gateway.ratelimit;

import io.kube4j.security.UserInfo;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which limit applies to a user: none when the user is in an exempt group; else the rule naming the user (an
 * operator can throttle one user below the user's groups); else the most generous rule of the user's groups (a
 * user in a "ci" group and a "batch" group gets the better of the two, whatever the order of the rules); else the
 * default.
 */
public final class RateLimitRules {

    private final Limit defaultLimit;
    private final List<RateLimitProperties.Rule> rules;
    private final Set<String> exemptGroups;

    public RateLimitRules(RateLimitProperties props) {
        this.defaultLimit = props.defaultLimit();
        this.rules = props.rules();
        this.exemptGroups = Set.copyOf(props.exemptGroups());
        rules.forEach(this::limitOf); // validate at start
    }

    /** The user's limit, or empty when the user is not limited. */
    public Optional<Limit> limitFor(UserInfo user) {
        if (user.groups().stream().anyMatch(exemptGroups::contains)) {
            return Optional.empty();
        }
        for (RateLimitProperties.Rule r : rules) {
            if (r.user() != null && !r.user().isBlank() && r.user().equals(user.name())) {
                return Optional.of(limitOf(r));
            }
        }
        return Optional.of(rules.stream()
                .filter(r -> r.group() != null && user.groups().contains(r.group()))
                .map(this::limitOf)
                .max(Comparator.naturalOrder())
                .orElse(defaultLimit));
    }

    private Limit limitOf(RateLimitProperties.Rule r) {
        return new Limit(r.qps() == null ? defaultLimit.qps() : r.qps(),
                r.burst() == null ? defaultLimit.burst() : r.burst());
    }
}
