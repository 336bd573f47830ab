package io.kube4j.security.tls;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A value read from files and read again when they change (modification time, size or file key), checked at most
 * once per {@code checkInterval} when the value is asked for: no thread, no watch service, so a certificate rotated
 * on disk is served from the next TLS handshake on. A file that cannot be read keeps the previous value (and
 * logs once per change); the first read must succeed.
 */
public final class ReloadingFiles<T> implements Supplier<T> {

    private static final Logger log = LoggerFactory.getLogger(ReloadingFiles.class);

    private final List<Path> files;
    private final Supplier<T> loader;
    private final Duration checkInterval;
    private final Clock clock;
    private volatile T value;
    private volatile List<Object> stamp;
    private volatile long nextCheck;

    public ReloadingFiles(List<Path> files, Supplier<T> loader, Duration checkInterval, Clock clock) {
        this.files = List.copyOf(files);
        this.loader = Objects.requireNonNull(loader);
        this.checkInterval = checkInterval;
        this.clock = clock;
        this.stamp = stamp();
        this.value = loader.get();
        this.nextCheck = clock.millis() + checkInterval.toMillis();
    }

    @Override
    public T get() {
        long now = clock.millis();
        if (now >= nextCheck) {
            synchronized (this) {
                if (now >= nextCheck) {
                    nextCheck = now + checkInterval.toMillis();
                    List<Object> s = stamp();
                    if (!s.equals(stamp)) {
                        stamp = s;
                        try {
                            value = loader.get();
                            log.info("reloaded {}", files);
                        } catch (RuntimeException e) {
                            log.warn("cannot reload {}, keeping the previous contents: {}", files, e.getMessage());
                        }
                    }
                }
            }
        }
        return value;
    }

    private List<Object> stamp() {
        List<Object> s = new ArrayList<>();
        for (Path f : files) {
            try {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                s.add(List.of(a.lastModifiedTime(), a.size(), String.valueOf(a.fileKey())));
            } catch (IOException e) {
                s.add("missing");
            }
        }
        return s;
    }
}
