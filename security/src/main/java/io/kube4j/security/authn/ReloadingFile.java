package io.kube4j.security.authn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.function.Function;

/**
 * The parsed content of a file, parsed again when the file's modification time or size changes (checked at most
 * once per {@code checkIntervalMillis}), as Kubernetes' dynamic CA and token file loaders do. A file that
 * becomes unreadable or unparsable keeps the last good content (and the error is rethrown only when there never
 * was one), so a half-written file during a rotation does not lock everyone out.
 */
public final class ReloadingFile<T> {

    private final Path path;
    private final Function<byte[], T> parser;
    private final long checkIntervalMillis;
    private final Clock clock;
    private volatile Loaded<T> loaded;
    private volatile long lastCheck;

    private record Loaded<T>(FileTime modified, long size, T value) {
    }

    public ReloadingFile(Path path, Function<byte[], T> parser, long checkIntervalMillis, Clock clock) {
        this.path = path;
        this.parser = parser;
        this.checkIntervalMillis = checkIntervalMillis;
        this.clock = clock;
        this.loaded = load(null);
        this.lastCheck = clock.millis();
    }

    public ReloadingFile(Path path, Function<byte[], T> parser) {
        this(path, parser, 1000, Clock.systemUTC());
    }

    public Path path() {
        return path;
    }

    /** The current content, re-read first when the file changed since the last look. */
    public T get() {
        long now = clock.millis();
        if (now - lastCheck >= checkIntervalMillis) {
            synchronized (this) {
                if (now - lastCheck >= checkIntervalMillis) {
                    lastCheck = now;
                    loaded = load(loaded);
                }
            }
        }
        return loaded.value();
    }

    private Loaded<T> load(Loaded<T> previous) {
        try {
            FileTime modified = Files.getLastModifiedTime(path);
            long size = Files.size(path);
            if (previous != null && previous.modified().equals(modified) && previous.size() == size) {
                return previous;
            }
            return new Loaded<>(modified, size, parser.apply(Files.readAllBytes(path)));
        } catch (IOException | RuntimeException e) {
            if (previous == null) {
                throw e instanceof IOException io ? new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), io)
                        : new IllegalArgumentException("cannot load " + path + ": " + e.getMessage(), e);
            }
            org.slf4j.LoggerFactory.getLogger(ReloadingFile.class)
                    .warn("cannot reload {} ({}); keeping its previous content", path, e.toString());
            return previous;
        }
    }
}
