package io.kube4j.addons.logging.collect;

import io.kube4j.addons.logging.store.LogEntry;
import io.kube4j.addons.logging.store.LogStore;
import io.kube4j.addons.logging.store.StreamLabels;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The node's log collector: one loop that finds this node's pod containers, follows each one's json-file log, labels
 * the lines and writes them to the {@link LogStore} (and the configured {@link LogSink}s).
 *
 * <p>Guarantees. A container removed after the collector opened its log is read to the end first (the open file
 * outlives the unlink), so no line written before removal is lost. The collector sees a container within one poll of
 * the engine's {@code start} event (or one {@code rediscover} period if events are lost); a container created, run
 * and removed inside that window is missed. Checkpoints are written after the store is flushed, so a restart
 * resumes exactly where the last flush ended (a graceful stop flushes everything: no loss, no duplicate); after a
 * crash the lines between the last checkpoint and the crash are shipped again (at-least-once, at most one poll's
 * worth duplicated).
 */
public final class LogCollector implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LogCollector.class);
    private static final int MAX_BYTES_PER_POLL = 1 << 20;

    private final String node;
    private final ContainerDirectory containers;
    private final PodLabels podLabels;
    private final LogStore store;
    private final List<LogSink> sinks;
    private final CheckpointFile checkpointFile;
    private final Duration pollInterval;
    private final Duration rediscover;
    private final Duration labelWait;
    private final Clock clock;
    private final Counter linesCollected;
    private final Counter bytesCollected;

    private final Map<String, Tail> tails = new LinkedHashMap<>();
    private final Map<String, Checkpoint> checkpoints;
    private final Semaphore wake = new Semaphore(0);
    private volatile boolean discoverNow = true;
    private volatile boolean running;
    private Instant lastDiscovery = Instant.EPOCH;
    private Thread loop;

    /** One followed container. */
    private static final class Tail {
        final ContainerInfo info;
        final JsonFileTailer tailer;
        final Instant seen;
        StreamLabels labels;
        boolean removed;

        Tail(ContainerInfo info, JsonFileTailer tailer, Instant seen) {
            this.info = info;
            this.tailer = tailer;
            this.seen = seen;
        }
    }

    public LogCollector(String node, ContainerDirectory containers, PodLabels podLabels, LogStore store,
                        List<LogSink> sinks, CheckpointFile checkpointFile, Duration pollInterval, Duration rediscover,
                        Duration labelWait, MeterRegistry meters, Clock clock) {
        this.node = node;
        this.containers = containers;
        this.podLabels = podLabels;
        this.store = store;
        this.sinks = List.copyOf(sinks);
        this.checkpointFile = checkpointFile;
        this.pollInterval = pollInterval;
        this.rediscover = rediscover;
        this.labelWait = labelWait;
        this.clock = clock;
        this.checkpoints = checkpointFile.load();
        this.linesCollected = Counter.builder("kube4j_logging_collected_lines_total")
                .description("Log lines collected from this node's containers").tag("node", node).register(meters);
        this.bytesCollected = Counter.builder("kube4j_logging_collected_bytes_total")
                .description("Bytes of log lines (UTF-8, without newlines) collected from this node's containers")
                .tag("node", node).register(meters);
        meters.gauge("kube4j_logging_followed_containers", io.micrometer.core.instrument.Tags.of("node", node), this,
                c -> c.followedContainers());
    }

    /** Starts the loop on a thread of its own and subscribes to the engine's container events. */
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        containers.watch(this::wake);
        loop = new Thread(this::run, "log-collector-" + node);
        loop.setDaemon(true);
        loop.start();
        log.info("log collector for node {}: poll {}, rediscover {}, label wait {}, {} checkpoints", node,
                pollInterval, rediscover, labelWait, checkpoints.size());
    }

    /** A container changed: look at the engine's containers now rather than at the next rediscovery. */
    public void wake() {
        discoverNow = true;
        wake.release();
    }

    private void run() {
        while (running) {
            try {
                pollOnce();
            } catch (RuntimeException e) {
                log.warn("log collection round failed (retrying): {}", e.toString(), e);
            }
            try {
                wake.tryAcquire(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
                wake.drainPermits();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** One round: discover containers if due, read every log to its current end, store, checkpoint. */
    public synchronized int pollOnce() {
        Instant now = clock.instant();
        if (discoverNow || !now.isBefore(lastDiscovery.plus(rediscover))) {
            discoverNow = false;
            lastDiscovery = now;
            discover(now);
        }
        int lines = 0;
        Set<String> finished = new HashSet<>();
        for (Tail t : tails.values()) {
            if (t.labels == null) {
                t.labels = resolveLabels(t, now);
                if (t.labels == null) {
                    continue; // the pod is not in the informer's cache yet: its lines wait in the file
                }
            }
            try {
                while (true) {
                    List<LogEntry> entries = t.tailer.poll(MAX_BYTES_PER_POLL);
                    if (entries.isEmpty()) {
                        break;
                    }
                    ship(t.labels, entries);
                    lines += entries.size();
                }
            } catch (IOException e) {
                log.warn("reading the log of container {} ({}/{}): {}", t.info.id(), t.info.pod(), t.info.container(),
                        e.toString());
            }
            if (t.removed) {
                finished.add(t.info.id()); // read to the end after removal: nothing more will come
            }
        }
        store.flush();
        for (Tail t : tails.values()) {
            if (t.labels != null) {
                checkpoints.put(t.info.id(), t.tailer.checkpoint());
            }
        }
        for (String id : finished) {
            tails.remove(id).tailer.close();
            checkpoints.remove(id);
        }
        if (lines > 0 || !finished.isEmpty()) {
            checkpointFile.save(checkpoints);
        }
        return lines;
    }

    private void ship(StreamLabels labels, List<LogEntry> entries) {
        store.append(labels, entries);
        long bytes = 0;
        for (LogEntry e : entries) {
            bytes += e.line().getBytes(StandardCharsets.UTF_8).length;
        }
        linesCollected.increment(entries.size());
        bytesCollected.increment(bytes);
        for (LogSink s : sinks) {
            s.accept(labels, entries);
        }
    }

    private StreamLabels resolveLabels(Tail t, Instant now) {
        ContainerInfo c = t.info;
        var labels = podLabels.labels(c.namespace(), c.pod(), c.podUid());
        if (labels.isEmpty() && now.isBefore(t.seen.plus(labelWait))) {
            return null;
        }
        if (labels.isEmpty()) {
            log.debug("pod {}/{} unknown after {}: its lines are stored without pod labels", c.namespace(), c.pod(),
                    labelWait);
        }
        return new StreamLabels(c.namespace(), c.pod(), c.container(), node, labels.orElse(Map.of()));
    }

    private void discover(Instant now) {
        List<ContainerInfo> listed = containers.list();
        Map<String, ContainerInfo> byId = new HashMap<>();
        listed.forEach(c -> byId.put(c.id(), c));
        for (ContainerInfo c : listed) {
            if (tails.containsKey(c.id())) {
                continue;
            }
            if (c.logPath() == null || c.logPath().isEmpty()) {
                // created, not started: its start event wakes us, and in case that is lost, look again in a second
                lastDiscovery = now.minus(rediscover).plusSeconds(1);
                continue;
            }
            try {
                JsonFileTailer tailer = JsonFileTailer.open(Path.of(c.logPath()), checkpoints.get(c.id()));
                tails.put(c.id(), new Tail(c, tailer, now));
            } catch (NoSuchFileException e) {
                log.debug("container {} has no log file yet", c.id());
                lastDiscovery = now.minus(rediscover).plusSeconds(1);
            } catch (IOException e) {
                log.warn("cannot open the log of container {} ({}/{}) at {}: {}", c.id(), c.pod(), c.container(),
                        c.logPath(), e.toString());
            }
        }
        for (Tail t : tails.values()) {
            t.removed = !byId.containsKey(t.info.id());
        }
        // checkpoints of containers removed while the collector was down: nothing left to read
        checkpoints.keySet().removeIf(id -> !byId.containsKey(id) && !tails.containsKey(id));
    }

    public synchronized int followedContainers() {
        return tails.size();
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            running = false;
            t = loop;
        }
        wake.release();
        if (t != null) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            store.flush();
            for (Tail tail : tails.values()) {
                if (tail.labels != null) {
                    checkpoints.put(tail.info.id(), tail.tailer.checkpoint());
                }
                tail.tailer.close();
            }
            tails.clear();
            checkpointFile.save(checkpoints);
        }
        containers.close();
    }
}
