package io.kube4j.proxy.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * Plain HTTP/1.0 GETs from the host, each on a NEW TCP connection (a pooled client would keep hitting the endpoint
 * its first connection was balanced to, and a Service balances connections, not requests). The test pods answer
 * their own pod name, so the body says which endpoint a connection reached.
 */
final class HttpProbe {

    /** How long a connect or a read may take before the probe gives up (traffic stays on this machine). */
    static final Duration TIMEOUT = Duration.ofSeconds(3);

    private HttpProbe() {
    }

    /**
     * {@code GET /} on a new connection to {@code host:port}; returns the trimmed body.
     *
     * @throws IOException when the connection is refused, times out or the answer is not a 200
     */
    static String get(String host, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.setSoTimeout((int) TIMEOUT.toMillis());
            s.connect(new InetSocketAddress(host, port), (int) TIMEOUT.toMillis());
            OutputStream out = s.getOutputStream();
            out.write(("GET / HTTP/1.0\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String answer = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
            return body(answer, host + ":" + port);
        }
    }

    /** The body of an HTTP answer (after the blank line), trimmed; an IOException when it is no 200. */
    static String body(String answer, String from) throws IOException {
        int end = answer.indexOf("\r\n\r\n");
        if (!answer.startsWith("HTTP/1.") || end < 0) {
            throw new IOException("no HTTP answer from " + from + ": '" + abbreviate(answer) + "'");
        }
        String status = answer.substring(0, answer.indexOf("\r\n"));
        if (!status.contains(" 200 ")) {
            throw new IOException(from + " answered " + status);
        }
        return answer.substring(end + 4).trim();
    }

    /** {@code count} GETs, each on a new connection; how many each pod answered (a failed request throws). */
    static Map<String, Integer> distribution(String host, int port, int count) throws IOException {
        Map<String, Integer> seen = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            seen.merge(get(host, port), 1, Integer::sum);
        }
        return seen;
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
