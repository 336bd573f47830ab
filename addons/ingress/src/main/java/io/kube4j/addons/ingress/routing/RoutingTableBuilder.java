package io.kube4j.addons.ingress.routing;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressServiceBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import io.kube4j.security.pki.PemFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.tcp.SslProvider;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Renders the Ingresses this controller owns into one {@link RoutingTable}: rules merged per host across Ingresses
 * (oldest Ingress first, so its paths win ties, as ingress-nginx orders them), each Service backend resolved to the
 * ready endpoints of its port (by number or name, mapped to the EndpointSlice port of the same name, which carries the
 * target port), the oldest {@code defaultBackend}, and the TLS certificates of the {@code kubernetes.io/tls} Secrets
 * named in {@code spec.tls}. A broken Secret or a missing Service only affects its own routes (logged, 503).
 */
public final class RoutingTableBuilder {

    private static final Logger log = LoggerFactory.getLogger(RoutingTableBuilder.class);
    /** Oldest first; name order breaks ties so rebuilds are deterministic. */
    static final Comparator<Ingress> AGE = Comparator
            .comparing((Ingress i) -> String.valueOf(i.getMetadata().getCreationTimestamp()))
            .thenComparing(i -> i.getMetadata().getNamespace() + "/" + i.getMetadata().getName());

    private final ClusterView cluster;
    /** Caches SslProviders by the Secret content: rebuilding for an unrelated change must not re-parse keys. */
    private final Map<String, SslProvider> sslCache = new HashMap<>();

    public RoutingTableBuilder(ClusterView cluster) {
        this.cluster = cluster;
    }

    public RoutingTable build(List<Ingress> ingresses, long version) {
        List<Ingress> sorted = new ArrayList<>(ingresses);
        sorted.sort(AGE);
        Map<String, List<PathRule>> byHost = new LinkedHashMap<>();
        Backend defaultBackend = null;
        Map<String, SslProvider> tlsExact = new HashMap<>();
        Map<String, SslProvider> tlsWildcard = new HashMap<>();
        SslProvider tlsFallback = null;
        Set<String> usedCerts = new LinkedHashSet<>();
        for (Ingress ing : sorted) {
            String ns = ing.getMetadata().getNamespace();
            String name = ing.getMetadata().getName();
            if (ing.getSpec() == null) {
                continue;
            }
            if (defaultBackend == null && ing.getSpec().getDefaultBackend() != null) {
                defaultBackend = backend(ns, name, ing.getSpec().getDefaultBackend());
            }
            for (IngressRule rule : Objects.requireNonNullElse(ing.getSpec().getRules(), List.<IngressRule>of())) {
                if (rule.getHttp() == null || rule.getHttp().getPaths() == null) {
                    continue;
                }
                String host = rule.getHost() == null ? "" : rule.getHost().toLowerCase(Locale.ROOT);
                List<PathRule> rules = byHost.computeIfAbsent(host, h -> new ArrayList<>());
                for (HTTPIngressPath p : rule.getHttp().getPaths()) {
                    if (p.getBackend() != null) {
                        rules.add(PathRule.of(p.getPath(), p.getPathType(), backend(ns, name, p.getBackend())));
                    }
                }
            }
            for (IngressTLS tls : Objects.requireNonNullElse(ing.getSpec().getTls(), List.<IngressTLS>of())) {
                if (tls.getSecretName() == null || tls.getSecretName().isEmpty()) {
                    continue;
                }
                SslProvider provider = provider(ns, tls.getSecretName(), usedCerts);
                if (provider == null) {
                    continue;
                }
                List<String> hosts = Objects.requireNonNullElse(tls.getHosts(), List.of());
                if (hosts.isEmpty() && tlsFallback == null) {
                    tlsFallback = provider;
                }
                for (String h : hosts) {
                    String host = h.toLowerCase(Locale.ROOT);
                    if (host.startsWith("*.")) {
                        tlsWildcard.putIfAbsent(host.substring(1), provider);
                    } else {
                        tlsExact.putIfAbsent(host, provider);
                    }
                }
            }
        }
        sslCache.keySet().retainAll(usedCerts);
        Map<String, HostRoutes> exact = new HashMap<>();
        Map<String, HostRoutes> wildcard = new HashMap<>();
        HostRoutes any = null;
        for (Map.Entry<String, List<PathRule>> e : byHost.entrySet()) {
            HostRoutes routes = new HostRoutes(e.getKey(), e.getValue());
            if (e.getKey().isEmpty()) {
                any = routes;
            } else if (e.getKey().startsWith("*.")) {
                wildcard.put(e.getKey().substring(1), routes);
            } else {
                exact.put(e.getKey(), routes);
            }
        }
        return new RoutingTable(exact, wildcard, any, defaultBackend,
                new TlsCertificates(tlsExact, tlsWildcard, tlsFallback), version);
    }

