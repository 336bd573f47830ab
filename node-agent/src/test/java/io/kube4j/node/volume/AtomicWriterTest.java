package io.kube4j.node.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AtomicWriterTest {

    @TempDir
    Path dir;

    private static AtomicWriter.FileProjection file(String content, int mode) {
        return new AtomicWriter.FileProjection(content.getBytes(StandardCharsets.UTF_8), mode);
    }

    private String read(String path) throws IOException {
        return Files.readString(dir.resolve(path));
    }

    private int mode(String path) throws IOException {
        return AtomicWriter.mode(Files.getPosixFilePermissions(dir.resolve(path)));
    }

    @Test
    void writesFilesBehindDataSymlink() throws IOException {
        AtomicWriter w = new AtomicWriter(dir);
        assertThat(w.write(Map.of("a", file("one", 0644), "nested/b", file("two", 0400)))).isTrue();

        assertThat(read("a")).isEqualTo("one");
        assertThat(read("nested/b")).isEqualTo("two");
        assertThat(Files.isSymbolicLink(dir.resolve("a"))).isTrue();
        assertThat(Files.readSymbolicLink(dir.resolve("a"))).isEqualTo(Path.of("..data/a"));
        assertThat(Files.readSymbolicLink(dir.resolve("nested"))).isEqualTo(Path.of("..data/nested"));
        Path target = Files.readSymbolicLink(dir.resolve("..data"));
        assertThat(target.toString()).matches("\\.\\.\\d{4}_\\d{2}_\\d{2}_\\d{2}_\\d{2}_\\d{2}\\..+");
        assertThat(mode("a")).isEqualTo(0644);
        assertThat(mode("nested/b")).isEqualTo(0400);
    }

    @Test
    void updateSwapsTheDataDirAndRemovesOldKeysAndTheOldDir() throws IOException {
        AtomicWriter w = new AtomicWriter(dir);
        w.write(Map.of("a", file("one", 0644), "gone", file("bye", 0644)));
        Path first = Files.readSymbolicLink(dir.resolve("..data"));

        assertThat(w.write(Map.of("a", file("uno", 0600), "new", file("hi", 0644)))).isTrue();

        Path second = Files.readSymbolicLink(dir.resolve("..data"));
        assertThat(second).isNotEqualTo(first);
        assertThat(Files.exists(dir.resolve(first))).isFalse();
        assertThat(read("a")).isEqualTo("uno");
        assertThat(mode("a")).isEqualTo(0600);
        assertThat(read("new")).isEqualTo("hi");
        assertThat(Files.exists(dir.resolve("gone"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
        try (Stream<Path> entries = Files.list(dir)) {
            assertThat(entries.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("a", "new", "..data", second.toString());
        }
    }

    @Test
    void samePayloadWritesNothing() throws IOException {
        AtomicWriter w = new AtomicWriter(dir);
        w.write(Map.of("a", file("one", 0644)));
        Path first = Files.readSymbolicLink(dir.resolve("..data"));
        assertThat(w.write(Map.of("a", file("one", 0644)))).isFalse();
        assertThat(Files.readSymbolicLink(dir.resolve("..data"))).isEqualTo(first);
        // a mode change alone is a change
        assertThat(new AtomicWriter(dir).write(Map.of("a", file("one", 0640)))).isTrue();
        assertThat(mode("a")).isEqualTo(0640);
    }

    @Test
    void emptyPayloadLeavesAnEmptyVolume() throws IOException {
        AtomicWriter w = new AtomicWriter(dir);
        w.write(Map.of("a", file("one", 0644)));
        w.write(Map.of());
        try (Stream<Path> entries = Files.list(dir)) {
            assertThat(entries.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".."))).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/etc/passwd", "../escape", "a/../../b", "..hidden", ""})
    void rejectsBadPaths(String path) {
        assertThatThrownBy(() -> new AtomicWriter(dir).write(Map.of(path, file("x", 0644))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("invalid path");
    }
}
