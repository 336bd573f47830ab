package io.kube4j.cli.commands.pods;

import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.UsageException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.stream.Stream;

/**
 * {@code k4j logs --search TEXT}: asks the log collector's search API ({@code GET /api/v1/logs/search}) instead of a
 * container's live log, so the lines of deleted pods are found too. The collector is found at {@code --logging-url},
 * else {@code $K4J_LOGGING_URL}, else {@code http://<the kubeconfig cluster's host>:10265} (the collector's default
 * port, next to the node agent's 10250 and the proxy's 10249/10256).
 */
final class LogSearch {

    static final int DEFAULT_PORT = 10265;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private LogSearch() {
    }

    static void flags(Flags.Builder b) {
        b.string("--search", "TEXT", null, "Search the cluster's collected logs (also of deleted pods) for lines "
                + "containing TEXT (kube4j's log collector; with -l, -n/-A, --since, --timestamps, --regex)");
        b.bool("--regex", "With --search: TEXT is a regular expression");
        b.bool("-A, --all-namespaces", "With --search: search every namespace");
        b.integer("--max-lines", "N", 1000, "With --search: print at most N lines");
        b.string("--logging-url", "URL", null, "With --search: the log collector's URL (default: $K4J_LOGGING_URL, "
                + "else the cluster's host at port " + DEFAULT_PORT + ")");
    }

    static int run(Invocation inv) {
        Flags.Parsed f = inv.flags();
        if (!inv.args().isEmpty()) {
            throw new UsageException("--search takes no pod name: narrow it with -l, -n or -c");
        }
        if (f.bool("follow") || f.bool("previous")) {
            throw new UsageException("--search cannot be combined with -f or -p");
        }
        if (f.given("since-time")) {
            throw new UsageException("--search takes --since, not --since-time");
        }
        int max = f.integer("max-lines");
        if (max <= 0) {
            throw new UsageException("--max-lines must be positive");
        }
        StringBuilder q = new StringBuilder("q=").append(enc(f.string("search"))).append("&limit=").append(max);
        if (f.bool("regex")) {
            q.append("&regex=true");
        }
        boolean all = f.bool("all-namespaces");
        if (!all) {
            q.append("&namespace=").append(enc(inv.namespace()));
        }
        if (f.string("selector") != null) {
            q.append("&selector=").append(enc(f.string("selector")));
        }
        if (f.string("container") != null) {
            q.append("&container=").append(enc(f.string("container")));
        }
        if (f.string("since") != null) {
            Duration d = Invocation.Durations.parse(f.string("since"));
            q.append("&since=").append(Math.max(1, (d.toMillis() + 999) / 1000)).append('s');
        }
        URI base = baseUrl(f.string("logging-url"), inv.io().env("K4J_LOGGING_URL"), () -> inv.clientConfig().server());
        URI uri = base.resolve("/api/v1/logs/search?" + q);
        boolean timestamps = f.bool("timestamps");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<Stream<String>> resp;
        try {
            resp = http.send(HttpRequest.newBuilder(uri).header("Accept", "application/x-ndjson").GET().build(),
                    HttpResponse.BodyHandlers.ofLines());
        } catch (ConnectException e) {
            throw new CliException("cannot reach the log collector at " + base + " (set --logging-url or "
                    + "K4J_LOGGING_URL): " + e.getMessage());
        } catch (IOException e) {
            throw new CliException("log search at " + base + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
        try (Stream<String> lines = resp.body()) {
            if (resp.statusCode() != 200) {
                String body = String.join("\n", lines.toList());
                String message = body;
                try {
                    JsonNode status = JSON.readTree(body);
                    if (status.hasNonNull("message")) {
                        message = status.get("message").asString();
                    }
                } catch (RuntimeException e) {
                    // not a Status: show the body as it is
                }
                throw new CliException("error: log search: " + message + " (HTTP " + resp.statusCode() + ")");
            }
            Iterator<String> it = lines.iterator();
            while (it.hasNext()) {
                String l = it.next();
                if (l.isBlank()) {
                    continue;
                }
                JsonNode hit = JSON.readTree(l);
                StringBuilder out = new StringBuilder();
                if (timestamps) {
                    out.append(hit.path("timestamp").asString("")).append(' ');
                }
                out.append('[');
                if (all) {
                    out.append(hit.path("namespace").asString("")).append('/');
                }
                out.append("pod/").append(hit.path("pod").asString("")).append('/')
                        .append(hit.path("container").asString("")).append("] ").append(hit.path("line").asString(""));
                inv.out().println(out);
            }
        }
        inv.out().flush();
        return 0;
    }

    /** {@code --logging-url}, else {@code $K4J_LOGGING_URL}, else {@code http://<cluster host>:10265}. */
    static URI baseUrl(String flag, String env, java.util.function.Supplier<String> clusterServer) {
        String explicit = flag != null && !flag.isBlank() ? flag : env != null && !env.isBlank() ? env : null;
        if (explicit != null) {
            try {
                URI u = URI.create(explicit);
                if (u.getScheme() == null || u.getHost() == null) {
                    throw new IllegalArgumentException("no scheme or host");
                }
                return u;
            } catch (IllegalArgumentException e) {
                throw new UsageException("the log collector URL '" + explicit + "' is not an http(s) URL");
            }
        }
        URI server = URI.create(clusterServer.get());
        return URI.create("http://" + (server.getHost().contains(":") ? "[" + server.getHost() + "]"
                : server.getHost()) + ":" + DEFAULT_PORT);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
