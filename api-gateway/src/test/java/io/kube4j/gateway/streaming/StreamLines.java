package io.kube4j.gateway.streaming;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A streamed HTTP response (a watch, an SSE stream, followed logs) read line by line on its own thread; each line is
 * queued with the time it arrived, so a test can tell an event delivered at once from one held in a buffer.
 */
final class StreamLines implements AutoCloseable {

    /** A line of the body and when it was read ({@link System#nanoTime()}). */
    record Line(String text, long nanos) {
    }

    private final BlockingQueue<Line> lines = new LinkedBlockingQueue<>();
    private final HttpResponse<InputStream> response;
    private final Thread reader;
    private volatile boolean ended;

    private StreamLines(HttpResponse<InputStream> response) {
        this.response = response;
        this.reader = new Thread(this::read, "stream-lines");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Sends {@code request} and starts reading its body once the headers are in; fails when they take longer than
     * 10 s (a watch's headers come before any event: a proxy that holds them until the first event hangs clients).
     */
    static StreamLines open(HttpClient http, HttpRequest request) {
        java.util.concurrent.CompletableFuture<HttpResponse<InputStream>> sent =
                http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
        try {
            return new StreamLines(sent.get(10, TimeUnit.SECONDS));
        } catch (java.util.concurrent.TimeoutException e) {
            sent.cancel(true);
            throw new AssertionError("no response headers within 10 s for " + request.uri(), e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<InputStream> response() {
        return response;
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(new Line(line, System.nanoTime()));
            }
        } catch (IOException e) {
            // closed by the test or by the server: ended tells which matters
        } finally {
            ended = true;
        }
    }

    /** Whether the body ended (the server or something between closed the stream). */
    boolean ended() {
        return ended;
    }

    /** The next line matching {@code match} within {@code timeout} (others are skipped), or null. */
    Line next(Predicate<String> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            Line l = lines.poll(left, TimeUnit.NANOSECONDS);
            if (l == null) {
                return null;
            }
            if (match.test(l.text())) {
                return l;
            }
        }
    }

    @Override
    public void close() {
        try {
            response.body().close();
        } catch (IOException e) {
            // already gone
        }
        reader.interrupt();
    }
}
