package io.kube4j.node.volume;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Writes a volume's files atomically, as the kubelet's {@code AtomicWriter}: the payload goes into a fresh
 * timestamped directory ({@code ..2026_11_27_10_15_30.123456789}), a {@code ..data} symlink is pointed at it with one
 * atomic rename, and every user-visible top-level path is a symlink through {@code ..data} ({@code key ->
 * ..data/key}). A reader in a container therefore sees either the old or the new set of files, never a mix. Paths
 * no longer in the payload disappear and the previous timestamped directory is removed.
 */
public final class AtomicWriter {

    /** One file of the payload: content and permission bits (e.g. 0644). */
    public record FileProjection(byte[] data, int mode) {

        public FileProjection {
            Objects.requireNonNull(data);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof FileProjection f && f.mode == mode && Arrays.equals(f.data, data);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(data) + mode;
        }
    }

    static final String DATA_DIR = "..data";
    private static final String DATA_DIR_TMP = "..data_tmp";
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy_MM_dd_HH_mm_ss.");

    private final Path targetDir;

    public AtomicWriter(Path targetDir) {
        this.targetDir = targetDir.toAbsolutePath();
    }

    /**
     * Makes the target directory show exactly {@code payload} (relative paths → files).
     *
     * @return true when something was written, false when the directory already held this payload
     * @throws IllegalArgumentException for a path that is absolute, contains {@code ..} or starts with {@code ..}
     */
    public boolean write(Map<String, FileProjection> payload) {
        Map<String, FileProjection> files = new TreeMap<>();
        for (Map.Entry<String, FileProjection> e : payload.entrySet()) {
            files.put(validatePath(e.getKey()), e.getValue());
        }
        try {
            Files.createDirectories(targetDir);
            Path dataLink = targetDir.resolve(DATA_DIR);
            Path oldTsDir = null;
            if (Files.isSymbolicLink(dataLink)) {
                oldTsDir = targetDir.resolve(Files.readSymbolicLink(dataLink));
                if (Files.isDirectory(oldTsDir) && sameContent(oldTsDir, files)) {
                    ensureUserVisible(files.keySet()); // cheap: the links normally exist already
                    return false;
                }
            }
            Path tsDir = newTimestampDir();
            for (Map.Entry<String, FileProjection> e : files.entrySet()) {
                Path file = tsDir.resolve(e.getKey());
                createDirs(file.getParent(), tsDir);
                Files.write(file, e.getValue().data());
                Files.setPosixFilePermissions(file, permissions(e.getValue().mode()));
            }
            Path tmpLink = targetDir.resolve(DATA_DIR_TMP);
            Files.deleteIfExists(tmpLink);
            Files.createSymbolicLink(tmpLink, tsDir.getFileName());
            try {
                Files.move(tmpLink, dataLink, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + targetDir + " cannot rename atomically", e);
            }
            ensureUserVisible(files.keySet());
            removeStaleUserVisible(files.keySet());
            if (oldTsDir != null && !oldTsDir.equals(tsDir)) {
                deleteRecursively(oldTsDir);
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + targetDir + ": " + e.getMessage(), e);
        }
    }

    /** Relative, no {@code ..} element, not starting with {@code ..} (reserved for the writer's own entries). */
    static String validatePath(String p) {
        if (p == null || p.isEmpty()) {
            throw new IllegalArgumentException("invalid path: must not be empty");
        }
        if (p.startsWith("/")) {
            throw new IllegalArgumentException("invalid path: must be relative path: " + p);
        }
        if (p.startsWith("..")) {
            throw new IllegalArgumentException("invalid path: must not start with '..': " + p);
        }
        for (String part : p.split("/")) {
            if (part.equals("..")) {
                throw new IllegalArgumentException("invalid path: must not contain '..': " + p);
            }
        }
        return Path.of(p).normalize().toString();
    }

    private Path newTimestampDir() throws IOException {
        String base = ".." + LocalDateTime.now().format(TS);
        Path dir = Files.createTempDirectory(targetDir, base);
        Files.setPosixFilePermissions(dir, permissions(0755));
        return dir;
    }

    private static void createDirs(Path dir, Path root) throws IOException {
        if (dir.equals(root) || Files.isDirectory(dir)) {
            return;
        }
        createDirs(dir.getParent(), root);
        Files.createDirectory(dir);
        Files.setPosixFilePermissions(dir, permissions(0755));
    }

    private static boolean sameContent(Path tsDir, Map<String, FileProjection> files) throws IOException {
        Set<String> present = new HashSet<>();
        try (Stream<Path> walk = Files.walk(tsDir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    present.add(tsDir.relativize(p).toString());
                }
            }
        }
        if (!present.equals(files.keySet())) {
            return false;
        }
        for (Map.Entry<String, FileProjection> e : files.entrySet()) {
            Path f = tsDir.resolve(e.getKey());
            if (mode(Files.getPosixFilePermissions(f)) != (e.getValue().mode() & 0777)
                    || !Arrays.equals(Files.readAllBytes(f), e.getValue().data())) {
                return false;
            }
        }
        return true;
    }

    /** Top-level entries of the payload as symlinks {@code name -> ..data/name}. */
    private void ensureUserVisible(Set<String> paths) throws IOException {
        for (String top : topLevel(paths)) {
            Path link = targetDir.resolve(top);
            Path target = Path.of(DATA_DIR, top);
            if (Files.isSymbolicLink(link)) {
                if (Files.readSymbolicLink(link).equals(target)) {
                    continue;
                }
                Files.delete(link);
            } else if (Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                deleteRecursively(link); // a left-over plain file or directory
            }
            try {
                Files.createSymbolicLink(link, target);
            } catch (FileAlreadyExistsException e) {
                // a concurrent writer made the same link
            }
        }
    }

    private void removeStaleUserVisible(Set<String> paths) throws IOException {
        Set<String> keep = topLevel(paths);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(targetDir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (!name.startsWith("..") && !keep.contains(name) && Files.isSymbolicLink(p)) {
                    Files.delete(p);
                }
            }
        }
    }

    private static Set<String> topLevel(Set<String> paths) {
        Set<String> out = new HashSet<>();
        for (String p : paths) {
            int slash = p.indexOf('/');
            out.add(slash < 0 ? p : p.substring(0, slash));
        }
        return out;
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int i = 0; i < order.length; i++) {
            if ((mode & (1 << i)) != 0) {
                s.add(order[i]);
            }
        }
        return s;
    }

    static int mode(Set<PosixFilePermission> perms) {
        int m = 0;
        for (PosixFilePermission p : perms) {
            m |= switch (p) {
                case OTHERS_EXECUTE -> 01;
                case OTHERS_WRITE -> 02;
                case OTHERS_READ -> 04;
                case GROUP_EXECUTE -> 010;
                case GROUP_WRITE -> 020;
                case GROUP_READ -> 040;
                case OWNER_EXECUTE -> 0100;
                case OWNER_WRITE -> 0200;
                case OWNER_READ -> 0400;
            };
        }
        return m;
    }

    static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.delete(p);
                } catch (NoSuchFileException e) {
                    // already gone
                }
            }
        }
    }
}
