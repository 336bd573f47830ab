package io.kube4j.cli.commands.apply;

import io.kube4j.api.codec.Codecs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link ThreeWayMerge}: a table of (last applied, file, live) → patch, in YAML flow style for brevity. */
class ThreeWayMergeTest {

    private static JsonNode y(String flow) {
        return flow.equals("-") ? null : Codecs.yaml().readTree(flow);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            nothing changed                         | {a: 1, b: {c: x}}         | {a: 1, b: {c: x}}         | {a: 1, b: {c: x}, s: 9}         | {}
            a field removed from the file           | {a: 1, b: 2}              | {a: 1}                    | {a: 1, b: 2}                    | {b: null}
            a nested field removed                  | {m: {x: 1, y: 2}}         | {m: {x: 1}}               | {m: {x: 1, y: 2, z: 3}}         | {m: {y: null}}
            removed, and already gone on the server | {a: 1, b: 2}              | {a: 1}                    | {a: 1}                          | {}
            a field another writer set is kept      | {a: 1}                    | {a: 1}                    | {a: 1, other: 5}                | {}
            a value changed                         | {a: 1}                    | {a: 2}                    | {a: 1}                          | {a: 2}
            another writer changed my field         | {a: 1}                    | {a: 1}                    | {a: 7}                          | {a: 1}
            a field added                           | {a: 1}                    | {a: 1, n: {k: v}}         | {a: 1}                          | {n: {k: v}}
            no last applied: nothing deleted        | -                         | {a: 1}                    | {a: 1, b: 2}                    | {}
            numbers compare by value                | {p: 80}                   | {p: 80}                   | {p: 80.0}                       | {}
            list with server defaults is unchanged  | {l: [{n: a}]}             | {l: [{n: a}]}             | {l: [{n: a, pol: Always}]}      | {}
            list unchanged, no last applied         | -                         | {l: [{n: a}]}             | {l: [{n: a, pol: Always}]}      | {}
            a field removed inside a list element   | {l: [{n: a, env: [1]}]}   | {l: [{n: a}]}             | {l: [{n: a, env: [1], d: 0}]}   | {l: [{n: a}]}
            an element added to a list              | {l: [{n: a}]}             | {l: [{n: a}, {n: b}]}     | {l: [{n: a, d: 0}]}             | {l: [{n: a}, {n: b}]}
            a list someone else grew                | {l: [a]}                  | {l: [a]}                  | {l: [a, b]}                     | {l: [a]}
            a scalar list element changed           | {l: [a, b]}               | {l: [a, c]}               | {l: [a, b]}                     | {l: [a, c]}
            an object replaced by a scalar          | {a: {x: 1}}               | {a: 3}                    | {a: {x: 1}}                     | {a: 3}
            explicit null removes                   | {a: 1}                    | {a: null}                 | {a: 1}                          | {a: null}
            """)
    void patches(String name, String original, String modified, String current, String expected) {
        ObjectNode patch = ThreeWayMerge.patch(y(original), y(modified), y(current));
        assertThat(patch).as(name).isEqualTo(y(expected));
    }

    @Test
    void theLastAppliedAnnotationIsKubectlsText() {
        ObjectNode o = (ObjectNode) Codecs.yaml().readTree("""
                kind: ConfigMap
                apiVersion: v1
                metadata: {name: c, namespace: d}
                data: {z: "1", a: "2"}
                """);
        assertThat(ApplyCommand.lastAppliedValue(o)).isEqualTo(
                "{\"apiVersion\":\"v1\",\"data\":{\"a\":\"2\",\"z\":\"1\"},\"kind\":\"ConfigMap\","
                        + "\"metadata\":{\"annotations\":{},\"name\":\"c\",\"namespace\":\"d\"}}\n");
        ObjectNode sent = ApplyCommand.withLastApplied(o);
        assertThat(ApplyCommand.lastApplied(sent)).isEqualTo(Codecs.json().readTree(ApplyCommand.lastAppliedValue(o)));
        assertThat(ApplyCommand.lastAppliedValue(sent)).isEqualTo(ApplyCommand.lastAppliedValue(o));
    }
}
