package io.kube4j.addons.ingress.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.kube4j.api.codec.Codecs;
import io.kube4j.security.pki.CertificateAndKey;
import io.kube4j.security.pki.CertificateAuthority;
import io.kube4j.security.pki.CertificateSpec;
import org.junit.jupiter.api.Test;

/** Rendering Ingresses into a table: backends resolved to ready endpoints, rule merging order, TLS by host. */
class RoutingTableBuilderTest {

    private final Map<String, Service> services = new HashMap<>();
    private final Map<String, List<EndpointSlice>> slices = new HashMap<>();
    private final Map<String, Secret> secrets = new HashMap<>();
    private final RoutingTableBuilder builder = new RoutingTableBuilder(new ClusterView() {
        @Override
        public Service service(String namespace, String name) {
            return services.get(namespace + "/" + name);
        }

        @Override
        public List<EndpointSlice> endpointSlices(String namespace, String service) {
            return slices.getOrDefault(namespace + "/" + service, List.of());
        }

        @Override
        public Secret secret(String namespace, String name) {
            return secrets.get(namespace + "/" + name);
        }
    });

    private static <T> T yaml(String s, Class<T> type) {
        return Codecs.yaml().readValue(s, type);
    }

    private void webService() {
        services.put("default/web", yaml("""
                metadata: {name: web, namespace: default}
                spec: {ports: [{name: http, port: 80, targetPort: 8080}, {name: admin, port: 9000, targetPort: admin}]}
                """, Service.class));
        slices.put("default/web", List.of(yaml("""
                metadata: {name: web-abc, namespace: default, labels: {kubernetes.io/service-name: web}}
                addressType: IPv4
                ports: [{name: http, port: 8080}, {name: admin, port: 9901}]
                endpoints:
                - {addresses: [10.0.0.2], conditions: {ready: true}}
                - {addresses: [10.0.0.1]}
                - {addresses: [10.0.0.3], conditions: {ready: false}}
                """, EndpointSlice.class)));
    }

    private static Ingress ingress(String name, String created, String rules) {
        return yaml("metadata: {name: " + name + ", namespace: default, creationTimestamp: '" + created + "'}\n"
                + "spec:\n" + rules, Ingress.class);
    }

    @Test
    void serviceBackendsResolveToTheReadyEndpointsOfTheTargetPort() {
        webService();
        Ingress ing = ingress("i", "2026-01-01T00:00:00Z", """
                  rules:
                  - host: a.example.com
                    http:
                      paths:
                      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
                      - {path: /admin, pathType: Prefix, backend: {service: {name: web, port: {name: admin}}}}
                      - {path: /gone, pathType: Prefix, backend: {service: {name: missing, port: {number: 80}}}}
                      - {path: /noport, pathType: Prefix, backend: {service: {name: web, port: {number: 81}}}}
                """);
        RoutingTable t = builder.build(List.of(ing), 1);
        assertThat(t.route("a.example.com", "/x").orElseThrow().backend().endpoints())
                .containsExactly("10.0.0.1:8080", "10.0.0.2:8080");
        assertThat(t.route("a.example.com", "/admin").orElseThrow().backend().endpoints())
                .containsExactly("10.0.0.1:9901", "10.0.0.2:9901");
        assertThat(t.route("a.example.com", "/gone").orElseThrow().backend().endpoints()).isEmpty();
        assertThat(t.route("a.example.com", "/noport").orElseThrow().backend().endpoints()).isEmpty();
        assertThat(t.route("b.example.com", "/")).isEmpty();
    }

    @Test
    void theOldestIngressWinsTiesAndGivesTheDefaultBackend() {
        webService();
        services.put("default/other", yaml("""
                metadata: {name: other, namespace: default}
                spec: {ports: [{port: 80}]}
                """, Service.class));
        slices.put("default/other", List.of(yaml("""
                metadata: {name: other-1, namespace: default, labels: {kubernetes.io/service-name: other}}
                ports: [{port: 7000}]
                endpoints: [{addresses: [10.0.1.1]}]
                """, EndpointSlice.class)));
        Ingress newer = ingress("newer", "2026-02-01T00:00:00Z", """
                  defaultBackend: {service: {name: other, port: {number: 80}}}
                  rules: [{host: a.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: other, port: {number: 80}}}}]}}]
                """);
        Ingress older = ingress("older", "2026-01-01T00:00:00Z", """
                  defaultBackend: {service: {name: web, port: {number: 80}}}
                  rules: [{host: a.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
                """);
        RoutingTable t = builder.build(List.of(newer, older), 1);
        assertThat(t.route("a.example.com", "/").orElseThrow().backend().ingress()).isEqualTo("older");
        assertThat(t.defaultBackend().ingress()).isEqualTo("older");
        assertThat(t.route("unknown", "/").orElseThrow().backend().endpoints()).containsExactly("10.0.0.1:8080", "10.0.0.2:8080");
    }

    @Test
    void tlsSecretsServeTheirHostsAndBrokenOnesAreSkipped() {
        CertificateAuthority ca = CertificateAuthority.create("test-ca");
        CertificateAndKey cert = ca.issue(CertificateSpec.server("a.example.com", List.of("a.example.com")));
        secrets.put("default/good", tlsSecret("good", cert.certificatePem(), cert.keyPem()));
        secrets.put("default/bad", tlsSecret("bad", "not a cert", "not a key"));
        Ingress ing = ingress("i", "2026-01-01T00:00:00Z", """
                  tls:
                  - {hosts: [a.example.com, '*.w.example.com'], secretName: good}
                  - {hosts: [b.example.com], secretName: bad}
                  - {hosts: [c.example.com], secretName: absent}
                  defaultBackend: {service: {name: web, port: {number: 80}}}
                """);
        TlsCertificates tls = builder.build(List.of(ing), 1).tls();
        assertThat(tls.forServerName("a.example.com")).isNotNull();
        assertThat(tls.forServerName("x.w.example.com")).isSameAs(tls.forServerName("a.example.com"));
        assertThat(tls.forServerName("b.example.com")).isNull();
        assertThat(tls.forServerName("c.example.com")).isNull();
        assertThat(tls.forServerName("y.x.w.example.com")).isNull();
        // an unrelated rebuild reuses the parsed certificate
        assertThat(builder.build(List.of(ing), 2).tls().forServerName("a.example.com"))
                .isSameAs(tls.forServerName("a.example.com"));
    }

    private static Secret tlsSecret(String name, String crt, String key) {
        Secret s = new Secret();
        s.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMeta());
        s.getMetadata().setName(name);
        s.getMetadata().setNamespace("default");
        s.setType("kubernetes.io/tls");
        s.setData(Map.of("tls.crt", b64(crt), "tls.key", b64(key)));
        return s;
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
