package io.kube4j.apiserver.registry;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Repeated keys as Kubernetes' strict JSON and YAML decoders report them. */
class DuplicateFieldsTest {

    private static List<String> json(String s) {
        return DuplicateFields.find(s.getBytes(StandardCharsets.UTF_8), false);
    }

    private static List<String> yaml(String s) {
        return DuplicateFields.find(s.getBytes(StandardCharsets.UTF_8), true);
    }

    @Test
    void noRepeatsNoErrors() {
        assertThat(json("{\"a\":1,\"b\":{\"a\":2},\"c\":[{\"a\":1},{\"a\":2}]}")).isEmpty();
    }

    @Test
    void jsonRepeatsAreNamedByTheirFullPath() {
        assertThat(json("""
                {"metadata":{"name":"a","name":"b"},"spec":{"paused":true,"paused":false,
                 "template":{"spec":{"containers":[{"name":"c","image":"x"},{"name":"d","ports":[{"hostPort":1,"hostPort":2}]}]}}}}"""))
                .containsExactly("duplicate field \"metadata.name\"", "duplicate field \"spec.paused\"",
                        "duplicate field \"spec.template.spec.containers[1].ports[0].hostPort\"");
    }

    @Test
    void topLevelAndArraysOfScalarsKeepIndexes() {
        assertThat(json("{\"kind\":\"Pod\",\"args\":[\"a\",\"b\"],\"x\":[[1],{\"k\":1,\"k\":2}],\"kind\":\"Pod\"}"))
                .containsExactly("duplicate field \"x[1].k\"", "duplicate field \"kind\"");
    }

    @Test
    void yamlRepeatsAreNamedByLine() {
        assertThat(yaml("""
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: a
                  name: b
                data:
                  k: v
                  other: w
                  k: z
                """)).containsExactly("line 5: key \"name\" already set in map", "line 9: key \"k\" already set in map");
    }

    @Test
    void malformedBodiesAreLeftToTheDecoder() {
        assertThat(json("{\"a\":1,\"b\":")).isEmpty();
        assertThat(json("not json")).isEmpty();
    }

    @Test
    void strictMessageAndWarnings() {
        List<String> yamlDupes = List.of("line 5: key \"name\" already set in map");
        assertThat(DuplicateFields.strictErrors(yamlDupes, true, List.of("spec.foo")))
                .containsExactly("yaml: unmarshal errors:\n  line 5: key \"name\" already set in map",
                        "unknown field \"spec.foo\"");
        assertThat(DuplicateFields.warnings(List.of("duplicate field \"a\""), List.of("spec.foo")))
                .containsExactly("duplicate field \"a\"", "unknown field \"spec.foo\"");
    }
}
