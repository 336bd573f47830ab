package io.kube4j.cli.commands.pods;

import com.sun.net.httpserver.HttpServer;
import io.kube4j.cli.testsupport.CliHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code k4j logs --search} against a loopback server that records the query and answers as the log collector's
 * search API does (JSON lines, or a 400 Status); the collector side of the API is tested in the logging add-on.
 */
class LogSearchIT {

    @TempDir
    Path home;
    private HttpServer server;
    private final List<String> queries = new CopyOnWriteArrayList<>();
    private Path kubeconfig;
    private String url;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/logs/search", ex -> {
            String query = URLDecoder.decode(ex.getRequestURI().getRawQuery(), StandardCharsets.UTF_8);
            queries.add(query);
            byte[] body;
            int status;
            if (query.contains("since=")) {
                status = 400;
                body = """
                        {"kind":"Status","status":"Failure","message":"the time range is empty","code":400}
                        """.getBytes(StandardCharsets.UTF_8);
            } else {
                status = 200;
                body = ("""
                        {"timestamp":"2026-11-28T10:00:00.000000001Z","namespace":"shop","pod":"web-1","container":"main","node":"n1","labels":{"app":"web"},"line":"GET / timeout"}
                        {"timestamp":"2026-11-28T10:00:01Z","namespace":"shop","pod":"web-2","container":"main","node":"n1","labels":{"app":"web"},"line":"upstream timeout"}
                        """).getBytes(StandardCharsets.UTF_8);
            }
            ex.getResponseHeaders().add("Content-Type", status == 200 ? "application/x-ndjson" : "application/json");
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
        kubeconfig = home.resolve("config");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "http://127.0.0.1:1"}}]
                users: [{name: u, user: {}}]
                contexts: [{name: x, context: {cluster: c, user: u, namespace: shop}}]
                current-context: x
                """);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private CliHarness.Result k4j(Map<String, String> env, String... args) {
        java.util.Map<String, String> e = new java.util.HashMap<>(env);
        e.put("KUBECONFIG", kubeconfig.toString());
        e.put("HOME", home.toString());
        return CliHarness.shared().run(e, "", args);
    }

    @Test
    void searchesTheCollectorWithTheFlagsAsQueryAndPrintsPrefixedLines() {
        CliHarness.Result r = k4j(Map.of("K4J_LOGGING_URL", url), "logs", "--search", "time out?", "-l", "app=web",
                "--timestamps", "--max-lines", "50").ok();
        assertThat(r.out()).isEqualTo("""
                2026-11-28T10:00:00.000000001Z [pod/web-1/main] GET / timeout
                2026-11-28T10:00:01Z [pod/web-2/main] upstream timeout
                """);
        assertThat(queries).containsExactly("q=time out?&limit=50&namespace=shop&selector=app=web");
    }

    @Test
    void allNamespacesAndTheUrlFlag() {
        CliHarness.Result r = k4j(Map.of(), "logs", "--search", "timeout", "-A", "--regex", "-c", "main",
                "--logging-url", url).ok();
        assertThat(r.out()).startsWith("[shop/pod/web-1/main] GET / timeout\n");
        assertThat(queries).containsExactly("q=timeout&limit=1000&regex=true&container=main");
    }

    @Test
    void theCollectorsRefusalIsShownWithItsMessage() {
        CliHarness.Result r = k4j(Map.of("K4J_LOGGING_URL", url), "logs", "--search", "x", "--since", "90m");
        assertThat(queries).containsExactly("q=x&limit=1000&namespace=shop&since=5400s");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("log search: the time range is empty (HTTP 400)");
    }

    @Test
    void anUnreachableCollectorSaysHowToPointAtIt() {
        CliHarness.Result r = k4j(Map.of("K4J_LOGGING_URL", "http://127.0.0.1:1"), "logs", "--search", "x");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("cannot reach the log collector at http://127.0.0.1:1")
                .contains("--logging-url");
    }

    @Test
    void badCombinationsAreUsageErrors() {
        assertThat(k4j(Map.of(), "logs", "--search", "x", "web-1").err()).contains("--search takes no pod name");
        assertThat(k4j(Map.of(), "logs", "--search", "x", "-f").err()).contains("cannot be combined with -f");
        assertThat(queries).isEmpty();
    }

    @Test
    void theDefaultUrlIsTheClustersHostAtTheCollectorsPort() {
        assertThat(LogSearch.baseUrl(null, null, () -> "https://api.example.test:6443"))
                .isEqualTo(URI.create("http://api.example.test:10265"));
        assertThat(LogSearch.baseUrl(null, "http://logs:9000", () -> "https://x:6443"))
                .isEqualTo(URI.create("http://logs:9000"));
        assertThat(LogSearch.baseUrl("http://flag:1", "http://env:2", () -> "https://x:6443"))
                .isEqualTo(URI.create("http://flag:1"));
    }
}
