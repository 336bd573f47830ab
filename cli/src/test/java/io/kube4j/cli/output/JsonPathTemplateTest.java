package io.kube4j.cli.output;

import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.command.UsageException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** kubectl's JSONPath templates over a v1 List of two pods. */
class JsonPathTemplateTest {

    private static final JsonNode LIST = Codecs.json().readTree("""
            {"apiVersion":"v1","kind":"List","items":[
              {"metadata":{"name":"a","labels":{"app":"web","app.kubernetes.io/name":"x"}},
               "spec":{"containers":[{"name":"c1","image":"nginx"},{"name":"c2","image":"busybox"}]},
               "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"},
                                                         {"type":"PodScheduled","status":"True"}]}},
              {"metadata":{"name":"b"},"spec":{"containers":[{"name":"c","image":"redis"}]},
               "status":{"phase":"Pending","conditions":[{"type":"Ready","status":"False"}]}}]}
            """);

    private static String run(String template) {
        return JsonPathTemplate.parse(template).execute(LIST);
    }

    @Test
    void wildcardResultsAreSpaceSeparated() {
        assertThat(run("{.items[*].metadata.name}")).isEqualTo("a b");
    }

    @Test
    void rangeWithLiterals() {
        assertThat(run("{range .items[*]}{.metadata.name}{\"\\t\"}{.status.phase}{\"\\n\"}{end}"))
                .isEqualTo("a\tRunning\nb\tPending\n");
    }

    @Test
    void nestedRangeAndText() {
        assertThat(run("{range .items[*]}{.metadata.name}:{range .spec.containers[*]} {.image}{end};{end}"))
                .isEqualTo("a: nginx busybox;b: redis;");
    }

    @Test
    void filters() {
        assertThat(run("{.items[0].status.conditions[?(@.type==\"Ready\")].status}")).isEqualTo("True");
        assertThat(run("{.items[*].status.conditions[?(@.type=='Ready')].status}")).isEqualTo("True False");
    }

    @Test
    void mapsAndListsPrintAsJsonAndMissingFieldsAsNothing() {
        assertThat(run("{.items[0].metadata.labels}")).isEqualTo("{\"app\":\"web\",\"app.kubernetes.io/name\":\"x\"}");
        assertThat(run("x{.items[1].metadata.labels}y")).isEqualTo("xy");
        assertThat(run("{.kind}")).isEqualTo("List");
    }

    @Test
    void escapedDotsInKeys() {
        assertThat(run("{.items[0].metadata.labels.app\\.kubernetes\\.io/name}")).isEqualTo("x");
    }

    @Test
    void relaxedExpressionsAndValues() {
        JsonNode pod = LIST.path("items").path(0);
        assertThat(JsonPathTemplate.relaxed("metadata.name").values(pod)).containsExactly("a");
        assertThat(JsonPathTemplate.relaxed(".spec.containers[*].image").values(pod)).containsExactly("nginx", "busybox");
        assertThat(JsonPathTemplate.relaxed("{.status.phase}").values(pod)).containsExactly("Running");
        assertThat(JsonPathTemplate.goText(JsonPathTemplate.relaxed(".metadata.labels").values(pod).get(0)))
                .isEqualTo("map[app:web app.kubernetes.io/name:x]");
    }

    @Test
    void syntaxErrors() {
        assertThatThrownBy(() -> JsonPathTemplate.parse("{.items[*]")).isInstanceOf(UsageException.class)
                .hasMessageContaining("unclosed action");
        assertThatThrownBy(() -> JsonPathTemplate.parse("{range .items[*]}{.a}")).isInstanceOf(UsageException.class)
                .hasMessageContaining("{end}");
        assertThatThrownBy(() -> JsonPathTemplate.parse("{end}")).isInstanceOf(UsageException.class);
    }
}
