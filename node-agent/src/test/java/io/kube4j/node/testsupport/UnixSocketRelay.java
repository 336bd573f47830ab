package io.kube4j.node.testsupport;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A unix-socket forwarder for tests: listens on {@code listen} and relays every connection, both ways, to the
 * socket at {@code target} (the real Docker engine), so that a test can make an engine appear at a path (start) and
 * go away (close: the listening socket is removed and every relayed connection is cut). The end of one direction is
 * passed on as a half-close, as Docker's hijacked streams need.
 */
public final class UnixSocketRelay implements AutoCloseable {

    private final Path listen;
    private final Path target;
    private final ServerSocketChannel server;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private UnixSocketRelay(Path listen, Path target) throws IOException {
        this.listen = listen;
        this.target = target;
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(listen));
        Thread accept = new Thread(this::acceptLoop, "relay-accept-" + listen.getFileName());
        accept.setDaemon(true);
        accept.start();
    }

    /** Starts relaying {@code listen} (must not exist) to {@code target}. */
    public static UnixSocketRelay start(Path listen, Path target) {
        try {
            return new UnixSocketRelay(listen, target);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on " + listen + ": " + e.getMessage(), e);
        }
    }

    /** The local Docker engine's socket (from {@code DOCKER_HOST} when it is a unix socket). */
    public static Path dockerSocket() {
        String host = DockerTestSupport.dockerHost();
        if (!host.startsWith("unix://")) {
            throw new IllegalStateException("the Docker engine is not on a unix socket: " + host);
        }
        return Path.of(host.substring("unix://".length()));
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            SocketChannel upstream;
            try {
                upstream = SocketChannel.open(UnixDomainSocketAddress.of(target));
            } catch (IOException e) {
                closeQuietly(client);
                continue;
            }
            open.add(client);
            open.add(upstream);
            java.util.concurrent.atomic.AtomicInteger directions = new java.util.concurrent.atomic.AtomicInteger(2);
            Runnable finished = () -> {
                if (directions.decrementAndGet() == 0) {
                    open.remove(client);
                    open.remove(upstream);
                    closeQuietly(client);
                    closeQuietly(upstream);
                }
            };
            pump(client, upstream, finished);
            pump(upstream, client, finished);
        }
    }

    private void pump(SocketChannel from, SocketChannel to, Runnable finished) {
        Thread t = new Thread(() -> {
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            try {
                while (from.read(buf) >= 0) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        to.write(buf);
                    }
                    buf.clear();
                }
                to.shutdownOutput();
            } catch (ClosedChannelException e) {
                // cut by close()
            } catch (IOException e) {
                closeQuietly(from);
                closeQuietly(to);
            } finally {
                finished.run();
            }
        }, "relay-" + listen.getFileName());
        t.setDaemon(true);
        t.start();
    }

    /** Stops listening, removes the socket file and cuts every relayed connection. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        for (SocketChannel c : open) {
            closeQuietly(c);
        }
        open.clear();
        try {
            Files.deleteIfExists(listen);
        } catch (IOException e) {
            // a temp path
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing
        }
    }
}
