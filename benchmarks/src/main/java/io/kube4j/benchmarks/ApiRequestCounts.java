package io.kube4j.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The apiserver's {@code apiserver_request_total{verb,resource,code}} counters as scraped from its
 * {@code /actuator/prometheus}, summed over codes, by "resource VERB"; two scrapes' difference is what a phase wrote.
 */
record ApiRequestCounts(Map<String, Double> byResourceVerb) {

    /** The verbs that write (kube4j labels them by the Kubernetes verb, upper case; POST/PUT as Kubernetes' label). */
    static final Set<String> WRITE_VERBS = Set.of("CREATE", "UPDATE", "PATCH", "DELETE", "DELETECOLLECTION",
            "POST", "PUT", "APPLY");

    private static final Pattern LINE = Pattern.compile("^apiserver_request_total\\{([^}]*)}\\s+(\\S+)", Pattern.MULTILINE);
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** Scrapes {@code apiServerUrl}/actuator/prometheus. */
    static ApiRequestCounts scrape(String apiServerUrl) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(apiServerUrl + "/actuator/prometheus"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET /actuator/prometheus answered " + r.statusCode());
        }
        return parse(r.body());
    }

    static ApiRequestCounts parse(String prometheusText) {
        Map<String, Double> m = new HashMap<>();
        Matcher line = LINE.matcher(prometheusText);
        while (line.find()) {
            Map<String, String> labels = new HashMap<>();
            Matcher l = LABEL.matcher(line.group(1));
            while (l.find()) {
                labels.put(l.group(1), l.group(2));
            }
            m.merge(labels.getOrDefault("resource", "?") + " " + labels.getOrDefault("verb", "?"),
                    Double.parseDouble(line.group(2)), Double::sum);
        }
        return new ApiRequestCounts(m);
    }

    /** What was counted since {@code before}. */
    ApiRequestCounts minus(ApiRequestCounts before) {
        Map<String, Double> m = new HashMap<>();
        byResourceVerb.forEach((k, v) -> {
            double d = v - before.byResourceVerb.getOrDefault(k, 0.0);
            if (d > 0) {
                m.put(k, d);
            }
        });
        return new ApiRequestCounts(m);
    }

    private static boolean isWrite(String resourceVerb) {
        return WRITE_VERBS.contains(resourceVerb.substring(resourceVerb.lastIndexOf(' ') + 1));
    }

    /** Write requests in total. */
    long writes() {
        return Math.round(byResourceVerb.entrySet().stream().filter(e -> isWrite(e.getKey()))
                .mapToDouble(Map.Entry::getValue).sum());
    }

    /** The write requests by "resource VERB", largest first, e.g. {@code pods CREATE 1000, pods/status UPDATE 2000}. */
    String writesByResource() {
        Map<String, Double> w = new TreeMap<>();
        byResourceVerb.forEach((k, v) -> {
            if (isWrite(k)) {
                w.put(k, v);
            }
        });
        return w.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
                .map(e -> String.format(Locale.ROOT, "%s %.0f", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
    }

    /** Reads (GET, LIST; watches counted as opened) in total. */
    long reads() {
        return Math.round(byResourceVerb.entrySet().stream().filter(e -> !isWrite(e.getKey()))
                .mapToDouble(Map.Entry::getValue).sum());
    }
}
