package io.kube4j.addons.ingress.routing;

import reactor.netty.tcp.SslProvider;

import java.util.Locale;
import java.util.Map;

/**
 * The serving certificates of one routing table, by SNI host name: exact names, then {@code *.suffix} wildcards
 * (one label, as TLS wildcards), then the fallback (the first Ingress TLS entry without hosts, else the controller's
 * own self-signed certificate, as ingress-nginx serves its "fake certificate").
 */
public record TlsCertificates(Map<String, SslProvider> exact, Map<String, SslProvider> wildcard, SslProvider fallback) {

    public static final TlsCertificates NONE = new TlsCertificates(Map.of(), Map.of(), null);

    public TlsCertificates {
        exact = Map.copyOf(exact);
        wildcard = Map.copyOf(wildcard);
    }

    /** The provider for an SNI name ({@code null} name: the fallback). */
    public SslProvider forServerName(String sni) {
        if (sni != null) {
            String h = sni.toLowerCase(Locale.ROOT);
            SslProvider p = exact.get(h);
            if (p != null) {
                return p;
            }
            int dot = h.indexOf('.');
            if (dot > 0 && (p = wildcard.get(h.substring(dot))) != null) {
                return p;
            }
        }
        return fallback;
    }

    public TlsCertificates withFallback(SslProvider f) {
        return new TlsCertificates(exact, wildcard, fallback == null ? f : fallback);
    }
}
