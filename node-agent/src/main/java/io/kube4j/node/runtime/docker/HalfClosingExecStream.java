package io.kube4j.node.runtime.docker;

import io.kube4j.node.runtime.OutputSink;
import io.kube4j.node.runtime.RuntimeOperationException;
import io.kube4j.node.runtime.StreamHandle;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;

/**
 * Starts an exec over a hijacked connection of its own, for interactive execs without a tty: docker-java's
 * transport never half-closes the connection when stdin ends, so {@code cat} or {@code tar x} would wait for EOF
 * forever. Here the end of stdin becomes a {@code shutdownOutput}, which Docker passes on as EOF. Plain
 * {@code unix://} and {@code tcp://} engines only (no TLS).
 */
final class HalfClosingExecStream implements StreamHandle {

    private final SocketChannel channel;
    private final CompletableFuture<Integer> completion = new CompletableFuture<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Whether {@code host} is an engine address this class can speak to. */
    static boolean supports(String host) {
        return host != null && (host.startsWith("unix://") || host.startsWith("tcp://"));
    }

    private HalfClosingExecStream(SocketChannel channel) {
        this.channel = channel;
    }

    /**
     * Starts exec {@code execId} (created with stdin, without tty); frames go to {@code sink}; the completion gets
     * {@code exitCode} once the output ends.
     */
    static HalfClosingExecStream start(String host, String apiVersion, String execId, InputStream stdin,
                                       OutputSink sink, IntSupplier exitCode) {
        SocketChannel ch;
        try {
            URI uri = URI.create(host);
            ch = host.startsWith("unix://")
                    ? SocketChannel.open(UnixDomainSocketAddress.of(uri.getPath()))
                    : SocketChannel.open(new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? 2375 : uri.getPort()));
        } catch (IOException | RuntimeException e) {
            throw new RuntimeOperationException("cannot connect to the Docker engine at " + host + ": " + e, e);
        }
        HalfClosingExecStream stream = new HalfClosingExecStream(ch);
        try {
            String prefix = apiVersion == null || apiVersion.isBlank() ? "" : "/v" + apiVersion;
            byte[] body = "{\"Detach\":false,\"Tty\":false}".getBytes(StandardCharsets.UTF_8);
            String head = "POST " + prefix + "/exec/" + execId + "/start HTTP/1.1\r\n"
                    + "Host: docker\r\nContent-Type: application/json\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n";
            writeFully(ch, head.getBytes(StandardCharsets.US_ASCII));
            writeFully(ch, body);
            String status = readHeaders(ch);
            if (!status.contains(" 101 ") && !status.contains(" 200 ")) {
                throw new IOException("the engine answered " + status.trim());
            }
        } catch (IOException e) {
            stream.close();
            throw new RuntimeOperationException("cannot start exec " + execId + ": " + e.getMessage(), e);
        }
        Thread reader = new Thread(() -> stream.pump(sink, exitCode), "exec-out-" + execId.substring(0, 12));
        reader.setDaemon(true);
        reader.start();
        Thread writer = new Thread(() -> stream.feed(stdin), "exec-in-" + execId.substring(0, 12));
        writer.setDaemon(true);
        writer.start();
        return stream;
    }

    /** Reads the status line and headers byte by byte, so no stream data is consumed with them. */
    private static String readHeaders(SocketChannel ch) throws IOException {
        StringBuilder all = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (!all.toString().endsWith("\r\n\r\n")) {
            one.clear();
            if (ch.read(one) < 0) {
                throw new IOException("the engine closed the connection (" + all.toString().trim() + ")");
            }
            all.append((char) one.get(0));
            if (all.length() > 16_384) {
                throw new IOException("oversized response headers");
            }
        }
        return all.substring(0, all.indexOf("\r\n") + 2);
    }

    private void feed(InputStream stdin) {
        byte[] buf = new byte[8192];
        try {
            int n;
            while (!closed.get() && (n = stdin.read(buf)) >= 0) {
                writeFully(channel, java.util.Arrays.copyOf(buf, n));
            }
            if (!closed.get()) {
                channel.shutdownOutput(); // Docker turns this into EOF on the process's stdin
            }
        } catch (IOException e) {
            // the exec ended or we were closed: nothing left to feed
        }
    }

    /** Docker's multiplexed stream: 8-byte headers (stream type, 3 zero bytes, big-endian length), then payload. */
    private void pump(OutputSink sink, IntSupplier exitCode) {
        ByteBuffer header = ByteBuffer.allocate(8);
        try {
            while (true) {
                header.clear();
                if (!readFully(channel, header)) {
                    break;
                }
                int type = header.get(0);
                int size = header.getInt(4);
                ByteBuffer payload = ByteBuffer.allocate(size);
                if (!readFully(channel, payload)) {
                    break;
                }
                if (type == 2) {
                    sink.stderr(payload.array());
                } else {
                    sink.stdout(payload.array());
                }
            }
            if (!closed.get()) {
                completion.complete(exitCode.getAsInt());
            }
        } catch (IOException | RuntimeException e) {
            if (closed.get()) {
                completion.complete(0);
            } else {
                completion.completeExceptionally(e);
            }
        } finally {
            closeChannel();
        }
    }

    private static boolean readFully(SocketChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                return false;
            }
        }
        return true;
    }

    private static void writeFully(SocketChannel ch, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    @Override
    public CompletableFuture<Integer> completion() {
        return completion;
    }

    @Override
    public void resize(int width, int height) {
        // no tty on this path
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            closeChannel();
            completion.complete(0);
        }
    }

    private void closeChannel() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
