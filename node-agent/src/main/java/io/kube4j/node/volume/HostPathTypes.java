package io.kube4j.node.volume;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The hostPath {@code type} checks of the kubelet's {@code checkTypeInternal}: {@code DirectoryOrCreate} and
 * {@code FileOrCreate} create what is missing (0755 directory; empty 0644 file, with its parent directories),
 * the other types only check, and {@code ""} checks nothing.
 */
public final class HostPathTypes {

    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFCHR = 0020000;

    private HostPathTypes() {
    }

    /** @throws VolumeSetupException with the kubelet's message when the check fails */
    public static void check(Path path, String type) {
        String t = type == null ? "" : type;
        String p = path.toString();
        try {
            switch (t) {
                case "" -> {
                }
                case "DirectoryOrCreate" -> {
                    if (!Files.exists(path)) {
                        Files.createDirectories(path);
                        Files.setPosixFilePermissions(path, AtomicWriter.permissions(0755));
                    } else if (!Files.isDirectory(path)) {
                        throw new VolumeSetupException("hostPath type check failed: " + p + " is not a directory");
                    }
                }
                case "Directory" -> {
                    if (!Files.isDirectory(path)) {
                        throw new VolumeSetupException("hostPath type check failed: " + p + " is not a directory");
                    }
                }
                case "FileOrCreate" -> {
                    if (!Files.exists(path)) {
                        if (path.getParent() != null) {
                            Files.createDirectories(path.getParent());
                        }
                        Files.createFile(path);
                        Files.setPosixFilePermissions(path, AtomicWriter.permissions(0644));
                    } else if (!Files.isRegularFile(path)) {
                        throw new VolumeSetupException("hostPath type check failed: " + p + " is not a file");
                    }
                }
                case "File" -> {
                    if (!Files.isRegularFile(path)) {
                        throw new VolumeSetupException("hostPath type check failed: " + p + " is not a file");
                    }
                }
                case "Socket" -> {
                    if (fileType(path) != S_IFSOCK) {
                        throw new VolumeSetupException("hostPath type check failed: " + p + " is not a socket file");
                    }
                }
                case "CharDevice" -> {
                    if (fileType(path) != S_IFCHR) {
                        throw new VolumeSetupException("hostPath type check failed: " + p
                                + " is not a character device");
                    }
                }
                case "BlockDevice" -> {
                    if (fileType(path) != S_IFBLK) {
                        throw new VolumeSetupException("hostPath type check failed: " + p + " is not a block device");
                    }
                }
                default -> throw new VolumeSetupException(t + " is an invalid volume type");
            }
        } catch (IOException e) {
            throw new VolumeSetupException("hostPath " + p + ": " + e, e);
        }
    }

    /** The S_IFMT bits of the file (following symlinks), or -1 when it does not exist. */
    private static int fileType(Path path) {
        try {
            return ((Integer) Files.getAttribute(path, "unix:mode")) & S_IFMT;
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }
}
