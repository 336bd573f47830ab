package io.kube4j.apiserver.audit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The audit log backend: a bounded queue drained by one writer thread, so the event loop never blocks on disk.
 * Lines go to a file rotated by size ({@code <name>-<timestamp>.<ext>}, the newest {@code maxBackup} kept, as
 * kube-apiserver's lumberjack does) or to standard output. A full queue drops the event and counts it in
 * {@code apiserver_audit_error_total{plugin="log"}}; written events count in {@code apiserver_audit_event_total}.
 */
public final class AuditLogWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AuditLogWriter.class);
    private static final DateTimeFormatter BACKUP_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss.SSS")
            .withZone(ZoneOffset.UTC);
    private static final AuditRecord STOP = new AuditRecord(null, null, null, null, null, null, null, List.of(), null,
            0, null, null, null, null, null);

    private final BlockingQueue<AuditRecord> queue;
    private final Path path;
    private final long maxBytes;
    private final int maxBackup;
    private final Counter written;
    private final Counter dropped;
    private final Thread thread;
    private OutputStream out;
    private long size;

    public AuditLogWriter(String logPath, int maxSizeMegabytes, int maxBackup, int queueSize, MeterRegistry meters) {
        this.queue = new ArrayBlockingQueue<>(Math.max(1, queueSize));
        this.path = logPath.equals("-") ? null : Path.of(logPath);
        this.maxBytes = maxSizeMegabytes <= 0 ? Long.MAX_VALUE : maxSizeMegabytes * 1024L * 1024L;
        this.maxBackup = maxBackup;
        this.written = Counter.builder("apiserver_audit_event_total")
                .description("Counter of audit events generated and sent to the audit backend.").register(meters);
        this.dropped = Counter.builder("apiserver_audit_error_total").tag("plugin", "log")
                .description("Counter of audit events that failed to be audited properly.").register(meters);
        Gauge.builder("apiserver_audit_queue_length", queue, BlockingQueue::size)
                .description("Audit events waiting for the writer thread").register(meters);
        try {
            open();
        } catch (IOException e) {
            throw new IllegalStateException("cannot open the audit log " + logPath + ": " + e.getMessage(), e);
        }
        this.thread = new Thread(this::run, "audit-log-writer");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues one event; never blocks. */
    void offer(AuditRecord r) {
        if (!queue.offer(r)) {
            dropped.increment();
        }
    }

    private void open() throws IOException {
        if (path == null) {
            out = System.out;
            size = 0;
            return;
        }
        if (path.getParent() != null) {
            Files.createDirectories(path.getParent());
        }
        out = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        size = Files.size(path);
    }

    private void run() {
        List<AuditRecord> batch = new ArrayList<>();
        while (true) {
            try {
                AuditRecord first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, 511);
                boolean stop = false;
                for (AuditRecord r : batch) {
                    if (r == STOP) {
                        stop = true;
                        continue;
                    }
                    write(r);
                }
                batch.clear();
                out.flush();
                if (stop) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                dropped.increment();
                log.warn("audit log: cannot write an event: {}", e.toString());
            }
        }
    }

    private void write(AuditRecord r) throws IOException {
        byte[] line;
        try {
            line = (AuditEvents.toJsonLine(r) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            dropped.increment();
            log.warn("audit log: cannot encode an event: {}", e.toString());
            return;
        }
        if (path != null && size > 0 && size + line.length > maxBytes) {
            rotate();
        }
        out.write(line);
        size += line.length;
        written.increment();
    }

    private void rotate() throws IOException {
        out.close();
        String name = path.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String base = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : "";
        Path dir = path.toAbsolutePath().getParent();
        String stamp = BACKUP_TIME.format(Instant.now());
        Path backup = dir.resolve(base + "-" + stamp + ext);
        for (int n = 1; Files.exists(backup); n++) {
            // two rotations within one millisecond
            backup = dir.resolve(base + "-" + stamp + "." + n + ext);
        }
        Files.move(path, backup);
        if (maxBackup > 0) {
            List<Path> backups;
            try (Stream<Path> s = Files.list(dir)) {
                backups = s.filter(p -> {
                    String n = p.getFileName().toString();
                    return n.startsWith(base + "-") && n.endsWith(ext) && !n.equals(name);
                }).sorted().toList();
            }
            for (int i = 0; i < backups.size() - maxBackup; i++) {
                Files.deleteIfExists(backups.get(i));
            }
        }
        open();
    }

    /** Writes what is queued, then stops the thread. */
    @Override
    public void close() {
        try {
            queue.put(STOP);
            thread.join(TimeUnit.SECONDS.toMillis(10));
            if (path != null) {
                out.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            log.warn("audit log: close failed: {}", e.toString());
        }
    }
}
