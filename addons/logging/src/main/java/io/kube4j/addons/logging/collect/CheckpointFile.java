package io.kube4j.addons.logging.collect;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;

/**
 * The collector's checkpoints (container id → {@link Checkpoint}) in one JSON file, replaced atomically (write a
 * temporary file, rename it over the old one) so a crash leaves either the old or the new set, never a torn one.
 */
public final class CheckpointFile {

    private static final Logger log = LoggerFactory.getLogger(CheckpointFile.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final Path file;

    public CheckpointFile(Path file) {
        this.file = file;
    }

    public Map<String, Checkpoint> load() {
        if (!Files.exists(file)) {
            return new HashMap<>();
        }
        try {
            return new HashMap<>(JSON.readValue(file.toFile(), new TypeReference<Map<String, Checkpoint>>() { }));
        } catch (RuntimeException e) {
            // an unreadable file means starting over: lines are shipped again rather than lost
            log.warn("ignoring unreadable checkpoints {}: {}", file, e.toString());
            return new HashMap<>();
        }
    }

    public void save(Map<String, Checkpoint> checkpoints) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            JSON.writeValue(tmp.toFile(), checkpoints);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoints " + file, e);
        }
    }
}
