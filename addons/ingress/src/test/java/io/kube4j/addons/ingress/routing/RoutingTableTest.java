package io.kube4j.addons.ingress.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Path and host matching: the "Examples" table of Kubernetes' Ingress documentation (path types, trailing slashes,
 * element-wise prefixes, longest match, Exact over Prefix) and its hostname wildcard table.
 */
class RoutingTableTest {

    private static Backend backend(String name) {
        return new Backend("default", "ing", name, List.of("127.0.0.1:1"));
    }

    /** A table with one any-host group of {@code specs} ("Prefix /foo" ...); backends are named "Type path". */
    private static RoutingTable table(String specs) {
        List<PathRule> rules = new ArrayList<>();
        for (String spec : specs.split(";")) {
            String[] parts = spec.trim().split(" ");
            rules.add(PathRule.of(parts[1], parts[0], backend(parts[0] + " " + parts[1])));
        }
        return new RoutingTable(Map.of(), Map.of(), new HostRoutes("", rules), null, TlsCertificates.NONE, 1);
    }

    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            // Kind | Path(s) | Request path | Matches? (the backend that serves it, or none)
            "Prefix /                              | /                | Prefix /",
            "Prefix /                              | /anything/at/all | Prefix /",
            "Exact /foo                            | /foo             | Exact /foo",
            "Exact /foo                            | /bar             | none",
            "Exact /foo                            | /foo/            | none",
            "Exact /foo/                           | /foo             | none",
            "Prefix /foo                           | /foo             | Prefix /foo",
            "Prefix /foo                           | /foo/            | Prefix /foo",
            "Prefix /foo/                          | /foo             | Prefix /foo/",
            "Prefix /foo/                          | /foo/            | Prefix /foo/",
            "Prefix /aaa/bb                        | /aaa/bbb         | none",
            "Prefix /aaa/bbb                       | /aaa/bbb         | Prefix /aaa/bbb",
            "Prefix /aaa/bbb/                      | /aaa/bbb         | Prefix /aaa/bbb/",
            "Prefix /aaa/bbb                       | /aaa/bbb/        | Prefix /aaa/bbb",
            "Prefix /aaa/bbb                       | /aaa/bbb/ccc     | Prefix /aaa/bbb",
            "Prefix /aaa/bbb                       | /aaa/bbbxyz      | none",
            "Prefix /; Prefix /aaa                 | /aaa/ccc         | Prefix /aaa",
            "Prefix /; Prefix /aaa; Prefix /aaa/bbb | /aaa/bbb        | Prefix /aaa/bbb",
            "Prefix /; Prefix /aaa; Prefix /aaa/bbb | /ccc            | Prefix /",
            "Prefix /aaa                           | /ccc             | none",
            "Prefix /foo; Exact /foo               | /foo             | Exact /foo",
            "Exact /foo; Prefix /foo               | /foo             | Exact /foo",
            "Prefix /foo; Exact /foo               | /foo/x           | Prefix /foo",
            // beyond the docs: the query is not part of the path, ImplementationSpecific is a Prefix, paths are case-sensitive
            "Exact /foo                            | /foo?x=1         | Exact /foo",
            "ImplementationSpecific /api           | /api/v1          | ImplementationSpecific /api",
            "Prefix /Foo                           | /foo             | none",
    })
    void kubernetesPathExamples(String paths, String request, String expected) {
        Optional<RouteMatch> m = table(paths).route("example.com", request);
        assertThat(m.map(r -> r.backend().description()).orElse("none")).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} vs Host {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            // the docs' hostname wildcard table
            "*.foo.com | bar.foo.com     | wildcard",
            "*.foo.com | baz.bar.foo.com | none",
            "*.foo.com | foo.com         | none",
            // exact hosts win over wildcards, port and case of the Host header are ignored
            "*.foo.com | exact.foo.com   | exact",
            "*.foo.com | EXACT.foo.com:8080 | exact",
    })
    void hostWildcards(String wildcard, String host, String expected) {
        RoutingTable t = new RoutingTable(
                Map.of("exact.foo.com", new HostRoutes("exact.foo.com", List.of(PathRule.of("/", "Prefix", backend("exact"))))),
                Map.of(wildcard.substring(1), new HostRoutes(wildcard, List.of(PathRule.of("/", "Prefix", backend("wildcard"))))),
                null, null, TlsCertificates.NONE, 1);
        assertThat(t.route(host, "/").map(r -> r.backend().description()).orElse("none")).isEqualTo(expected);
    }

    @Test
    void aHostWithoutAMatchingPathFallsThroughToAnyHostRulesThenTheDefaultBackend() {
        RoutingTable t = new RoutingTable(
                Map.of("a.example.com", new HostRoutes("a.example.com", List.of(PathRule.of("/api", "Prefix", backend("api"))))),
                Map.of(), new HostRoutes("", List.of(PathRule.of("/static", "Prefix", backend("static")))),
                backend("default"), TlsCertificates.NONE, 1);
        assertThat(t.route("a.example.com", "/api/x").orElseThrow().backend().description()).isEqualTo("api");
        assertThat(t.route("a.example.com", "/api/x").orElseThrow().host()).isEqualTo("a.example.com");
        assertThat(t.route("a.example.com", "/static/x").orElseThrow().backend().description()).isEqualTo("static");
        assertThat(t.route("a.example.com", "/other").orElseThrow().backend().description()).isEqualTo("default");
        assertThat(t.route("a.example.com", "/other").orElseThrow().host()).isEqualTo("*");
        assertThat(t.route(null, "/static").orElseThrow().backend().description()).isEqualTo("static");
    }

    @Test
    void backendsRoundRobinOverTheirEndpointsAndAnEmptyOneHasNone() {
        Backend b = new Backend("ns", "i", "svc:80", List.of("10.0.0.1:8080", "10.0.0.2:8080"));
        assertThat(List.of(b.next().orElseThrow(), b.next().orElseThrow(), b.next().orElseThrow()))
                .containsExactly("10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.1:8080");
        assertThat(new Backend("ns", "i", "svc:80", List.of()).next()).isEmpty();
    }
}
