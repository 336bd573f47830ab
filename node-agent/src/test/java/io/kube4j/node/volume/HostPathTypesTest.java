package io.kube4j.node.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostPathTypesTest {

    @TempDir
    Path root;
    Path dir;
    Path file;
    Path socket;
    ServerSocketChannel server;

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createDirectory(root.resolve("dir"));
        file = Files.writeString(root.resolve("file"), "x");
        socket = root.resolve("sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
    }

    @org.junit.jupiter.api.AfterEach
    void closeSocket() throws IOException {
        server.close();
    }

    private Path path(String name) {
        return switch (name) {
            case "dir" -> dir;
            case "file" -> file;
            case "sock" -> socket;
            case "null" -> Path.of("/dev/null");
            default -> root.resolve(name);
        };
    }

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource(delimiter = '|', value = {
        "''|missing|",
        "Directory|dir|",
        "Directory|file|is not a directory",
        "Directory|missing|is not a directory",
        "DirectoryOrCreate|dir|",
        "DirectoryOrCreate|file|is not a directory",
        "File|file|",
        "File|dir|is not a file",
        "File|missing|is not a file",
        "FileOrCreate|file|",
        "FileOrCreate|dir|is not a file",
        "Socket|sock|",
        "Socket|file|is not a socket file",
        "CharDevice|null|",
        "CharDevice|file|is not a character device",
        "BlockDevice|null|is not a block device",
        "BlockDevice|missing|is not a block device",
    })
    void checks(String type, String target, String error) {
        Path p = path(target);
        if (error == null) {
            HostPathTypes.check(p, type);
        } else {
            assertThatThrownBy(() -> HostPathTypes.check(p, type)).isInstanceOf(VolumeSetupException.class)
                    .hasMessage("hostPath type check failed: " + p + " " + error);
        }
    }

    @Test
    void orCreateTypesCreate() throws IOException {
        Path d = root.resolve("new/dir");
        HostPathTypes.check(d, "DirectoryOrCreate");
        assertThat(d).isDirectory();
        assertThat(AtomicWriter.mode(Files.getPosixFilePermissions(d))).isEqualTo(0755);
        Path f = root.resolve("new/sub/file");
        HostPathTypes.check(f, "FileOrCreate");
        assertThat(f).isRegularFile().isEmptyFile();
        assertThat(AtomicWriter.mode(Files.getPosixFilePermissions(f))).isEqualTo(0644);
    }

    @Test
    void blockDevice() {
        Path loop = Path.of("/dev/loop0");
        assumeThat(Files.exists(loop)).as("a block device /dev/loop0").isTrue();
        HostPathTypes.check(loop, "BlockDevice");
    }

    @Test
    void unknownType() {
        assertThatThrownBy(() -> HostPathTypes.check(dir, "Weird")).hasMessage("Weird is an invalid volume type");
    }
}
