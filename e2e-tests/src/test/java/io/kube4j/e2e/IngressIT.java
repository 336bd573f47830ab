package io.kube4j.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SNIHostName;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.KubeClient;
import io.kube4j.security.pki.CertificateAndKey;
import io.kube4j.security.pki.CertificateAuthority;
import io.kube4j.security.pki.CertificateSpec;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.client.HttpClient;

/**
 * HTTP and HTTPS through the cluster's Ingress controller (addons/ingress, the {@code ingress} role of
 * {@code ./kube4j up}) to real pods on Docker: an Ingress with two hosts, one of them split by path, and a TLS
 * certificate issued by the cluster's own CA in a {@code kubernetes.io/tls} Secret. The client trusts only that CA and
 * sends each host as SNI, so a wrong certificate fails the handshake.
 *
 * <p>Runs against a cluster with the Ingress controller ({@value E2eCluster#KUBECONFIG_ENV}); the in-process cluster
 * has none and the test is skipped. The controller is reached where its Ingresses' status says (node 0's InternalIP) on
 * the ports of {@code ./kube4j up}: 80/443 as root, else 8080/8444, or {@code KUBE4J_E2E_INGRESS_HTTP_PORT} /
 * {@code KUBE4J_E2E_INGRESS_HTTPS_PORT} when the cluster was started with other ones. The CA's key is read from
 * {@code KUBE4J_E2E_PKI_DIR}, else from the directory of the kubeconfig's {@code certificate-authority} file.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IngressIT {

    static final Duration TIMEOUT = Duration.ofSeconds(90);
    static final String CONTROLLER = "kube4j.io/ingress";

    E2eCluster cluster;
    KubectlRunner kubectl;
    KubeClient api;
    Path dir;
    String ns;
    String address;
    int httpPort;
    int httpsPort;
    CertificateAuthority ca;
    final String run = UUID.randomUUID().toString().substring(0, 5);
    final String web = "web-" + run + ".e2e.kube4j.test";
    final String shop = "shop-" + run + ".e2e.kube4j.test";

    @BeforeAll
    void setUp() throws IOException {
        Path binary = Requirements.requireBinary("kubectl");
        cluster = E2eCluster.get();
        api = cluster.client();
        boolean controller = api.resources(IngressClass.class).list(null, io.kube4j.client.ListOptions.all())
                .block(TIMEOUT).getItems().stream().anyMatch(c -> CONTROLLER.equals(c.getSpec().getController()));
        Assumptions.assumeTrue(controller, "the cluster has no IngressClass of " + CONTROLLER + " (the in-process "
                + "cluster runs no Ingress controller): run against ./kube4j up with " + E2eCluster.KUBECONFIG_ENV);
        Path pki = pkiDir();
        Requirements.require(pki != null && Files.isRegularFile(pki.resolve("ca.key")),
                "the cluster CA's key is needed to issue the Ingress certificate: set KUBE4J_E2E_PKI_DIR");
        ca = CertificateAuthority.read(pki.resolve("ca.crt"), pki.resolve("ca.key"), Clock.systemUTC());
        boolean root = "root".equals(System.getProperty("user.name"));
        httpPort = port("KUBE4J_E2E_INGRESS_HTTP_PORT", root ? 80 : 8080);
        httpsPort = port("KUBE4J_E2E_INGRESS_HTTPS_PORT", root ? 443 : 8444);

        dir = Files.createTempDirectory("e2e-ingress");
        kubectl = KubectlRunner.withKubeconfig(binary, cluster.kubeconfig(), dir, TIMEOUT);
        ns = "e2e-ingress-" + run;
        kubectl.kubectl("create", "namespace", ns).ok();
        kubectl.kubectl("label", "namespace", ns, "e2e-ingress=" + run).ok();
        cluster.awaitDefaultServiceAccount(ns);
        CertificateAndKey cert = ca.issue(CertificateSpec.server("e2e-ingress", List.of(web, shop)));
        Path crt = Files.writeString(dir.resolve("tls.crt"), cert.certificatePem());
        Path key = Files.writeString(dir.resolve("tls.key"), cert.keyPem());
        kubectl.kubectl("--namespace", ns, "create", "secret", "tls", "site-tls", "--cert", crt.toString(),
                "--key", key.toString()).ok();
        String image = E2eCluster.webImage(1);
        // two Deployments that say who they are, at / and under /api/
        apply("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      nodeName: NODE
                      terminationGracePeriodSeconds: 1
                      containers:
                      - name: httpd
                        image: IMAGE
                        command: [sh, -c, 'mkdir -p /www/api && echo web > /www/index.html && echo web-api > /www/api/index.html && exec httpd -f -p 8080 -h /www']
                        ports: [{name: http, containerPort: 8080}]
                        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: api}
                spec:
                  selector: {matchLabels: {app: api}}
                  template:
                    metadata: {labels: {app: api}}
                    spec:
                      nodeName: NODE
                      terminationGracePeriodSeconds: 1
                      containers:
                      - name: httpd
                        image: IMAGE
                        command: [sh, -c, 'mkdir -p /www/api && echo api > /www/api/index.html && exec httpd -f -p 8080 -h /www']
                        ports: [{name: http, containerPort: 8080}]
                        readinessProbe: {httpGet: {path: /api/, port: 8080}, periodSeconds: 1}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec:
                  selector: {app: web}
                  ports: [{name: http, port: 80, targetPort: http}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: api}
                spec:
                  selector: {app: api}
                  ports: [{name: http, port: 8000, targetPort: 8080}]
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: site}
                spec:
                  tls: [{hosts: [WEB, SHOP], secretName: site-tls}]
                  rules:
                  - host: WEB
                    http:
                      paths:
                      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}
                  - host: SHOP
                    http:
                      paths:
                      - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {number: 8000}}}}
                      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
                """.replace("NODE", cluster.realNode()).replace("IMAGE", image)
                .replace("WEB", web).replace("SHOP", shop));
        // the Ingress has no class: the cluster's default IngressClass (kube4j) is filled in by admission, and the
        // controller reports where it serves it
        address = await().atMost(TIMEOUT).until(this::statusAddress, a -> a != null);
        for (String app : new String[] {"web", "api"}) {
            await().atMost(TIMEOUT).until(() -> readyPods(app) > 0);
        }
    }

    @AfterAll
    void tearDown() {
        if (kubectl != null) {
            kubectl.kubectl("delete", "namespace", "-l", "e2e-ingress=" + run, "--ignore-not-found", "--wait=false");
        }
    }

    @Test
    void twoHostsAndAPathRouteToTheirServicesOverHttpAndHttps() {
        assertThat(api.resources(Ingress.class).get(ns, "site").block(TIMEOUT).getSpec().getIngressClassName())
                .as("the default IngressClass, set by admission").isNotBlank();
        // endpoints reach the controller through its informers a moment after the pods turn Ready
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(http(web, "/")).isEqualTo("200 web");
            assertThat(http(shop, "/api/")).isEqualTo("200 api");
        });
        assertThat(http(web, "/api/")).as("host web sends every path to web").isEqualTo("200 web-api");
        assertThat(http(shop, "/")).as("host shop sends the rest to web").isEqualTo("200 web");
        assertThat(http("nobody-" + run + ".e2e.kube4j.test", "/")).startsWith("404");

        assertThat(https(web, "/")).isEqualTo("200 web");
        assertThat(https(shop, "/api/")).isEqualTo("200 api");
        assertThat(https(shop, "/")).isEqualTo("200 web");
        // a name the Secret's certificate does not cover: the controller's fallback certificate, not the cluster CA's
        assertThatThrownBy(() -> https("nobody-" + run + ".e2e.kube4j.test", "/"))
                .hasStackTraceContaining("SSLHandshakeException");
        System.out.println("[IngressIT] " + web + " and " + shop + " served over http://" + address + ":" + httpPort
                + " and https://" + address + ":" + httpsPort + " (certificate from the cluster CA)");
    }

    // ---- helpers ----

    String http(String host, String path) {
        return HttpClient.create().headers(h -> h.set(HttpHeaderNames.HOST, host))
                .get().uri("http://" + address + ":" + httpPort + path)
                .responseSingle((r, body) -> body.asString().defaultIfEmpty("").map(b -> r.status().code() + " " + b.trim()))
                .block(Duration.ofSeconds(10));
    }

    /** GET over HTTPS as {@code host}: SNI {@code host}, trusting only the cluster CA, checking the name. */
    String https(String host, String path) {
        Http11SslContextSpec spec = Http11SslContextSpec.forClient().configure(b -> b.trustManager(ca.certificate()));
        return HttpClient.create().headers(h -> h.set(HttpHeaderNames.HOST, host))
                .secure(s -> s.sslContext(spec).serverNames(new SNIHostName(host)))
                .get().uri("https://" + address + ":" + httpsPort + path)
                .responseSingle((r, body) -> body.asString().defaultIfEmpty("").map(b -> r.status().code() + " " + b.trim()))
                .block(Duration.ofSeconds(10));
    }

    String statusAddress() {
        Ingress ing = api.resources(Ingress.class).get(ns, "site").block(TIMEOUT);
        if (ing.getStatus() == null || ing.getStatus().getLoadBalancer() == null
                || ing.getStatus().getLoadBalancer().getIngress() == null
                || ing.getStatus().getLoadBalancer().getIngress().isEmpty()) {
            return null;
        }
        var lb = ing.getStatus().getLoadBalancer().getIngress().get(0);
        return lb.getIp() != null ? lb.getIp() : lb.getHostname();
    }

    long readyPods(String app) {
        return api.resources(Pod.class).list(ns, io.kube4j.client.ListOptions.all().withLabelSelector("app=" + app))
                .block(TIMEOUT).getItems().stream()
                .filter(p -> p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus()
                        .getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
                .count();
    }

    void apply(String yaml) throws IOException {
        Path f = Files.createTempFile(dir, "manifest", ".yaml");
        Files.writeString(f, yaml);
        kubectl.kubectl("--namespace", ns, "apply", "-f", f.toString()).ok();
    }

    static int port(String env, int fallback) {
        String v = System.getenv(env);
        return v == null || v.isBlank() ? fallback : Integer.parseInt(v.trim());
    }

    /** {@code KUBE4J_E2E_PKI_DIR}, else the directory of the kubeconfig's {@code certificate-authority} file. */
    Path pkiDir() throws IOException {
        String env = System.getenv("KUBE4J_E2E_PKI_DIR");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        Matcher m = Pattern.compile("(?m)^\\s*certificate-authority:\\s*\"?([^\"\\n]+)\"?\\s*$")
                .matcher(Files.readString(cluster.kubeconfig(), StandardCharsets.UTF_8));
        return m.find() ? Path.of(m.group(1)).getParent() : null;
    }
}
