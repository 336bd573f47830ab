package io.kube4j.gateway.routing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A plain-HTTP "apiserver" for timeout tests: it answers {@code GET /readyz} with 200 (so the gateway's health
 * checks keep it in the pool) and never answers anything else, holding the connection open.
 */
final class SilentUpstream implements AutoCloseable {

    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    /** Request lines it received and left unanswered. */
    final List<String> held = new CopyOnWriteArrayList<>();

    SilentUpstream() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "silent-upstream");
        accept.setDaemon(true);
        accept.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                Thread t = new Thread(() -> serve(s), "silent-upstream-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = s.getOutputStream();
            String requestLine;
            while ((requestLine = in.readLine()) != null) {
                String line;
                while ((line = in.readLine()) != null && !line.isEmpty()) {
                    // headers: the requests it gets have no body
                }
                if (requestLine.startsWith("GET /readyz")) {
                    out.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                } else {
                    held.add(requestLine);
                    // never answer: wait until the peer or close() ends the connection
                    while (in.read() >= 0) {
                        // discard
                    }
                    return;
                }
            }
        } catch (IOException closed) {
            // the connection ended
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
