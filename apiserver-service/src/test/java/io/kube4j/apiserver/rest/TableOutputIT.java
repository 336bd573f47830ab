package io.kube4j.apiserver.rest;

import io.kube4j.api.codec.Codecs;
import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Server-side printing over raw HTTP: {@code as=Table} and {@code as=PartialObjectMetadata(List)} for get, list and
 * watch, {@code includeObject}, the Content-Type Kubernetes answers with, and 406 for conversions not served.
 */
class TableOutputIT {

    private static final String NS = "tables-raw";
    private static final String TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io";
    private static final String KUBECTL_ACCEPT = TABLE + ",application/json;as=Table;v=v1beta1;g=meta.k8s.io,"
            + "application/json";
    private static final String PODS = "/api/v1/namespaces/" + NS + "/pods";

    private static ApiClient api;
    private static ApiServerInstance server;

    @BeforeAll
    static void setUp() {
        server = ApiServerInstance.shared();
        api = server.client();
        assertThat(api.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + NS + "\"}}").code()).isEqualTo(201);
        assertThat(api.post(PODS, pod("creating")).code()).isEqualTo(201);
        setStatus("creating", """
                {"phase":"Pending","containerStatuses":[{"name":"c","image":"nginx","imageID":"","ready":false,
                 "restartCount":0,"state":{"waiting":{"reason":"ContainerCreating"}}}]}""");
        assertThat(api.post(PODS, pod("done")).code()).isEqualTo(201);
        setStatus("done", """
                {"phase":"Succeeded","containerStatuses":[{"name":"c","image":"nginx","imageID":"","ready":false,
                 "restartCount":0,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}""");
    }

    private static String pod(String name) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":{\"app\":\"t\"}},"
                + "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}]}}";
    }

    private static void setStatus(String name, String status) {
        ApiClient.Response r = api.mergePatch(PODS + "/" + name + "/status", "{\"status\":" + status + "}");
        assertThat(r.code()).as(r.body()).isEqualTo(200);
    }

    private static ApiClient.Response get(String path, String accept) {
        return api.send(HttpRequest.newBuilder(api.uri(path)).GET(), accept);
    }

    private static List<String> columns(JsonNode table) {
        List<String> out = new ArrayList<>();
        table.path("columnDefinitions").forEach(c -> out.add(c.path("name").asString()));
        return out;
    }

    private static JsonNode row(JsonNode table, String name) {
        for (JsonNode r : table.path("rows")) {
            if (r.path("cells").get(0).asString().equals(name)) {
                return r;
            }
        }
        throw new AssertionError("no row " + name + " in " + table);
    }

    @Test
    void listAsTableAsKubectlAsksForIt() {
        ApiClient.Response r = get(PODS + "?limit=500", KUBECTL_ACCEPT);

        assertThat(r.code()).as(r.body()).isEqualTo(200);
        assertThat(r.header("Content-Type")).isEqualTo(TABLE);
        JsonNode t = r.json();
        assertThat(t.path("kind").asString()).isEqualTo("Table");
        assertThat(t.path("apiVersion").asString()).isEqualTo("meta.k8s.io/v1");
        assertThat(t.path("metadata").path("resourceVersion").asString()).isNotEmpty();
        assertThat(columns(t)).containsExactly("Name", "Ready", "Status", "Restarts", "Age", "IP", "Node",
                "Nominated Node", "Readiness Gates");
        assertThat(t.path("columnDefinitions").get(0).path("format").asString()).isEqualTo("name");
        assertThat(t.path("columnDefinitions").get(5).path("priority").asInt()).isEqualTo(1);
        JsonNode creating = row(t, "creating");
        assertThat(creating.path("cells").get(1).asString()).isEqualTo("0/1");
        assertThat(creating.path("cells").get(2).asString()).isEqualTo("ContainerCreating");
        assertThat(creating.path("cells").get(3).asString()).isEqualTo("0");
        assertThat(creating.path("object").path("kind").asString()).isEqualTo("PartialObjectMetadata");
        assertThat(creating.path("object").path("apiVersion").asString()).isEqualTo("meta.k8s.io/v1");
        assertThat(creating.path("object").path("metadata").path("namespace").asString()).isEqualTo(NS);
        assertThat(creating.path("object").path("metadata").path("labels").path("app").asString()).isEqualTo("t");
        assertThat(creating.path("object").has("spec")).isFalse();
        JsonNode done = row(t, "done");
        assertThat(done.path("cells").get(2).asString()).isEqualTo("Completed");
        assertThat(done.path("conditions").get(0).path("type").asString()).isEqualTo("Completed");
    }

    @Test
    void paginatedTableCarriesTheContinueToken() {
        JsonNode t = get(PODS + "?limit=1", TABLE).json();
        assertThat(t.path("rows")).hasSize(1);
        assertThat(t.path("metadata").path("continue").asString()).isNotEmpty();
    }

    @Test
    void includeObjectModes() {
        JsonNode object = get(PODS + "?includeObject=Object", TABLE).json();
        JsonNode full = row(object, "creating").path("object");
        assertThat(full.path("kind").asString()).isEqualTo("Pod");
        assertThat(full.path("spec").path("containers").get(0).path("image").asString()).isEqualTo("nginx");

        JsonNode none = get(PODS + "?includeObject=None", TABLE).json();
        assertThat(row(none, "creating").has("object")).isFalse();

        ApiClient.Response bad = get(PODS + "?includeObject=Everything", TABLE);
        assertThat(bad.code()).isEqualTo(400);
        assertThat(bad.json().path("kind").asString()).isEqualTo("Status");
        assertThat(bad.json().path("message").asString()).contains("includeObject");
    }

    @Test
    void getAsTableAndV1beta1() {
        ApiClient.Response r = get(PODS + "/creating", "application/json;as=Table;v=v1beta1;g=meta.k8s.io");
        assertThat(r.code()).isEqualTo(200);
        assertThat(r.header("Content-Type")).isEqualTo("application/json;as=Table;v=v1beta1;g=meta.k8s.io");
        assertThat(r.json().path("apiVersion").asString()).isEqualTo("meta.k8s.io/v1beta1");
        assertThat(r.json().path("rows")).hasSize(1);
        assertThat(r.json().path("rows").get(0).path("object").path("apiVersion").asString())
                .isEqualTo("meta.k8s.io/v1beta1");

        ApiClient.Response cached = get(PODS + "/creating?resourceVersion=0", TABLE);
        assertThat(cached.json().path("rows").get(0).path("cells").get(2).asString()).isEqualTo("ContainerCreating");
    }

    @Test
    void kindsWithoutPrinterGetTheDefaultTable() {
        String lr = "/api/v1/namespaces/" + NS + "/limitranges";
        assertThat(api.post(lr, "{\"metadata\":{\"name\":\"lr\"},\"spec\":{\"limits\":[{\"type\":\"Container\","
                + "\"max\":{\"cpu\":\"2\"}}]}}").code()).isEqualTo(201);
        JsonNode t = get(lr, TABLE).json();
        assertThat(columns(t)).containsExactly("Name", "Created At");
        assertThat(t.path("columnDefinitions").get(1).path("type").asString()).isEqualTo("date");
        assertThat(t.path("rows").get(0).path("cells").get(1).asString()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    }

    @Test
    void integerColumnsAreNumbers() {
        String cms = "/api/v1/namespaces/" + NS + "/configmaps";
        assertThat(api.post(cms, "{\"metadata\":{\"name\":\"two\"},\"data\":{\"a\":\"1\",\"b\":\"2\"}}").code())
                .isEqualTo(201);
        JsonNode cells = row(get(cms, TABLE).json(), "two").path("cells");
        assertThat(cells.get(1).isNumber()).isTrue();
        assertThat(cells.get(1).asInt()).isEqualTo(2);
    }

    @Test
    void partialObjectMetadataForGetAndList() {
        String accept = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";
        ApiClient.Response one = get(PODS + "/creating", accept);
        assertThat(one.header("Content-Type")).isEqualTo("application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io");
        assertThat(one.json().path("kind").asString()).isEqualTo("PartialObjectMetadata");
        assertThat(one.json().path("metadata").path("name").asString()).isEqualTo("creating");
        assertThat(one.json().has("spec")).isFalse();

        ApiClient.Response list = get(PODS,
                "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json");
        assertThat(list.json().path("kind").asString()).isEqualTo("PartialObjectMetadataList");
        assertThat(list.json().path("metadata").path("resourceVersion").asString()).isNotEmpty();
        assertThat(list.json().path("items")).hasSizeGreaterThanOrEqualTo(2);
        assertThat(list.json().path("items").get(0).path("kind").asString()).isEqualTo("PartialObjectMetadata");
        assertThat(list.json().path("items").get(0).has("status")).isFalse();
    }

    @Test
    void conversionsNotServedAreNotAcceptable() {
        ApiClient.Response unknown = get(PODS, "application/json;as=Everything;g=meta.k8s.io;v=v1");
        assertThat(unknown.code()).isEqualTo(406);
        assertThat(unknown.json().path("reason").asString()).isEqualTo("NotAcceptable");

        ApiClient.Response wrongGroup = get(PODS, "application/json;as=Table;g=example.io;v=v1");
        assertThat(wrongGroup.code()).isEqualTo(406);

        ApiClient.Response listForGet = get(PODS + "/creating",
                "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1");
        assertThat(listForGet.code()).isEqualTo(406);

        // The next acceptable clause is used: here the plain object.
        ApiClient.Response fallback = get(PODS + "/creating", "application/json;as=Everything;g=meta.k8s.io;v=v1,"
                + "application/json");
        assertThat(fallback.code()).isEqualTo(200);
        assertThat(fallback.json().path("kind").asString()).isEqualTo("Pod");
        // and here the v1beta1 Table, after a protobuf clause this server does not write
        ApiClient.Response beta = get(PODS, "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,"
                + "application/json;as=Table;v=v1beta1;g=meta.k8s.io");
        assertThat(beta.json().path("apiVersion").asString()).isEqualTo("meta.k8s.io/v1beta1");
    }

    private static Thread read(HttpResponse<Stream<String>> resp, List<JsonNode> events) {
        Thread t = new Thread(() -> resp.body().filter(l -> !l.isBlank())
                .forEach(l -> events.add(Codecs.json().readTree(l))), "watch-reader");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    void watchSendsTablesWithColumnsOnlyInTheFirstEvent() throws Exception {
        String rv = get(PODS, "application/json").json().path("metadata").path("resourceVersion").asString();
        List<JsonNode> events = new CopyOnWriteArrayList<>();
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest req = HttpRequest.newBuilder(URI.create(server.url() + PODS + "?watch=true&resourceVersion=" + rv
                + "&fieldSelector=metadata.name%3Dcreating")).header("Accept", KUBECTL_ACCEPT).build();
        var response = http.sendAsync(req, HttpResponse.BodyHandlers.ofLines());
        HttpResponse<Stream<String>> resp = response.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(resp.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        Thread reader = read(resp, events);
        try {
            api.mergePatch(PODS + "/creating", "{\"metadata\":{\"labels\":{\"step\":\"1\"}}}");
            api.mergePatch(PODS + "/creating", "{\"metadata\":{\"labels\":{\"step\":\"2\"}}}");
            await().atMost(Duration.ofSeconds(10)).until(() -> events.size() >= 2);
            JsonNode first = events.get(0);
            assertThat(first.path("type").asString()).isEqualTo("MODIFIED");
            assertThat(first.path("object").path("kind").asString()).isEqualTo("Table");
            assertThat(columns(first.path("object"))).startsWith("Name", "Ready", "Status");
            JsonNode second = events.get(1).path("object");
            assertThat(second.path("columnDefinitions").isEmpty()).isTrue();
            assertThat(second.path("rows").get(0).path("cells").get(2).asString()).isEqualTo("ContainerCreating");
            assertThat(second.path("rows").get(0).path("object").path("metadata").path("labels").path("step")
                    .asString()).isEqualTo("2");
        } finally {
            reader.interrupt();
            resp.body().close();
        }
    }

    @Test
    void watchSendsPartialObjectMetadata() throws Exception {
        String rv = get(PODS, "application/json").json().path("metadata").path("resourceVersion").asString();
        List<JsonNode> events = new CopyOnWriteArrayList<>();
        HttpRequest req = HttpRequest.newBuilder(URI.create(server.url() + PODS + "?watch=true&resourceVersion=" + rv
                + "&fieldSelector=metadata.name%3Ddone"))
                .header("Accept", "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json")
                .build();
        HttpResponse<Stream<String>> resp = HttpClient.newHttpClient().sendAsync(req,
                HttpResponse.BodyHandlers.ofLines()).get(10, java.util.concurrent.TimeUnit.SECONDS);
        Thread reader = read(resp, events);
        try {
            api.mergePatch(PODS + "/done", "{\"metadata\":{\"annotations\":{\"seen\":\"yes\"}}}");
            await().atMost(Duration.ofSeconds(10)).until(() -> !events.isEmpty());
            JsonNode o = events.get(0).path("object");
            assertThat(o.path("kind").asString()).isEqualTo("PartialObjectMetadata");
            assertThat(o.path("metadata").path("annotations").path("seen").asString()).isEqualTo("yes");
            assertThat(o.has("spec")).isFalse();
        } finally {
            reader.interrupt();
            resp.body().close();
        }
    }
}
