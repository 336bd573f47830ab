package io.kube4j.node.pod;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.fabric8.kubernetes.api.model.HTTPGetAction;

/** Runs httpGet lifecycle hooks (preStop, postStart) against the pod. */
final class HttpHooks {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpHooks() {
    }

    static void get(HTTPGetAction action, String podIp, Duration timeout) throws Exception {
        String host = action.getHost() != null && !action.getHost().isEmpty() ? action.getHost() : podIp;
        if (host == null) {
            throw new IllegalStateException("the pod has no IP for the httpGet hook");
        }
        if (action.getPort() == null || action.getPort().getIntVal() == null) {
            throw new IllegalArgumentException("httpGet hooks need a numeric port");
        }
        String scheme = "HTTPS".equalsIgnoreCase(action.getScheme()) ? "https" : "http";
        String path = action.getPath() == null ? "/" : action.getPath().startsWith("/") ? action.getPath()
                : "/" + action.getPath();
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(scheme + "://" + host + ":"
                + action.getPort().getIntVal() + path)).timeout(timeout.isZero() ? Duration.ofSeconds(1) : timeout);
        if (action.getHttpHeaders() != null) {
            action.getHttpHeaders().forEach(h -> req.header(h.getName(), h.getValue()));
        }
        HttpResponse<Void> r = HTTP.send(req.GET().build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() >= 400) {
            throw new IllegalStateException("HTTP hook returned status " + r.statusCode());
        }
    }
}
