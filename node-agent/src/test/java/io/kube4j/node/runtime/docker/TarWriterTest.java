package io.kube4j.node.runtime.docker;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The ustar writer, read back by an independent reader (commons-compress, which docker-java brings). */
class TarWriterTest {

    @Test
    void entriesReadBack() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        String longName = "a/" + "b".repeat(60) + "/" + "c".repeat(60) + "/file.txt";
        try (TarWriter tar = new TarWriter(bytes, 1_700_000_000L)) {
            tar.directory("bin", 0755);
            tar.file("bin/hello", 0755, "#!/bin/sh\necho hi\n".getBytes(StandardCharsets.UTF_8));
            tar.symlink("bin/sh", "busybox");
            tar.file("empty", 0644, new byte[0]);
            tar.file("big", 0600, new byte[513]);
            tar.file(longName, 0644, "x".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(bytes.size() % 512).isZero();

        List<TarArchiveEntry> entries = new ArrayList<>();
        List<String> contents = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                entries.add(e);
                contents.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        assertThat(entries).extracting(TarArchiveEntry::getName)
                .containsExactly("bin/", "bin/hello", "bin/sh", "empty", "big", longName);
        assertThat(entries.get(0).isDirectory()).isTrue();
        assertThat(entries.get(1).getMode() & 07777).isEqualTo(0755);
        assertThat(entries.get(1).getModTime().toInstant().getEpochSecond()).isEqualTo(1_700_000_000L);
        assertThat(contents.get(1)).isEqualTo("#!/bin/sh\necho hi\n");
        assertThat(entries.get(2).isSymbolicLink()).isTrue();
        assertThat(entries.get(2).getLinkName()).isEqualTo("busybox");
        assertThat(entries.get(3).getSize()).isZero();
        assertThat(entries.get(4).getSize()).isEqualTo(513);
        assertThat(contents.get(5)).isEqualTo("x");
        assertThat(entries.get(5).getUserName()).isEqualTo("root");
    }

    @Test
    void namesThatDoNotFitAreRefused() {
        TarWriter tar = new TarWriter(new ByteArrayOutputStream(), 0);
        assertThatThrownBy(() -> tar.file("x".repeat(120), 0644, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too long");
    }
}
