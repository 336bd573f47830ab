package io.kube4j.node.runtime.docker;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A minimal POSIX ustar writer (directories, regular files, symlinks), enough for the image archives the Docker
 * runtime builds; written here so the runtime does not lean on a transitive tar library.
 */
public final class TarWriter implements AutoCloseable {

    private static final int BLOCK = 512;

    private final OutputStream out;
    private final long mtime;
    private boolean finished;

    /** Writes to {@code out}; every entry gets {@code mtimeEpochSeconds} (fixed, so archives are reproducible). */
    public TarWriter(OutputStream out, long mtimeEpochSeconds) {
        this.out = out;
        this.mtime = mtimeEpochSeconds;
    }

    public void directory(String name, int mode) throws IOException {
        header(name.endsWith("/") ? name : name + "/", mode, 0, '5', "");
    }

    public void file(String name, int mode, byte[] content) throws IOException {
        header(name, mode, content.length, '0', "");
        out.write(content);
        pad(content.length);
    }

    public void symlink(String name, String target) throws IOException {
        header(name, 0777, 0, '2', target);
    }

    /** Writes the two zero blocks that end an archive (does not close the stream). */
    public void finish() throws IOException {
        if (!finished) {
            out.write(new byte[2 * BLOCK]);
            out.flush();
            finished = true;
        }
    }

    @Override
    public void close() throws IOException {
        finish();
    }

    private void header(String name, int mode, long size, char type, String linkName) throws IOException {
        byte[] h = new byte[BLOCK];
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        String prefix = "";
        if (nameBytes.length > 100) {
            // ustar splits long names at a '/' into prefix (155) and name (100)
            int cut = name.lastIndexOf('/', Math.min(name.length() - 1, 155));
            while (cut > 0 && name.substring(cut + 1).getBytes(StandardCharsets.UTF_8).length > 100) {
                cut = name.lastIndexOf('/', cut - 1);
            }
            if (cut <= 0 || name.substring(0, cut).getBytes(StandardCharsets.UTF_8).length > 155) {
                throw new IllegalArgumentException("tar entry name too long for ustar: " + name);
            }
            prefix = name.substring(0, cut);
            name = name.substring(cut + 1);
        }
        if (linkName.getBytes(StandardCharsets.UTF_8).length > 100) {
            throw new IllegalArgumentException("symlink target too long for ustar: " + linkName);
        }
        put(h, 0, 100, name);
        octal(h, 100, 8, mode);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, mtime);
        h[156] = (byte) type;
        put(h, 157, 100, linkName);
        put(h, 257, 6, "ustar");
        put(h, 263, 2, "00");
        put(h, 265, 32, "root");
        put(h, 297, 32, "root");
        put(h, 345, 155, prefix);
        // the checksum is computed with its own field as spaces
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xFF;
        }
        String chk = String.format("%06o", sum);
        put(h, 148, 6, chk);
        h[154] = 0;
        h[155] = ' ';
        out.write(h);
    }

    private void pad(long size) throws IOException {
        int rem = (int) (size % BLOCK);
        if (rem != 0) {
            out.write(new byte[BLOCK - rem]);
        }
    }

    private static void put(byte[] h, int off, int len, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, h, off, Math.min(len, b.length));
    }

    private static void octal(byte[] h, int off, int len, long value) {
        String s = Long.toOctalString(value);
        if (s.length() > len - 1) {
            throw new IllegalArgumentException("value too large for a tar header field: " + value);
        }
        put(h, off, len - 1, "0".repeat(len - 1 - s.length()) + s);
    }
}
