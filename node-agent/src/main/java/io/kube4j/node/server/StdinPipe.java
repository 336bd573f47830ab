package io.kube4j.node.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The stdin of an exec or attach: chunks received from the WebSocket (on an event loop, never blocked) are read by
 * the runtime's thread. {@link #closeInput()} ends the stream after what was queued (EOF for the process);
 * {@link #close()} ends it at once. Unlike {@code PipedInputStream} it does not care which threads write.
 */
final class StdinPipe extends InputStream {

    private static final byte[] EOF = new byte[0];

    private final LinkedBlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
    private byte[] current;
    private int pos;
    private volatile boolean ended;
    private volatile boolean closed;

    /** Queues data for the reader (ignored once input was closed). */
    void write(byte[] data) {
        if (!ended && data.length > 0) {
            chunks.add(data);
        }
    }

    /** No more input: the reader sees EOF after the queued data. */
    void closeInput() {
        if (!ended) {
            ended = true;
            chunks.add(EOF);
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (current == null || pos >= current.length) {
            if (closed) {
                return -1;
            }
            try {
                byte[] next = chunks.poll(200, TimeUnit.MILLISECONDS);
                if (next == null) {
                    continue;
                }
                if (next == EOF) {
                    closed = true;
                    return -1;
                }
                current = next;
                pos = 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for stdin", e);
            }
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public int available() {
        return current == null ? 0 : current.length - pos;
    }

    @Override
    public void close() {
        closed = true;
        ended = true;
        chunks.add(EOF);
    }
}
