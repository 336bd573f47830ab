package io.kube4j.api.printing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import io.kube4j.api.codec.Codecs;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** kubectl's columns for Ingresses and IngressClasses (printIngress, printIngressClass). */
class IngressPrintersTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:10:00Z");

    private static JsonNode yaml(String s) {
        return Codecs.yaml().readValue(s, JsonNode.class);
    }

    @Test
    void ingressColumns() {
        TablePrinter p = TablePrinters.of("networking.k8s.io", "Ingress");
        JsonNode ing = yaml("""
                metadata: {name: web, creationTimestamp: '2026-01-01T00:00:00Z'}
                spec:
                  ingressClassName: kube4j
                  tls: [{hosts: [a.example.com], secretName: s}]
                  rules: [{host: a.example.com}, {host: b.example.com}, {}, {host: c.example.com}, {host: d.example.com}]
                status: {loadBalancer: {ingress: [{ip: 10.0.0.5}]}}
                """);
        assertThat(p.cells(ing, NOW, false)).containsExactly("web", "kube4j", "a.example.com,b.example.com,c.example.com + 2 more...",
                "10.0.0.5", "80, 443", "10m");
        JsonNode bare = yaml("""
                metadata: {name: d, creationTimestamp: '2026-01-01T00:00:00Z'}
                spec: {defaultBackend: {service: {name: x, port: {number: 80}}}}
                """);
        assertThat(p.cells(bare, NOW, false)).containsExactly("d", "<none>", "*", "", "80", "10m");
    }

    @Test
    void ingressClassColumns() {
        TablePrinter p = TablePrinters.of("networking.k8s.io", "IngressClass");
        assertThat(p.cells(yaml("""
                metadata: {name: kube4j, creationTimestamp: '2026-01-01T00:00:00Z'}
                spec: {controller: kube4j.io/ingress, parameters: {apiGroup: k.io, kind: Cfg, name: c}}
                """), NOW, false)).containsExactly("kube4j", "kube4j.io/ingress", "Cfg.k.io/c", "10m");
        assertThat(p.cells(yaml("""
                metadata: {name: k, creationTimestamp: '2026-01-01T00:00:00Z'}
                spec: {controller: kube4j.io/ingress}
                """), NOW, false)).containsExactly("k", "kube4j.io/ingress", "<none>", "10m");
    }
}