    /** A backend with its ready endpoints; resource backends and unknown Services get none (503). */
    Backend backend(String ns, String ingress, IngressBackend b) {
        IngressServiceBackend s = b.getService();
        if (s == null) {
            String what = b.getResource() == null ? "<none>" : b.getResource().getKind() + "/" + b.getResource().getName();
            return new Backend(ns, ingress, what, List.of());
        }
        Integer number = s.getPort() == null ? null : s.getPort().getNumber();
        String portName = s.getPort() == null ? null : s.getPort().getName();
        String description = s.getName() + ":" + (number != null && number != 0 ? number : portName);
        Service svc = cluster.service(ns, s.getName());
        if (svc == null || svc.getSpec() == null || svc.getSpec().getPorts() == null) {
            return new Backend(ns, ingress, description, List.of());
        }
        ServicePort port = null;
        for (ServicePort sp : svc.getSpec().getPorts()) {
            if (number != null && number != 0 ? number.equals(sp.getPort()) : Objects.equals(portName, sp.getName())) {
                port = sp;
                break;
            }
        }
        if (port == null) {
            return new Backend(ns, ingress, description, List.of());
        }
        return new Backend(ns, ingress, description, readyEndpoints(ns, s.getName(), port));
    }

    /**
     * The ready endpoints of a Service port: each slice's port named like the Service port gives the target port (a
     * slice port without a number is skipped); endpoints whose {@code ready} condition is false are left out (unset
     * means ready, as for kube-proxy). Sorted and de-duplicated so the round-robin order is stable across rebuilds.
     */
    List<String> readyEndpoints(String ns, String service, ServicePort port) {
        String name = port.getName() == null ? "" : port.getName();
        Set<String> out = new java.util.TreeSet<>();
        for (EndpointSlice slice : cluster.endpointSlices(ns, service)) {
            if (slice.getAddressType() != null && "FQDN".equals(slice.getAddressType())) {
                continue;
            }
            Integer target = null;
            for (EndpointPort p : Objects.requireNonNullElse(slice.getPorts(), List.<EndpointPort>of())) {
                if (name.equals(p.getName() == null ? "" : p.getName()) && p.getPort() != null) {
                    target = p.getPort();
                }
            }
            if (target == null) {
                continue;
            }
            for (Endpoint ep : Objects.requireNonNullElse(slice.getEndpoints(), List.<Endpoint>of())) {
                boolean ready = ep.getConditions() == null || ep.getConditions().getReady() == null
                        || ep.getConditions().getReady();
                if (ready && ep.getAddresses() != null && !ep.getAddresses().isEmpty()) {
                    String ip = ep.getAddresses().get(0);
                    out.add((ip.contains(":") ? "[" + ip + "]" : ip) + ":" + target);
                }
            }
        }
        return new ArrayList<>(out);
    }

    private SslProvider provider(String ns, String secretName, Set<String> usedCerts) {
        Secret secret = cluster.secret(ns, secretName);
        if (secret == null || secret.getData() == null) {
            log.warn("Ingress TLS secret {}/{} not found: its hosts get the fallback certificate", ns, secretName);
            return null;
        }
        String crt = secret.getData().get("tls.crt");
        String key = secret.getData().get("tls.key");
        if (crt == null || key == null) {
            log.warn("Ingress TLS secret {}/{} has no tls.crt/tls.key", ns, secretName);
            return null;
        }
        String cacheKey = ns + "/" + secretName + "/" + Integer.toHexString(Objects.hash(crt, key));
        usedCerts.add(cacheKey);
        SslProvider cached = sslCache.get(cacheKey);
        if (cached != null) {
            return cached;
        }
        try {
            SslProvider p = serverProvider(decode(crt), decode(key));
            sslCache.put(cacheKey, p);
            return p;
        } catch (RuntimeException e) {
            log.warn("Ingress TLS secret {}/{} is not a usable certificate and key: {}", ns, secretName, e.getMessage());
            return null;
        }
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII);
    }

    /** An HTTP/1.1 server SslProvider from PEM (PKCS#8 or PKCS#1 keys, the certificate chain in order). */
    public static SslProvider serverProvider(String certPem, String keyPem) {
        return SslProvider.builder().sslContext(Http11SslContextSpec.forServer(PemFiles.decodePrivateKey(keyPem),
                PemFiles.decodeCertificates(certPem))).build();
    }
}
