package io.kube4j.addons.ingress.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The paths of every rule for one host (merged across Ingresses), ordered so that the first match is the one
 * Kubernetes prescribes: the longest path, then Exact before Prefix, then the older declaration (list order).
 */
public final class HostRoutes {

    private static final Comparator<PathRule> PRECEDENCE = Comparator.comparingInt(PathRule::rank).reversed()
            .thenComparing(PathRule::type);

    private final String host;
    private final List<PathRule> rules;

    public HostRoutes(String host, List<PathRule> rules) {
        this.host = host;
        List<PathRule> sorted = new ArrayList<>(rules);
        sorted.sort(PRECEDENCE); // stable: equal rules keep declaration order
        this.rules = List.copyOf(sorted);
    }

    /** The rule's host as written ({@code a.example.com}, {@code *.example.com}, or {@code ""} for any host). */
    public String host() {
        return host;
    }

    public List<PathRule> rules() {
        return rules;
    }

    public Optional<PathRule> match(String path) {
        for (PathRule r : rules) {
            if (r.matches(path)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
