package io.kube4j.e2e.fault;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP forwarder on loopback ({@code 127.0.0.1:<free port>} to {@code target}) whose link a test can cut: while cut,
 * nothing crosses it in either direction and nothing is closed, as when a network link goes down (a black hole,
 * {@code ip link set down}): connections stay open, bytes written wait in the buffers (TCP would retransmit them),
 * and a new connection is accepted but reaches the target only once the link is back. {@link #restore()} lets
 * everything that waited through, in order, as TCP does when the link comes back.
 */
final class CuttableTcpLink implements AutoCloseable {

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final Object lock = new Object();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicLong forwardedBytes = new AtomicLong();
    private volatile boolean cut;
    private volatile boolean closed;

    CuttableTcpLink(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "link-accept-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Stops forwarding, in both directions, on every connection (open or new); closes nothing. */
    void cut() {
        cut = true;
    }

    /** Forwards again: what waited goes through in order. */
    void restore() {
        synchronized (lock) {
            cut = false;
            lock.notifyAll();
        }
    }

    int connections() {
        return sockets.size() / 2;
    }

    long forwardedBytes() {
        return forwardedBytes.get();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            Thread t = new Thread(() -> connect(client), "link-connect-" + client.getPort());
            t.setDaemon(true);
            t.start();
        }
    }

    private void connect(Socket client) {
        sockets.add(client);
        try {
            awaitLink();
            Socket upstream = new Socket();
            sockets.add(upstream);
            upstream.connect(target, 5_000);
            pump(client, upstream, "up");
            pump(upstream, client, "down");
        } catch (IOException | InterruptedException e) {
            closeQuietly(client);
        }
    }

    private void pump(Socket from, Socket to, String direction) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                while (true) {
                    // wait before reading: while cut, the bytes stay in the kernel's buffers, and the sender's window
                    // fills up as over a dead link
                    awaitLink();
                    int n = in.read(buf);
                    if (n < 0) {
                        break;
                    }
                    awaitLink(); // a read that began before the cut delivers only after it
                    out.write(buf, 0, n);
                    out.flush();
                    forwardedBytes.addAndGet(n);
                }
            } catch (SocketException closedOrReset) {
                // one side went away: close the other too
            } catch (IOException | InterruptedException e) {
                // same
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "link-" + direction + "-" + from.getPort());
        t.setDaemon(true);
        t.start();
    }

    private void awaitLink() throws InterruptedException {
        if (!cut) {
            return;
        }
        synchronized (lock) {
            while (cut && !closed) {
                lock.wait(1_000);
            }
        }
    }

    private void closeQuietly(Socket s) {
        sockets.remove(s);
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        restore();
        try {
            server.close();
        } catch (IOException ignored) {
            // already closed
        }
        sockets.forEach(this::closeQuietly);
    }
}
