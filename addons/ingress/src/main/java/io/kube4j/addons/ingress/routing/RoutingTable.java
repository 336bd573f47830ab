package io.kube4j.addons.ingress.routing;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable snapshot of every route the controller serves, built from the informer caches and swapped atomically
 * when any input changes, so that a request (and a TLS handshake) reads exactly one consistent version and open
 * connections never notice a reload.
 *
 * <p>Host matching: an exact host first, then a {@code *.suffix} wildcard that covers exactly one more DNS label
 * ({@code *.foo.com} matches {@code bar.foo.com}, not {@code foo.com} nor {@code a.bar.foo.com}), then rules without a
 * host. A host group without a matching path falls through to the next group (ingress-nginx answers such requests
 * from its catch-all server too), and what matches nothing goes to the default backend, or 404.
 */
public final class RoutingTable {

    public static final RoutingTable EMPTY = new RoutingTable(Map.of(), Map.of(), null, null, TlsCertificates.NONE, 0);

    private final Map<String, HostRoutes> exact;
    /** Keyed by the suffix after {@code *} (e.g. {@code .foo.com}). */
    private final Map<String, HostRoutes> wildcard;
    private final HostRoutes anyHost;
    private final Backend defaultBackend;
    private final TlsCertificates tls;
    private final long version;

    public RoutingTable(Map<String, HostRoutes> exact, Map<String, HostRoutes> wildcard, HostRoutes anyHost,
                        Backend defaultBackend, TlsCertificates tls, long version) {
        this.exact = Map.copyOf(exact);
        this.wildcard = Map.copyOf(wildcard);
        this.anyHost = anyHost;
        this.defaultBackend = defaultBackend;
        this.tls = tls;
        this.version = version;
    }

    /** Routes a request by its {@code Host} (port and case ignored) and path (query ignored). */
    public Optional<RouteMatch> route(String hostHeader, String path) {
        String host = normalizeHost(hostHeader);
        String p = path == null || path.isEmpty() ? "/" : path;
        int q = p.indexOf('?');
        if (q >= 0) {
            p = p.substring(0, q);
        }
        for (HostRoutes group : candidates(host)) {
            Optional<PathRule> rule = group.match(p);
            if (rule.isPresent()) {
                return Optional.of(new RouteMatch(rule.get().backend(), group.host().isEmpty() ? "*" : group.host()));
            }
        }
        return defaultBackend == null ? Optional.empty() : Optional.of(new RouteMatch(defaultBackend, "*"));
    }

    private List<HostRoutes> candidates(String host) {
        HostRoutes e = host.isEmpty() ? null : exact.get(host);
        int dot = host.indexOf('.');
        HostRoutes w = dot > 0 ? wildcard.get(host.substring(dot)) : null;
        java.util.ArrayList<HostRoutes> out = new java.util.ArrayList<>(3);
        if (e != null) {
            out.add(e);
        }
        if (w != null) {
            out.add(w);
        }
        if (anyHost != null) {
            out.add(anyHost);
        }
        return out;
    }

    /** {@code Host: A.Example.com:8443} → {@code a.example.com}; IPv6 literals keep their brackets. */
    public static String normalizeHost(String hostHeader) {
        if (hostHeader == null) {
            return "";
        }
        String h = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end > 0 ? h.substring(0, end + 1) : h;
        }
        int colon = h.lastIndexOf(':');
        h = colon >= 0 ? h.substring(0, colon) : h;
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    public TlsCertificates tls() {
        return tls;
    }

    public Backend defaultBackend() {
        return defaultBackend;
    }

    /** Increases with every rebuild: lets tests and logs tell tables apart. */
    public long version() {
        return version;
    }

    public int hostCount() {
        return exact.size() + wildcard.size() + (anyHost == null ? 0 : 1);
    }
}
