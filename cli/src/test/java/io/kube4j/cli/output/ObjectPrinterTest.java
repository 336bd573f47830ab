package io.kube4j.cli.output;

import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.api.ApiResource;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The printer's formats, decorations and --sort-by, on fixed objects and a fixed clock. */
class ObjectPrinterTest {

    static final ApiResource PODS = new ApiResource("", "v1", "Pod", "pods", "pod", List.of("po"), true,
            List.of("get", "list"), List.of("all"), Set.of("status"));
    static final ApiResource DEPLOYMENTS = new ApiResource("apps", "v1", "Deployment", "deployments", "deployment",
            List.of("deploy"), true, List.of("get", "list"), List.of("all"), Set.of("status", "scale"));
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T01:00:00Z"), ZoneOffset.UTC);

    private static ObjectNode pod(String name, String created, int restarts) {
        return (ObjectNode) Codecs.json().readTree("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","namespace":"ns","creationTimestamp":"%s",
                 "labels":{"app":"web","tier":"front"}},
                 "spec":{"containers":[{"name":"c","image":"nginx"}],"nodeName":"n1"},
                 "status":{"phase":"Running","podIP":"10.0.0.1","containerStatuses":[{"name":"c","ready":true,
                   "restartCount":%d,"state":{"running":{}}}]}}
                """.formatted(name, created, restarts));
    }

    private static String print(PrintOptions o, List<ObjectNode> objects) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        new ObjectPrinter(o, CLOCK).print(objects, PODS, new PrintStream(b, true, StandardCharsets.UTF_8));
        return b.toString(StandardCharsets.UTF_8);
    }

    private static PrintOptions opts(String output) {
        return PrintOptions.of(OutputFormat.parse(output, java.nio.file.Path::of));
    }

    @Test
    void tableWithNamespaceLabelsAndLabelColumns() {
        PrintOptions o = new PrintOptions(OutputFormat.TABLE, false, true, List.of("tier"), true, false, null,
                Colors.NONE);
        assertThat(print(o, List.of(pod("web-1", "2026-01-01T00:58:00Z", 0)))).isEqualTo("""
                NAMESPACE   NAME    READY   STATUS    RESTARTS   AGE   TIER    LABELS
                ns          web-1   1/1     Running   0          2m    front   app=web,tier=front
                """);
    }

    @Test
    void wideAndKindPrefixAndNoHeaders() {
        PrintOptions o = new PrintOptions(OutputFormat.parse("wide", null), true, false, List.of(), false, true, null,
                Colors.NONE);
        assertThat(print(o, List.of(pod("web-1", "2026-01-01T00:00:00Z", 0)))).isEqualTo(
                "pod/web-1   1/1   Running   0   60m   10.0.0.1   n1   <none>   <none>\n");
    }

    @Test
    void nameYamlJsonAndList() {
        List<ObjectNode> two = List.of(pod("a", "2026-01-01T00:00:00Z", 0), pod("b", "2026-01-01T00:00:00Z", 0));
        assertThat(print(opts("name"), two)).isEqualTo("pod/a\npod/b\n");
        String json = print(opts("json"), two);
        assertThat(json).startsWith("{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n        {\n")
                .endsWith("    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n");
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        new ObjectPrinter(opts("yaml"), CLOCK).printObject(two.get(0), DEPLOYMENTS, new PrintStream(b, true));
        assertThat(b.toString()).startsWith("apiVersion: v1\nkind: Pod\nmetadata:\n");
        b.reset();
        new ObjectPrinter(opts("name"), CLOCK).printObject(two.get(0), DEPLOYMENTS, new PrintStream(b, true));
        assertThat(b.toString()).isEqualTo("deployment.apps/a\n");
    }

    @Test
    void customColumnsAndJsonPath() {
        List<ObjectNode> two = List.of(pod("a", "2026-01-01T00:00:00Z", 0), pod("b", "2026-01-01T00:00:00Z", 0));
        assertThat(print(opts("custom-columns=NAME:.metadata.name,IMG:.spec.containers[*].image,X:.nope"), two))
                .isEqualTo("NAME   IMG     X\na      nginx   <none>\nb      nginx   <none>\n");
        assertThat(print(opts("jsonpath={.items[*].metadata.name}"), two)).isEqualTo("a b");
    }

    @Test
    void sortByNumbersAndNaturalStrings() {
        List<ObjectNode> pods = List.of(pod("pod-10", "2026-01-01T00:00:00Z", 5),
                pod("pod-2", "2026-01-01T00:00:00Z", 12), pod("pod-1", "2026-01-01T00:00:00Z", 1));
        PrintOptions byName = new PrintOptions(OutputFormat.parse("name", null), false, false, List.of(), false,
                false, ".metadata.name", Colors.NONE);
        assertThat(print(byName, pods)).isEqualTo("pod/pod-1\npod/pod-2\npod/pod-10\n");
        PrintOptions byRestarts = new PrintOptions(OutputFormat.parse("name", null), false, false, List.of(), false,
                false, "{.status.containerStatuses[0].restartCount}", Colors.NONE);
        assertThat(print(byRestarts, pods)).isEqualTo("pod/pod-1\npod/pod-10\npod/pod-2\n");
    }

    @Test
    void goJsonEscapesLikeGo() {
        assertThat(GoJson.indent(Codecs.json().readTree("{\"a\":\"<x&y>\",\"b\":[],\"c\":{},\"d\":[1,true]}")))
                .isEqualTo("{\n    \"a\": \"\\u003cx\\u0026y\\u003e\",\n    \"b\": [],\n    \"c\": {},\n    \"d\": [\n"
                        + "        1,\n        true\n    ]\n}");
    }
}
