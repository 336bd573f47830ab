package io.kube4j.addons.logging.collect;

import io.kube4j.addons.logging.store.LogEntry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Follows one container's Docker json-file log ({@code {"log":"...\n","stream":"stdout","time":"..."}} per line).
 *
 * <p>It holds the file open: when the container is removed and Docker unlinks the file, the open descriptor still
 * reads everything the container wrote, so the collector drains it to the end before letting go. A rotation (the
 * path now names another file) is followed after the old file is read to its end. Lines Docker split at 16 KiB
 * (a {@code log} without its newline) are joined again.
 */
public final class JsonFileTailer implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path path;
    private FileChannel channel;
    private String fileKey;
    private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    private final ByteArrayOutputStream pendingBytes = new ByteArrayOutputStream();
    /** Byte offset after the last record that ended a line (what a checkpoint may record). */
    private long committed;
    /** Offset of the bytes read into the buffer so far. */
    private long readPos;
    private long lastNanos;
    /** After a rotation found at start-up: lines at or before this time were shipped from the previous file. */
    private long skipThroughNanos = Long.MIN_VALUE;
    private final StringBuilder partial = new StringBuilder();
    private long partialNanos;

    private JsonFileTailer(Path path) {
        this.path = path;
    }

    /**
     * Opens the log at {@code path}, resuming from {@code checkpoint} (null: from the start): at its offset if the
     * file is the one it recorded, else from the start of the new file skipping lines not newer than its last line.
     */
    public static JsonFileTailer open(Path path, Checkpoint checkpoint) throws IOException {
        JsonFileTailer t = new JsonFileTailer(path);
        t.openAt(0);
        if (checkpoint != null) {
            t.lastNanos = checkpoint.lastNanos();
            if (checkpoint.fileKey().equals(t.fileKey) && checkpoint.offset() <= t.channel.size()) {
                t.channel.position(checkpoint.offset());
                t.committed = t.readPos = checkpoint.offset();
            } else {
                t.skipThroughNanos = checkpoint.lastNanos();
            }
        }
        return t;
    }

    private void openAt(long position) throws IOException {
        channel = FileChannel.open(path, StandardOpenOption.READ);
        fileKey = String.valueOf(Files.readAttributes(path, BasicFileAttributes.class).fileKey());
        channel.position(position);
        committed = readPos = position;
        pendingBytes.reset();
        partial.setLength(0);
    }

    /**
     * Reads up to about {@code maxBytes} of new log and returns its complete lines (possibly none). When the file is
     * at its end and the path names a new file (rotation), the old one is finished and the new one opened.
     */
    public List<LogEntry> poll(int maxBytes) throws IOException {
        List<LogEntry> out = new ArrayList<>();
        int total = 0;
        while (total < maxBytes) {
            buf.clear();
            int n = channel.read(buf);
            if (n <= 0) {
                if (!rotated()) {
                    break;
                }
                // Docker writes to the old file only before it renames it: read it to its end once more, then switch
                drain(out);
                channel.close();
                openAt(0);
                continue;
            }
            total += n;
            buf.flip();
            consume(buf, out);
        }
        return out;
    }

    private void drain(List<LogEntry> out) throws IOException {
        while (true) {
            buf.clear();
            int n = channel.read(buf);
            if (n <= 0) {
                return;
            }
            buf.flip();
            consume(buf, out);
        }
    }

    private boolean rotated() throws IOException {
        try {
            return !String.valueOf(Files.readAttributes(path, BasicFileAttributes.class).fileKey()).equals(fileKey);
        } catch (NoSuchFileException e) {
            return false; // removed with its container: the open file is all there is
        }
    }

    private void consume(ByteBuffer b, List<LogEntry> out) {
        byte[] a = b.array();
        int from = b.position();
        int end = b.limit();
        for (int i = from; i < end; i++) {
            if (a[i] != '\n') {
                continue;
            }
            String record;
            if (pendingBytes.size() == 0) {
                record = new String(a, from, i - from, StandardCharsets.UTF_8);
            } else {
                pendingBytes.write(a, from, i - from);
                record = pendingBytes.toString(StandardCharsets.UTF_8);
                pendingBytes.reset();
            }
            readPos += i + 1 - from;
            from = i + 1;
            record(record, out);
            if (partial.isEmpty()) {
                committed = readPos;
            }
        }
        pendingBytes.write(a, from, end - from); // a record still being written
        readPos += end - from;
        b.position(end);
    }

    private void record(String record, List<LogEntry> out) {
        if (record.isBlank()) {
            return;
        }
        JsonNode node;
        try {
            node = JSON.readTree(record);
        } catch (RuntimeException e) {
            return; // not a json-file record (a torn write from a crashed engine): nothing to ship
        }
        String text = node.path("log").asString("");
        long nanos;
        try {
            nanos = LogEntry.nanos(Instant.parse(node.path("time").asString("")));
        } catch (RuntimeException e) {
            nanos = LogEntry.nanos(Instant.now());
        }
        if (partial.isEmpty()) {
            partialNanos = nanos;
        }
        if (!text.endsWith("\n")) {
            partial.append(text);
            return;
        }
        partial.append(text, 0, text.length() - 1);
        String line = partial.toString();
        partial.setLength(0);
        if (partialNanos <= skipThroughNanos) {
            return;
        }
        lastNanos = partialNanos;
        out.add(new LogEntry(partialNanos, line));
    }

    /** Where to resume after what {@link #poll} returned so far has been stored. */
    public Checkpoint checkpoint() {
        return new Checkpoint(fileKey, committed, lastNanos);
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // a read-only descriptor
        }
    }
}
