package io.kube4j.addons.ingress.proxy;

import io.kube4j.addons.ingress.config.IngressProperties;
import io.kube4j.addons.ingress.routing.RoutingTable;
import io.kube4j.addons.ingress.routing.RoutingTableBuilder;
import io.kube4j.security.pki.CertificateAndKey;
import io.kube4j.security.pki.CertificateAuthority;
import io.kube4j.security.pki.PemFiles;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.tcp.SslProvider;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * The two listeners (plain HTTP and TLS) in front of one {@link IngressProxy}. The TLS listener picks the certificate
 * per handshake from the current routing table by SNI ({@code setSniAsyncMappings}), so certificate changes apply to
 * new connections without rebinding; clients without SNI, or asking for an unknown name, get the fallback, ultimately
 * a self-signed "fake" certificate made at start (as ingress-nginx does) so the port always completes handshakes.
 */
public final class IngressServers implements AutoCloseable {

    private final DisposableServer http;
    private final DisposableServer https;

    public IngressServers(IngressProperties props, IngressProxy proxy, Supplier<RoutingTable> tables) {
        this.http = HttpServer.create().host(props.bindAddress()).port(props.httpPort())
                .handle((req, res) -> proxy.handle(req, res, false))
                .bindNow(Duration.ofSeconds(30));
        if (props.httpsPort() < 0) {
            this.https = null;
            return;
        }
        SslProvider fake = fakeCertificate();
        this.https = HttpServer.create().host(props.bindAddress()).port(props.httpsPort())
                .secure(spec -> spec.sslContext(fake.getSslContext())
                        .setSniAsyncMappings((name, promise) -> {
                            SslProvider p = tables.get().tls().forServerName(name);
                            return promise.setSuccess(p == null ? fake : p);
                        }))
                .handle((req, res) -> proxy.handle(req, res, true))
                .bindNow(Duration.ofSeconds(30));
    }

    /**
     * A self-signed serving certificate for handshakes that match no Ingress TLS entry: one key pair (a CA's own
     * certificate), since no client is expected to trust it anyway.
     */
    static SslProvider fakeCertificate() {
        CertificateAndKey leaf = CertificateAuthority.create("Kube4j Ingress Controller Fake Certificate").credentials();
        return RoutingTableBuilder.serverProvider(PemFiles.encodeCertificate(leaf.certificate()),
                PemFiles.encodePrivateKey(leaf.key()));
    }

    public int httpPort() {
        return http.port();
    }

    /** The bound TLS port, or -1 when HTTPS is disabled. */
    public int httpsPort() {
        return https == null ? -1 : https.port();
    }

    @Override
    public void close() {
        http.disposeNow(Duration.ofSeconds(10));
        if (https != null) {
            https.disposeNow(Duration.ofSeconds(10));
        }
    }
}
