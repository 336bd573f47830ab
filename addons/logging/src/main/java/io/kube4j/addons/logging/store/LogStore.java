package io.kube4j.addons.logging.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The node's log store: one segment per UTC hour of the lines' own timestamps, on disk, bounded by age
 * ({@code retention}) and size ({@code maxBytes}).
 *
 * <p>A segment is two append-only files: {@code <yyyyMMddHH>.lines} ({@code nanos TAB streamId TAB line}, the line
 * with backslash, newline and carriage return escaped) and {@code <yyyyMMddHH>.streams} ({@code streamId TAB labels
 * as JSON}). The streams table is the label index: it is small (one row per container per hour), kept in memory, and
 * lets a search skip every segment with no stream its selector matches without reading its lines. Text search is a
 * plain scan of the remaining segments' lines (see the report for the lines/s measured): the store is bounded, so a
 * scan is bounded too, and an inverted index would cost more on every write than it saves on rare searches.
 *
 * <p>Writes are serialized (one collector loop writes); searches read a snapshot of each segment's length taken at
 * their start, so they never see a half-written record and run concurrently with writes.
 */
public final class LogStore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LogStore.class);
    static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyyMMddHH").withZone(ZoneOffset.UTC);
    private static final long HOUR_NANOS = 3_600L * 1_000_000_000L;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path dir;
    private final Duration retention;
    private final long maxBytes;
    private final Clock clock;
    /** Segments by the epoch hour they hold. */
    private final NavigableMap<Long, Segment> segments = new TreeMap<>();

    public LogStore(Path dir, Duration retention, long maxBytes, Clock clock) {
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("retention must be positive: " + retention);
        }
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("max-bytes must be positive: " + maxBytes);
        }
        this.dir = dir;
        this.retention = retention;
        this.maxBytes = maxBytes;
        this.clock = clock;
        try {
            Files.createDirectories(dir);
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".lines")).toList()) {
                    String name = p.getFileName().toString();
                    long hour = Instant.from(HOUR.parse(name.substring(0, name.length() - ".lines".length())))
                            .getEpochSecond() / 3600;
                    segments.put(hour, Segment.load(dir, hour));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the log store at " + dir, e);
        }
        enforceRetention();
    }

    /** Appends lines of one stream; they land in the segments of their own hours. Call {@link #flush()} to persist. */
    public synchronized void append(StreamLabels labels, List<LogEntry> entries) {
        try {
            for (LogEntry e : entries) {
                long hour = Math.floorDiv(e.epochNanos(), HOUR_NANOS);
                Segment seg = segments.get(hour);
                if (seg == null) {
                    seg = Segment.create(dir, hour);
                    segments.put(hour, seg);
                }
                seg.append(labels, e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to the log store at " + dir, e);
        }
    }

    /** Writes what was appended to the files (the collector checkpoints its readers only after this). */
    public synchronized void flush() {
        try {
            for (Segment s : segments.values()) {
                s.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to the log store at " + dir, e);
        }
        enforceRetention(); // cheap (it looks at the oldest segment), so age and size are both kept on every flush
    }

    /**
     * Drops segments older than the retention, then the oldest ones while the store is over {@code maxBytes}; the
     * newest segment is never dropped for size (it is being written: the bound is max-bytes plus one hour of logs).
     */
    public synchronized void enforceRetention() {
        long oldestKept = Math.floorDiv(clock.instant().minus(retention).getEpochSecond(), 3600);
        while (!segments.isEmpty()) {
            Map.Entry<Long, Segment> first = segments.firstEntry();
            boolean expired = first.getKey() < oldestKept;
            boolean tooBig = sizeBytes() > maxBytes && segments.size() > 1;
            if (!expired && !tooBig) {
                break;
            }
            segments.pollFirstEntry();
            first.getValue().delete();
            log.info("log segment {} dropped ({})", first.getValue().name(), expired ? "older than " + retention
                    : "store over " + maxBytes + " bytes");
        }
    }

    public synchronized long sizeBytes() {
        return segments.values().stream().mapToLong(Segment::bytes).sum();
    }

    public synchronized int segmentCount() {
        return segments.size();
    }

    /** The segments' names (their hours, {@code yyyyMMddHH}), oldest first. */
    public synchronized List<String> segmentNames() {
        return segments.values().stream().map(Segment::name).toList();
    }

    /**
     * The lines matching {@code q}, oldest segment first and in write order within a segment (a container's lines
     * keep their order), streamed: a large answer is read lazily as the subscriber requests it.
     */
    public Flux<LogHit> search(LogQuery q) {
        List<SegmentSnapshot> plan = new ArrayList<>();
        synchronized (this) {
            flush();
            long from = Math.floorDiv(LogEntry.nanos(q.since()), HOUR_NANOS);
            long to = Math.floorDiv(LogEntry.nanos(q.until()), HOUR_NANOS);
            for (Segment s : from > to ? List.<Segment>of() : segments.subMap(from, true, to, true).values()) {
                Map<Integer, StreamLabels> matching = new HashMap<>();
                s.streams.forEach((id, labels) -> {
                    if (q.matchesStream(labels)) {
                        matching.put(id, labels);
                    }
                });
                if (!matching.isEmpty()) {
                    plan.add(new SegmentSnapshot(s.linesFile(), s.linesBytes, matching));
                }
            }
        }
        long since = LogEntry.nanos(q.since());
        long until = LogEntry.nanos(q.until());
        return Flux.fromIterable(plan)
                .concatMap(snap -> Flux.using(() -> snap.open(), r -> Flux.fromStream(r.lines()), SegmentSnapshot::close)
                        .mapNotNull(raw -> match(raw, snap.streams, q, since, until)), 1)
                .take(q.limit(), true)
                .subscribeOn(Schedulers.boundedElastic());
    }

    private static LogHit match(String raw, Map<Integer, StreamLabels> streams, LogQuery q, long since, long until) {
        int t1 = raw.indexOf('\t');
        int t2 = t1 < 0 ? -1 : raw.indexOf('\t', t1 + 1);
        if (t2 < 0) {
            return null; // a torn record from a crash: skip it
        }
        StreamLabels labels = streams.get(Integer.parseInt(raw, t1 + 1, t2, 10));
        if (labels == null) {
            return null;
        }
        if (q.regex() == null && q.text() != null && raw.indexOf('\\', t2 + 1) < 0
                && raw.indexOf(q.text(), t2 + 1) < 0) {
            return null; // the common case: no escapes in the line, so the raw text is the line; no match, no parsing
        }
        long nanos = Long.parseLong(raw, 0, t1, 10);
        if (nanos < since || nanos >= until) {
            return null;
        }
        String line = unescape(raw, t2 + 1);
        return q.matchesLine(line) ? LogHit.of(nanos, labels, line) : null;
    }

    static String escape(String line) {
        if (line.indexOf('\\') < 0 && line.indexOf('\n') < 0 && line.indexOf('\r') < 0) {
            return line;
        }
        StringBuilder b = new StringBuilder(line.length() + 8);
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    static String unescape(String raw, int from) {
        int bs = raw.indexOf('\\', from);
        if (bs < 0) {
            return raw.substring(from);
        }
        StringBuilder b = new StringBuilder(raw.length() - from);
        for (int i = from; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '\\' && i + 1 < raw.length()) {
                char n = raw.charAt(++i);
                b.append(n == 'n' ? '\n' : n == 'r' ? '\r' : n);
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    @Override
    public synchronized void close() {
        flush();
        for (Segment s : segments.values()) {
            s.closeWriters();
        }
    }

    /** What a search reads of one segment: its lines file up to the length it had when the search began. */
    private record SegmentSnapshot(Path file, long length, Map<Integer, StreamLabels> streams) {

        BufferedReader open() throws IOException {
            InputStream in;
            try {
                in = Files.newInputStream(file);
            } catch (NoSuchFileException e) {
                in = InputStream.nullInputStream(); // dropped by retention since the search began
            }
            return new BufferedReader(new InputStreamReader(new BoundedInputStream(in, length),
                    StandardCharsets.UTF_8), 1 << 16);
        }

        static void close(BufferedReader r) {
            try {
                r.close();
            } catch (IOException e) {
                // a read-only file
            }
        }
    }

    /** Reads at most {@code limit} bytes: the part of a segment written before the search began. */
    private static final class BoundedInputStream extends java.io.FilterInputStream {
        private long left;

        BoundedInputStream(InputStream in, long limit) {
            super(in);
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = super.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = super.read(buf, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }

    /** One hour of logs. */
    private static final class Segment {
        final Path dir;
        final long hour;
        final Map<Integer, StreamLabels> streams = new HashMap<>();
        final Map<StreamLabels, Integer> ids = new HashMap<>();
        long linesBytes;
        long streamsBytes;
        long pendingBytes;
        BufferedWriter lines;
        BufferedWriter streamsOut;

        private Segment(Path dir, long hour) {
            this.dir = dir;
            this.hour = hour;
        }

        static Segment create(Path dir, long hour) {
            return new Segment(dir, hour);
        }

        static Segment load(Path dir, long hour) throws IOException {
            Segment s = new Segment(dir, hour);
            Path sf = s.streamsFile();
            if (Files.exists(sf)) {
                for (String row : Files.readAllLines(sf, StandardCharsets.UTF_8)) {
                    int tab = row.indexOf('\t');
                    if (tab < 0) {
                        continue; // torn row
                    }
                    try {
                        StreamLabels l = JSON.readValue(row.substring(tab + 1), StreamLabels.class);
                        int id = Integer.parseInt(row.substring(0, tab));
                        s.streams.put(id, l);
                        s.ids.put(l, id);
                    } catch (RuntimeException e) {
                        log.warn("skipping a torn stream row in {}: {}", sf, e.toString());
                    }
                }
                s.streamsBytes = Files.size(sf);
            }
            s.linesBytes = Files.size(s.linesFile());
            return s;
        }

        String name() {
            return HOUR.format(Instant.ofEpochSecond(hour * 3600));
        }

        Path linesFile() {
            return dir.resolve(name() + ".lines");
        }

        Path streamsFile() {
            return dir.resolve(name() + ".streams");
        }

        long bytes() {
            return linesBytes + streamsBytes + pendingBytes;
        }

        void append(StreamLabels labels, LogEntry e) throws IOException {
            Integer id = ids.get(labels);
            if (id == null) {
                id = ids.size();
                ids.put(labels, id);
                streams.put(id, labels);
                String row = id + "\t" + JSON.writeValueAsString(labels) + "\n";
                // the stream row goes to disk before any line that names it
                streamsWriter().write(row);
                streamsOut.flush();
                streamsBytes += row.getBytes(StandardCharsets.UTF_8).length;
            }
            String rec = e.epochNanos() + "\t" + id + "\t" + escape(e.line()) + "\n";
            linesWriter().write(rec);
            pendingBytes += utf8Length(rec);
        }

        void flush() throws IOException {
            if (lines != null && pendingBytes > 0) {
                lines.flush();
                linesBytes += pendingBytes;
                pendingBytes = 0;
            }
        }

        private BufferedWriter linesWriter() throws IOException {
            if (lines == null) {
                lines = Files.newBufferedWriter(linesFile(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            }
            return lines;
        }

        private BufferedWriter streamsWriter() throws IOException {
            if (streamsOut == null) {
                streamsOut = Files.newBufferedWriter(streamsFile(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            }
            return streamsOut;
        }

        void closeWriters() {
            for (BufferedWriter w : new BufferedWriter[] {lines, streamsOut}) {
                if (w != null) {
                    try {
                        w.close();
                    } catch (IOException e) {
                        log.warn("closing segment {}: {}", name(), e.toString());
                    }
                }
            }
            lines = null;
            streamsOut = null;
        }

        void delete() {
            closeWriters();
            try {
                Files.deleteIfExists(linesFile());
                Files.deleteIfExists(streamsFile());
            } catch (IOException e) {
                log.warn("cannot delete segment {}: {}", name(), e.toString());
            }
        }

        private static int utf8Length(String s) {
            int n = 0;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    n++;
                } else if (c < 0x800) {
                    n += 2;
                } else if (Character.isHighSurrogate(c)) {
                    n += 4;
                    i++;
                } else {
                    n += 3;
                }
            }
            return n;
        }
    }
}
