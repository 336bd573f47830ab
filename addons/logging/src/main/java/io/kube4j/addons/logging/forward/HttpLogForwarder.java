package io.kube4j.addons.logging.forward;

import io.kube4j.addons.logging.collect.LogSink;
import io.kube4j.addons.logging.store.LogEntry;
import io.kube4j.addons.logging.store.StreamLabels;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Forwards collected lines to an external store over HTTP: batches of up to {@code batchSize} lines (or what arrived
 * within {@code flushInterval}), each retried with exponential back-off up to {@code maxRetries} times. The buffer is
 * bounded ({@code bufferLines}): when the endpoint is down for long, the oldest lines are dropped (and counted) rather
 * than the collector's memory growing; the node's own store keeps them either way.
 */
public final class HttpLogForwarder implements LogSink, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HttpLogForwarder.class);

    private final String name;
    private final URI url;
    private final ForwardFormat format;
    private final int batchSize;
    private final Duration flushInterval;
    private final int maxRetries;
    private final Duration initialBackoff;
    private final BlockingQueue<ForwardFormat.Item> buffer;
    private final HttpClient http;
    private final Counter sent;
    private final Counter dropped;
    private final Counter retries;
    private final Thread worker;
    private volatile boolean running = true;

    public HttpLogForwarder(String name, URI url, ForwardFormat format, int batchSize, Duration flushInterval,
                            int bufferLines, int maxRetries, Duration initialBackoff, MeterRegistry meters) {
        if (batchSize <= 0 || bufferLines <= 0 || maxRetries < 0) {
            throw new IllegalArgumentException("batch-size and buffer-lines must be positive, max-retries >= 0");
        }
        this.name = name;
        this.url = url;
        this.format = format;
        this.batchSize = batchSize;
        this.flushInterval = flushInterval;
        this.maxRetries = maxRetries;
        this.initialBackoff = initialBackoff;
        this.buffer = new ArrayBlockingQueue<>(bufferLines);
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        this.sent = Counter.builder("kube4j_logging_forwarded_lines_total").tag("target", name).register(meters);
        this.dropped = Counter.builder("kube4j_logging_forward_dropped_lines_total").tag("target", name)
                .register(meters);
        this.retries = Counter.builder("kube4j_logging_forward_retries_total").tag("target", name).register(meters);
        meters.gauge("kube4j_logging_forward_buffered_lines", io.micrometer.core.instrument.Tags.of("target", name),
                buffer, BlockingQueue::size);
        this.worker = new Thread(this::run, "log-forwarder-" + name);
        this.worker.setDaemon(true);
        this.worker.start();
        log.info("forwarding logs to {} at {} (batch {}, buffer {} lines, {} retries)", name, url, batchSize,
                bufferLines, maxRetries);
    }

    @Override
    public void accept(StreamLabels labels, List<LogEntry> entries) {
        for (LogEntry e : entries) {
            ForwardFormat.Item item = new ForwardFormat.Item(labels, e);
            while (!buffer.offer(item)) {
                if (buffer.poll() != null) {
                    dropped.increment(); // full: the oldest line goes
                }
            }
        }
    }

    private void run() {
        List<ForwardFormat.Item> batch = new ArrayList<>(batchSize);
        while (running || !buffer.isEmpty()) {
            try {
                ForwardFormat.Item first = buffer.poll(flushInterval.toMillis(), TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                long deadline = System.nanoTime() + flushInterval.toNanos();
                while (batch.size() < batchSize) {
                    long left = deadline - System.nanoTime();
                    ForwardFormat.Item next = left <= 0 ? buffer.poll() : buffer.poll(left, TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                    buffer.drainTo(batch, batchSize - batch.size());
                }
                send(batch);
            } catch (InterruptedException e) {
                if (!running) {
                    buffer.drainTo(batch);
                    if (!batch.isEmpty()) {
                        sendOnce(batch);
                    }
                    return;
                }
            } finally {
                batch.clear();
            }
        }
    }

    private void send(List<ForwardFormat.Item> batch) throws InterruptedException {
        Duration backoff = initialBackoff;
        for (int attempt = 0; ; attempt++) {
            if (sendOnce(batch)) {
                return;
            }
            if (attempt >= maxRetries) {
                dropped.increment(batch.size());
                log.warn("dropping {} log lines for {} after {} retries", batch.size(), name, maxRetries);
                return;
            }
            retries.increment();
            TimeUnit.MILLISECONDS.sleep(backoff.toMillis()); // back-off between retries
            backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30)
                    : backoff.multipliedBy(2);
        }
    }

    private boolean sendOnce(List<ForwardFormat.Item> batch) {
        try {
            HttpRequest req = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", format.contentType())
                    .POST(HttpRequest.BodyPublishers.ofString(format.body(batch))).build();
            HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
            if (resp.statusCode() / 100 == 2) {
                sent.increment(batch.size());
                return true;
            }
            log.debug("{} answered {}: {}", name, resp.statusCode(), resp.body());
            return false;
        } catch (java.io.IOException e) {
            log.debug("{} unreachable: {}", name, e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Lines waiting to be sent. */
    public int buffered() {
        return buffer.size();
    }

    @Override
    public void close() {
        running = false;
        worker.interrupt();
        try {
            worker.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
