package io.kube4j.node.probe;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.kube4j.node.runtime.ContainerRuntime;
import io.kube4j.node.runtime.ExecResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Schedulers;

/**
 * Runs one probe without blocking the caller: httpGet with the JDK client's {@code sendAsync}, tcpSocket with an
 * {@link AsynchronousSocketChannel}, exec through {@link ContainerRuntime#execSync} on Reactor's bounded-elastic
 * pool. Failure messages are worded as the kubelet's probers word them.
 */
final class ProbeRunner {

    /** The outcome of one probe: success, and the output or failure message. */
    record Result(boolean success, String message) {
    }

    private static final Logger log = LoggerFactory.getLogger(ProbeRunner.class);
    static final String USER_AGENT = "kube-probe/1.35";
    /** Headers the JDK client refuses to set. */
    private static final Set<String> RESTRICTED = Set.of("host", "connection", "content-length", "expect", "upgrade");

    private final HttpClient http;
    private final ContainerRuntime runtime;

    ProbeRunner(ContainerRuntime runtime) {
        this.runtime = runtime;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).sslContext(trustAll()).build();
    }

    CompletableFuture<Result> run(Probe probe, Container container, String containerId, String podIp,
                                  Duration timeout) {
        try {
            if (probe.getHttpGet() != null) {
                return httpGet(probe, container, podIp, timeout);
            }
            if (probe.getTcpSocket() != null) {
                var t = probe.getTcpSocket();
                String host = t.getHost() == null || t.getHost().isEmpty() ? podIp : t.getHost();
                return tcp(host, port(t.getPort(), container), timeout);
            }
            if (probe.getExec() != null) {
                return exec(containerId, probe.getExec().getCommand(), timeout);
            }
            if (probe.getGrpc() != null) {
                return CompletableFuture.completedFuture(new Result(false, "gRPC probes are not supported by this node"));
            }
            return CompletableFuture.completedFuture(new Result(false, "probe has no handler"));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(new Result(false, e.getMessage()));
        }
    }

    private CompletableFuture<Result> httpGet(Probe probe, Container container, String podIp, Duration timeout) {
        var h = probe.getHttpGet();
        String scheme = h.getScheme() == null || h.getScheme().isEmpty() ? "http" : h.getScheme().toLowerCase(Locale.ROOT);
        String host = h.getHost() == null || h.getHost().isEmpty() ? podIp : h.getHost();
        int port = port(h.getPort(), container);
        String path = h.getPath() == null ? "" : h.getPath();
        if (!path.startsWith("/")) {
            path = "/" + path;
        }
        String hostPort = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        String url = scheme + "://" + hostPort + path;
        HttpRequest.Builder req;
        try {
            req = HttpRequest.newBuilder(URI.create(url)).GET().timeout(timeout);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(new Result(false, "invalid probe URL " + url + ": " + e.getMessage()));
        }
        boolean userAgent = false;
        boolean accept = false;
        for (HTTPHeader hd : h.getHttpHeaders() == null ? List.<HTTPHeader>of() : h.getHttpHeaders()) {
            String name = hd.getName() == null ? "" : hd.getName();
            if (RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                log.debug("probe header {} cannot be sent by this node; skipped", name);
                continue;
            }
            try {
                req.header(name, hd.getValue() == null ? "" : hd.getValue());
            } catch (IllegalArgumentException e) {
                log.debug("probe header {} skipped: {}", name, e.getMessage());
                continue;
            }
            userAgent |= name.equalsIgnoreCase("User-Agent");
            accept |= name.equalsIgnoreCase("Accept");
        }
        if (!userAgent) {
            req.header("User-Agent", USER_AGENT);
        }
        if (!accept) {
            req.header("Accept", "*/*");
        }
        return http.sendAsync(req.build(), HttpResponse.BodyHandlers.discarding())
                .orTimeout(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS)
                .handle((resp, err) -> {
                    if (err != null) {
                        return new Result(false, "Get \"" + url + "\": " + describe(unwrap(err), hostPort));
                    }
                    int code = resp.statusCode();
                    if (code >= 200 && code < 400) {
                        return new Result(true, "");
                    }
                    return new Result(false, "HTTP probe failed with statuscode: " + code);
                });
    }

    private CompletableFuture<Result> tcp(String host, int port, Duration timeout) {
        String hostPort = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        CompletableFuture<Result> f = new CompletableFuture<>();
        AsynchronousSocketChannel ch;
        try {
            ch = AsynchronousSocketChannel.open();
        } catch (IOException e) {
            return CompletableFuture.completedFuture(new Result(false, "dial tcp " + hostPort + ": " + e.getMessage()));
        }
        // a host name needs a (blocking) lookup: start the connect on the bounded-elastic pool, not the caller's
        Schedulers.boundedElastic().schedule(() -> {
            try {
                ch.connect(new InetSocketAddress(host, port), null, new CompletionHandler<Void, Void>() {
                    @Override
                    public void completed(Void v, Void a) {
                        f.complete(new Result(true, ""));
                    }

                    @Override
                    public void failed(Throwable t, Void a) {
                        f.completeExceptionally(t);
                    }
                });
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).handle((r, err) -> {
            close(ch);
            if (err == null) {
                return r;
            }
            Throwable t = unwrap(err);
            String why = t instanceof TimeoutException ? "i/o timeout"
                    : t instanceof ConnectException ? "connect: connection refused"
                    : t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            return new Result(false, "dial tcp " + hostPort + ": " + why);
        });
    }

    private CompletableFuture<Result> exec(String containerId, List<String> command, Duration timeout) {
        List<String> cmd = command == null ? List.of() : command;
        CompletableFuture<Result> f = new CompletableFuture<>();
        Schedulers.boundedElastic().schedule(() -> {
            try {
                ExecResult r = runtime.execSync(containerId, cmd, timeout);
                if (r.timedOut()) {
                    f.complete(new Result(false, "command \"" + String.join(" ", cmd) + "\" timed out"));
                } else if (r.exitCode() == 0) {
                    f.complete(new Result(true, r.stdoutText() + r.stderrText()));
                } else {
                    f.complete(new Result(false, r.stdoutText() + r.stderrText()));
                }
            } catch (RuntimeException e) {
                f.complete(new Result(false, e.getMessage() == null ? e.toString() : e.getMessage()));
            }
        });
        return f;
    }

    /** An int port, or a named port of the container. */
    static int port(IntOrString p, Container container) {
        if (p == null) {
            throw new IllegalArgumentException("probe has no port");
        }
        if (p.getIntVal() != null) {
            return p.getIntVal();
        }
        String name = p.getStrVal();
        if (name != null && name.chars().allMatch(Character::isDigit) && !name.isEmpty()) {
            return Integer.parseInt(name);
        }
        if (container.getPorts() != null) {
            for (ContainerPort cp : container.getPorts()) {
                if (name != null && name.equals(cp.getName())) {
                    return cp.getContainerPort();
                }
            }
        }
        throw new IllegalArgumentException("couldn't find port \"" + name + "\" in container \"" + container.getName()
                + "\"");
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String describe(Throwable t, String hostPort) {
        if (t instanceof HttpConnectTimeoutException || t instanceof HttpTimeoutException
                || t instanceof TimeoutException || t instanceof java.net.SocketTimeoutException) {
            return "context deadline exceeded (Client.Timeout exceeded while awaiting headers)";
        }
        if (t instanceof ConnectException) {
            return "dial tcp " + hostPort + ": connect: connection refused";
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }

    private static void close(AsynchronousSocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    /** The kubelet does not verify probe targets' certificates (nor their host names). */
    private static SSLContext trustAll() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new X509ExtendedTrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] c, String a, Socket s) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] c, String a, Socket s) {
                }

                @Override
                public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) {
                }

                @Override
                public void checkClientTrusted(X509Certificate[] c, String a) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] c, String a) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return ctx;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
