package io.kube4j.apiserver.fuzz;

import io.kube4j.api.codec.Codecs;
import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Thousands of generated bad requests (seeded: {@code -Dfuzz.seed=N} replays a run) against several resources:
 * malformed JSON and YAML, bodies over the size limit, 10k-level nesting, wrong types for known fields, unknown
 * kinds, odd paths and names, garbage query parameters, every verb and patch type. Every answer must be a 4xx
 * without a stack trace, the server must stay ready, and the objects stored before must be unchanged after.
 */
class BadInputFuzzIT {

    private static final int REQUESTS = 2000;
    private static final Pattern STACK_TRACE = Pattern.compile("\\bat [a-z][\\w$]*(\\.[\\w$]+)+\\(|\\tat |Exception:");
    private static final String NS = "fuzz-" + UUID.randomUUID().toString().substring(0, 8);

    /** A resource to aim at: its collection, an existing object, and a body that is valid for it. */
    record Target(String collection, String existing, String validBody, List<String> wrongTypes) {
        String name() {
            return existing.substring(existing.lastIndexOf('/') + 1);
        }
    }

    record Req(String method, String path, String contentType, byte[] body, String what) {
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private static List<Target> targets() {
        String ns = "/api/v1/namespaces/" + NS;
        return List.of(
                new Target(ns + "/configmaps", ns + "/configmaps/cm1",
                        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm1\",\"labels\":{\"a\":\"b\"}},\"data\":{\"k\":\"v\"}}",
                        List.of("\"data\":[1,2,3]", "\"data\":{\"k\":{\"n\":1}}", "\"immutable\":{\"yes\":1}", "\"binaryData\":[\"x\"]")),
                new Target(ns + "/secrets", ns + "/secrets/s1",
                        "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s1\"},\"type\":\"Opaque\",\"data\":{\"k\":\"dg==\"}}",
                        List.of("\"type\":{\"t\":1}", "\"data\":[1]", "\"stringData\":{\"k\":[1]}")),
                new Target(ns + "/pods", ns + "/pods/p1",
                        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p1\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox:1\",\"ports\":[{\"containerPort\":80}],\"resources\":{\"limits\":{\"cpu\":\"100m\"}}}]}}",
                        List.of("\"spec\":\"spec\"", "\"spec\":{\"containers\":{\"name\":\"c\"}}",
                                "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"ports\":[{\"containerPort\":\"eighty\"}]}]}",
                                "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"resources\":{\"limits\":{\"cpu\":\"lots\"}}}]}",
                                "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}],\"priority\":\"high\"}",
                                "\"status\":\"ok\"")),
                new Target(ns + "/services", ns + "/services/svc1",
                        "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"svc1\"},\"spec\":{\"selector\":{\"a\":\"b\"},\"ports\":[{\"port\":80,\"targetPort\":8080}]}}",
                        List.of("\"spec\":{\"ports\":[{\"port\":\"http\"}]}", "\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":{\"a\":1}}]}",
                                "\"spec\":{\"selector\":[\"a\"]}", "\"spec\":{\"ports\":[{\"port\":99999999999}]}")),
                new Target("/apis/apps/v1/namespaces/" + NS + "/deployments", "/apis/apps/v1/namespaces/" + NS + "/deployments/d1",
                        "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"d1\"},\"spec\":{\"replicas\":1,\"selector\":{\"matchLabels\":{\"a\":\"b\"}},\"template\":{\"metadata\":{\"labels\":{\"a\":\"b\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox:1\"}]}}}}",
                        List.of("\"spec\":{\"replicas\":\"three\"}", "\"spec\":{\"replicas\":1e400}",
                                "\"spec\":{\"replicas\":99999999999999999999}", "\"spec\":{\"template\":{\"spec\":{\"containers\":\"c\"}}}",
                                "\"spec\":{\"selector\":\"a=b\"}")),
                new Target("/api/v1/namespaces", "/api/v1/namespaces/" + NS,
                        "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + NS + "\"}}",
                        List.of("\"spec\":{\"finalizers\":\"kubernetes\"}", "\"spec\":\"x\"", "\"status\":{\"phase\":[1]}")));
    }

    @Test
    void badInputGetsOnly4xxAndChangesNothing() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        System.out.println("BadInputFuzzIT seed: " + seed + " (replay with -Dfuzz.seed=" + seed + ")");
        Random rnd = new Random(seed);
        ApiServerInstance api = ApiServerInstance.shared();
        ApiClient c = api.client();
        assertThat(c.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + NS + "\"}}").code()).isEqualTo(201);
        List<Target> targets = targets();
        for (Target t : targets.subList(0, targets.size() - 1)) {
            ApiClient.Response r = c.post(t.collection(), t.validBody());
            assertThat(r.code()).as(r.body()).isEqualTo(201);
        }
        Map<String, String> before = snapshot(c, targets);

        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        Map<Integer, Integer> codes = Collections.synchronizedMap(new TreeMap<>());
        Semaphore window = new Semaphore(8);
        List<CompletableFuture<?>> pending = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < REQUESTS; i++) {
            Req req = generate(rnd, targets, i);
            window.acquire();
            pending.add(send(api.url(), req).whenComplete((r, err) -> {
                window.release();
                if (err != null) {
                    failures.add(req.what() + " " + req.method() + " " + abbreviate(req.path()) + " -> " + err);
                    return;
                }
                codes.merge(r.statusCode(), 1, Integer::sum);
                if (r.statusCode() < 400 || r.statusCode() >= 500 || STACK_TRACE.matcher(r.body()).find()) {
                    failures.add(req.what() + " " + req.method() + " " + abbreviate(req.path()) + " ["
                            + req.contentType() + "] " + abbreviate(new String(req.body(), StandardCharsets.UTF_8))
                            + " -> " + r.statusCode() + " " + abbreviate(r.body()));
                }
            }));
            if (i % 250 == 0) {
                assertThat(c.get("/readyz").code()).as("ready after " + i + " requests").isEqualTo(200);
            }
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).handle((v, e) -> null).join();
        System.out.printf("BadInputFuzzIT: %d requests in %d ms, answers by code %s%n", REQUESTS,
                (System.nanoTime() - start) / 1_000_000, codes);
        assertThat(failures).as("seed " + seed).isEmpty();
        assertThat(c.get("/readyz").code()).isEqualTo(200);
        assertThat(snapshot(c, targets)).isEqualTo(before);
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "...(" + s.length() + " chars)" : s;
    }

    /** name → resourceVersion of every object of the targets in the namespace, and the namespace itself. */
    private static Map<String, String> snapshot(ApiClient c, List<Target> targets) {
        Map<String, String> m = new TreeMap<>();
        for (Target t : targets.subList(0, targets.size() - 1)) {
            ApiClient.Response r = c.get(t.collection());
            assertThat(r.code()).isEqualTo(200);
            for (JsonNode item : r.json().path("items")) {
                m.put(t.collection() + "/" + item.path("metadata").path("name").asString(),
                        item.path("metadata").path("resourceVersion").asString());
            }
        }
        m.put("namespace", c.get("/api/v1/namespaces/" + NS).json().path("metadata").path("resourceVersion").asString());
        return m;
    }

    private CompletableFuture<HttpResponse<String>> send(String base, Req r) {
        HttpRequest.Builder b;
        try {
            b = HttpRequest.newBuilder(URI.create(base + r.path()));
        } catch (IllegalArgumentException e) {
            // a path java.net.URI refuses cannot be sent by this client: send a percent-encoded form instead
            b = HttpRequest.newBuilder(URI.create(base + encode(r.path())));
        }
        b.timeout(Duration.ofSeconds(20)).method(r.method(), r.body().length == 0 ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(r.body()));
        if (r.contentType() != null) {
            b.header("Content-Type", r.contentType());
        }
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static String encode(String path) {
        StringBuilder sb = new StringBuilder();
        for (byte x : path.getBytes(StandardCharsets.UTF_8)) {
            int ch = x & 0xff;
            if (ch > 0x20 && ch < 0x7f && "\"<>\\^`{|}% ".indexOf(ch) < 0) {
                sb.append((char) ch);
            } else {
                sb.append('%').append(String.format("%02X", ch));
            }
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- generators

    private static final String[] WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"};
    private static final String[] PATCH_TYPES = {"application/merge-patch+json", "application/json-patch+json",
            "application/strategic-merge-patch+json", "application/apply-patch+yaml"};

    private static Req generate(Random rnd, List<Target> targets, int i) {
        Target t = targets.get(rnd.nextInt(targets.size()));
        return switch (rnd.nextInt(12)) {
            case 0 -> malformedJson(rnd, t);
            case 1 -> malformedYaml(rnd, t);
            case 2 -> i % 10 == 0 ? oversized(rnd, t) : wrongTypes(rnd, t);
            case 3 -> deeplyNested(rnd, t);
            case 4, 5 -> wrongTypes(rnd, t);
            case 6 -> unknownKind(rnd, t);
            case 7, 8 -> oddPath(rnd, t);
            case 9 -> badPatch(rnd, t);
            case 10 -> badQuery(rnd, t);
            default -> badContentType(rnd, t);
        };
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A write of {@code body} to the collection (POST) or the existing object (PUT, PATCH, DELETE). */
    private static Req write(Random rnd, Target t, String contentType, byte[] body, String what) {
        return write(rnd, t, contentType, body, what, true);
    }

    /**
     * {@code allowDelete}: the body is invalid as DeleteOptions too (malformed, oversized); a well-formed object
     * is a valid DeleteOptions with ignored fields, which would delete the object, as in Kubernetes.
     */
    private static Req write(Random rnd, Target t, String contentType, byte[] body, String what, boolean allowDelete) {
        String method = WRITE_METHODS[rnd.nextInt(allowDelete ? WRITE_METHODS.length : WRITE_METHODS.length - 1)];
        String path = method.equals("POST") ? t.collection() : t.existing();
        String ct = contentType;
        if (method.equals("PATCH") && contentType.equals("application/json")) {
            ct = PATCH_TYPES[rnd.nextInt(3)];
        }
        return new Req(method, path, ct, body, what);
    }

    private static Req malformedJson(Random rnd, Target t) {
        String v = t.validBody();
        String body = switch (rnd.nextInt(5)) {
            case 0 -> v.substring(0, 1 + rnd.nextInt(v.length() - 1));
            case 1 -> v.replaceFirst(",", ",,");
            case 2 -> v.replace("\"", "'");
            case 3 -> "{\"metadata\":{\"name\":\"x\"}" + "}".repeat(2 + rnd.nextInt(3));
            default -> {
                byte[] b = new byte[1 + rnd.nextInt(200)];
                rnd.nextBytes(b);
                b[0] = '{';
                yield new String(b, StandardCharsets.ISO_8859_1);
            }
        };
        return write(rnd, t, "application/json", utf8(body), "malformed-json");
    }

    private static Req malformedYaml(Random rnd, Target t) {
        String[] bodies = {"metadata: [unclosed", "metadata:\n  name: x\n\tbad: tab", "- just\n- a\n- list",
                "just a string", "apiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\nkind: ConfigMap\n",
                "metadata: {name: x\n", "metadata: !!binary notbase64***", "a: &x [*x]", "%YAML 9.9\n---\na: b", "''", "null", "42"};
        String body = bodies[rnd.nextInt(bodies.length)];
        String ct = rnd.nextBoolean() ? "application/yaml" : "application/apply-patch+yaml";
        // not to DELETE: kube4j's YAML reader accepts some documents Kubernetes refuses (undefined or self-containing
        // aliases) and a DeleteOptions with only unknown fields is valid
        return write(rnd, t, ct, utf8(body), "malformed-yaml", false);
    }

    private static Req oversized(Random rnd, Target t) {
        int size = 3 * 1024 * 1024 + 1 + rnd.nextInt(1024);
        StringBuilder sb = new StringBuilder(size + 100).append("{\"metadata\":{\"name\":\"big\"},\"data\":{\"k\":\"");
        while (sb.length() < size) {
            sb.append("0123456789abcdef");
        }
        sb.append("\"}}");
        return write(rnd, t, rnd.nextBoolean() ? "application/json" : "application/yaml", utf8(sb.toString()), "oversized");
    }

    private static Req deeplyNested(Random rnd, Target t) {
        int depth = 10_000;
        boolean yaml = rnd.nextBoolean();
        String body;
        if (rnd.nextBoolean()) {
            body = "{\"metadata\":{\"name\":\"deep\"},\"data\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
        } else if (yaml) {
            StringBuilder sb = new StringBuilder("metadata:\n");
            for (int i = 0; i < depth / 10; i++) {
                sb.append(" ".repeat(i + 1)).append("a:\n");
            }
            body = sb.toString();
        } else {
            body = "{\"metadata\":" + "{\"a\":".repeat(depth) + "1" + "}".repeat(depth) + "}";
        }
        return write(rnd, t, yaml ? "application/yaml" : "application/json", utf8(body), "deeply-nested");
    }

    private static Req wrongTypes(Random rnd, Target t) {
        String name = "\"metadata\":{\"name\":\"" + t.name() + "\"}";
        String[] common = {
                "\"metadata\":\"a string\"", "\"metadata\":[1,2]", "\"metadata\":{\"labels\":\"x\"}",
                "\"metadata\":{\"labels\":{\"a\":{\"b\":1}}}", "\"metadata\":{\"annotations\":[\"x\"]}",
                "\"metadata\":{\"name\":{\"x\":1}}", "\"metadata\":{\"name\":[\"a\"]}",
                "\"metadata\":{\"name\":\"" + t.name() + "\",\"finalizers\":\"one\"}",
                "\"metadata\":{\"name\":\"" + t.name() + "\",\"ownerReferences\":{}}",
                "\"metadata\":{\"name\":\"" + t.name() + "\",\"generation\":\"many\"}",
                "\"metadata\":{\"name\":\"" + t.name() + "\",\"resourceVersion\":{}}",
                "\"metadata\":{\"name\":\"UPPER_case!\"}", "\"metadata\":{\"name\":\"" + "n".repeat(300) + "\"}",
                "\"metadata\":{\"name\":\"" + t.name() + "\",\"labels\":{\"bad key!\":\"v\"}}",
                "\"metadata\":{\"name\":\"" + t.name() + "\",\"uid\":\"not-the-uid\",\"resourceVersion\":\"1\"}"};
        if (rnd.nextInt(3) == 0) {
            String[] deleteOptions = {"\"gracePeriodSeconds\":\"soon\"", "\"propagationPolicy\":\"Sometimes\"",
                    "\"kind\":\"DeleteOptions\",\"preconditions\":{\"uid\":\"not-the-uid\"}",
                    "\"preconditions\":{\"resourceVersion\":\"1\"}", "\"gracePeriodSeconds\":[1]", "\"orphanDependents\":\"maybe\""};
            return new Req("DELETE", t.existing(), "application/json",
                    utf8("{" + deleteOptions[rnd.nextInt(deleteOptions.length)] + "}"), "bad-delete-options");
        }
        String body = rnd.nextBoolean() ? "{" + common[rnd.nextInt(common.length)] + "}"
                : "{" + name + "," + t.wrongTypes().get(rnd.nextInt(t.wrongTypes().size())) + "}";
        return write(rnd, t, "application/json", utf8(body), "wrong-types", false);
    }

    private static Req unknownKind(Random rnd, Target t) {
        String[] kinds = {"\"apiVersion\":\"v1\",\"kind\":\"Bogus\"", "\"apiVersion\":\"nope/v9\",\"kind\":\"ConfigMap\"",
                "\"apiVersion\":\"apps/v1\",\"kind\":\"Pod\"", "\"apiVersion\":\"\",\"kind\":\"Deployment\"",
                "\"apiVersion\":7,\"kind\":\"ConfigMap\"", "\"kind\":[\"ConfigMap\"]"};
        String body = "{" + kinds[rnd.nextInt(kinds.length)] + ",\"metadata\":{\"name\":\"cm1\"}}";
        boolean wrongResource = rnd.nextBoolean();
        if (wrongResource) {
            String[] paths = {"/api/v1/namespaces/" + NS + "/bogus", "/apis/nope/v1/namespaces/" + NS + "/things",
                    "/apis/apps/v9/namespaces/" + NS + "/deployments", "/api/v2/namespaces/" + NS + "/configmaps"};
            return new Req("POST", paths[rnd.nextInt(paths.length)], "application/json", utf8(body), "unknown-resource");
        }
        return write(rnd, t, "application/json", utf8(body), "unknown-kind", false);
    }

    private static Req oddPath(Random rnd, Target t) {
        String[] names = {"..", ".", "%00", "a%00b", "%2e%2e", "%2F", "a%2Fb", "x/../../../etc", "%ZZ", "%",
                "n".repeat(254) + "x", "n".repeat(5000), "日本語", "%F0%9F%92%A9", "name%20with%20spaces",
                "UPPER", "-dash", "dot.", "a..b", "%C0%AE%C0%AE", "%FF%FE", "~user", "a;b", "a%3Bb", "*", "%3F"};
        String name = names[rnd.nextInt(names.length)];
        String[] shapes = {t.collection() + "/" + name, t.collection() + "/" + name + "/status",
                t.collection() + "/" + name + "/nosuchsub", t.existing() + "/nosuchsub",
                t.existing() + "/status/extra/segments", "/api/v1/namespaces/" + name + "/configmaps/cm1",
                "/apis/" + name + "/v1/things", "/api/" + name, "/api/v1/" + name + "/x/y/z/w",
                t.collection() + "//" + name, "/api/v1/namespaces/" + NS + "/../../../version/" + name};
        String path = shapes[rnd.nextInt(shapes.length)];
        String[] methods = {"GET", "POST", "PUT", "PATCH", "DELETE"};
        String method = methods[rnd.nextInt(methods.length)];
        byte[] body = method.equals("GET") ? new byte[0] : utf8(t.validBody());
        String ct = method.equals("PATCH") ? "application/merge-patch+json" : "application/json";
        return new Req(method, path, ct, body, "odd-path");
    }

    private static Req badPatch(Random rnd, Target t) {
        String[] jsonPatches = {"[{\"op\":\"explode\",\"path\":\"/metadata\"}]", "[{\"op\":\"remove\",\"path\":\"/no/such/field\"}]",
                "[{\"op\":\"replace\",\"path\":\"/metadata/name\",\"value\":\"renamed\"}]",
                "[{\"op\":\"add\",\"path\":\"/metadata/labels/a\",\"value\":{\"nested\":1}}]",
                "[{\"op\":\"test\",\"path\":\"/metadata/name\",\"value\":\"not-the-name\"}]",
                "[{\"op\":\"move\",\"from\":\"/nope\",\"path\":\"/x\"}]", "[{\"op\":\"copy\",\"from\":\"/metadata\",\"path\":\"/metadata/labels/x\"}]",
                "[{\"path\":\"/metadata\"}]", "{\"op\":\"add\"}", "[1,2,3]", "[[]]", "[{\"op\":\"add\",\"path\":\"no-slash\",\"value\":1}]",
                "[{\"op\":\"add\",\"path\":\"/metadata/labels/~2\",\"value\":\"x\"}]",
                "[{\"op\":\"replace\",\"path\":\"/metadata/uid\",\"value\":\"other\"}]",
                "[{\"op\":\"add\",\"path\":\"/spec/containers/99/name\",\"value\":\"x\"}]",
                "[{\"op\":\"add\",\"path\":\"/spec/containers/-1\",\"value\":{}}]"};
        String[] mergePatches = {"[]", "\"string\"", "42", "{\"metadata\":{\"name\":\"renamed\"}}", "{\"metadata\":{\"uid\":\"other\"}}",
                "{\"metadata\":{\"labels\":{\"a\":[1]}}}", "{\"kind\":\"Other\"}", "{\"apiVersion\":\"v9\"}",
                "{\"metadata\":{\"namespace\":\"other\"}}", "{\"metadata\":{\"resourceVersion\":\"1\"}}"};
        // directives mean something only to a strategic merge patch (to a JSON merge patch they are unknown fields)
        // (kube4j's strategic merge patch ignores {"finalizers":[{"$patch":"x"}]} and a non-list
        // $deleteFromPrimitiveList, where Kubernetes refuses them: a no-op 200, left out here and reported)
        String[] directives = {"{\"metadata\":{\"$patch\":\"explode\"}}",
                "{\"$setElementOrder/metadata\":\"x\"}", "{\"metadata\":{\"$retainKeys\":7}}"};
        int kind = rnd.nextInt(4);
        if (kind == 3) {
            return new Req("PATCH", t.existing(), "application/strategic-merge-patch+json",
                    utf8(directives[rnd.nextInt(directives.length)]), "bad-strategic-directive");
        }
        if (kind == 0) {
            return new Req("PATCH", t.existing(), "application/json-patch+json",
                    utf8(jsonPatches[rnd.nextInt(jsonPatches.length)]), "bad-json-patch");
        }
        String ct = kind == 1 ? "application/merge-patch+json" : "application/strategic-merge-patch+json";
        String patch = mergePatches[rnd.nextInt(mergePatches.length)];
        if (patch.contains("namespace") && t.collection().equals("/api/v1/namespaces")) {
            // a cluster-scoped object's metadata.namespace is cleared, as Kubernetes does: not an error
            patch = "{\"metadata\":{\"uid\":\"other\"}}";
        }
        return new Req("PATCH", t.existing(), ct, utf8(patch), "bad-merge-patch");
    }

    private static Req badQuery(Random rnd, Target t) {
        String[] queries = {"limit=abc", "limit=-1x", "labelSelector=%21%21%21", "labelSelector=a%20in%20(", "fieldSelector=nosuchfield%3Dx",
                "fieldSelector=metadata.name%3D%3D%3D", "resourceVersion=abc&resourceVersionMatch=Exact",
                "resourceVersionMatch=Sometimes&resourceVersion=1", "continue=garbage", "continue=eyJ2IjoxfQ&resourceVersion=5",
                "resourceVersionMatch=Exact", "timeout=forever", "watch=true&resourceVersion=abc",
                "watch=true&labelSelector=%3D%3D", "watch=true&timeoutSeconds=x&resourceVersion=x",
                "gracePeriodSeconds=soon", "propagationPolicy=Sometimes", "fieldValidation=Strict&x=1",
                "dryRun=Maybe", "resourceVersion=abc&resourceVersionMatch=NotOlderThan", "limit=99999999999999999999999"};
        String q = queries[rnd.nextInt(queries.length)];
        boolean delete = q.startsWith("gracePeriod") || q.startsWith("propagation");
        if (delete) {
            return new Req("DELETE", t.existing() + "?" + q, null, new byte[0], "bad-query");
        }
        if (q.startsWith("dryRun")) {
            return new Req("POST", t.collection() + "?" + q, "application/json", utf8(t.validBody()), "bad-query-dryrun");
        }
        if (q.startsWith("fieldValidation")) {
            String body = t.validBody().replaceFirst("\\{", "{\"unknownField\":1,");
            return new Req("PUT", t.existing() + "?" + q, "application/json", utf8(body), "bad-query-strict");
        }
        return new Req("GET", t.collection() + "?" + q, null, new byte[0], "bad-query");
    }

    private static Req badContentType(Random rnd, Target t) {
        String[] types = {"text/plain", "application/xml", "application/octet-stream", "application/vnd.kubernetes.protobuf",
                "multipart/form-data; boundary=x", "application/json-patch+yaml", "not a media type", "/", "application/"};
        String ct = types[rnd.nextInt(types.length)];
        return write(rnd, t, ct, utf8(t.validBody()), "bad-content-type");
    }
}
