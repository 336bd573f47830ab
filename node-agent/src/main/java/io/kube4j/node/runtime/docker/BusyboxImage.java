package io.kube4j.node.runtime.docker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Builds a one-layer image from a statically linked busybox binary as a {@code docker save} archive (for
 * {@code docker load}), so the image can carry a command and labels without a registry or a Dockerfile build.
 * The rootfs has {@code /bin/busybox}, a symlink per applet in {@code /bin}, {@code /tmp}, and an
 * {@code /etc/passwd} and {@code /etc/group} with root and nobody.
 */
public final class BusyboxImage {

    /** Applets linked when {@code busybox --list} cannot be run (a foreign binary, say). */
    static final List<String> FALLBACK_APPLETS = List.of("sh", "ash", "sleep", "cat", "echo", "ls", "ps", "kill",
            "nc", "wget", "httpd", "head", "tail", "true", "false", "env", "id", "hostname", "mkdir", "rm", "touch",
            "test", "[", "printf", "grep", "sed", "awk", "date", "dd", "ip", "ifconfig", "nslookup", "mount", "df",
            "du", "wc", "tr", "yes", "seq", "stat", "top", "uname", "whoami", "xargs", "cp", "mv", "ln", "chmod",
            "find", "timeout", "trap", "tee", "vi", "free");

    private static final long MTIME = 1_700_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private BusyboxImage() {
    }

    /** The applets the binary says it has ({@code busybox --list}), or {@link #FALLBACK_APPLETS}. */
    public static List<String> applets(Path busybox) {
        try {
            Process p = new ProcessBuilder(busybox.toString(), "--list").redirectErrorStream(false).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                Set<String> names = new LinkedHashSet<>();
                for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
                    String n = line.trim();
                    if (!n.isEmpty() && !n.contains("/") && !n.equals("busybox")) {
                        names.add(n);
                    }
                }
                if (names.contains("sh")) {
                    return List.copyOf(names);
                }
            }
            p.destroyForcibly();
        } catch (IOException e) {
            // not runnable here: fall back to the list every busybox build has
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return FALLBACK_APPLETS;
    }

    /** The layer: an uncompressed tar of the rootfs. */
    public static byte[] rootfsTar(byte[] busyboxBinary, List<String> applets) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(busyboxBinary.length + 64 * 1024);
        try (TarWriter tar = new TarWriter(bytes, MTIME)) {
            tar.directory("bin", 0755);
            tar.directory("etc", 0755);
            tar.directory("tmp", 01777);
            tar.directory("root", 0700);
            tar.directory("var", 0755);
            tar.directory("proc", 0555);
            tar.directory("sys", 0555);
            tar.directory("dev", 0755);
            tar.file("bin/busybox", 0755, busyboxBinary);
            for (String applet : new LinkedHashSet<>(applets)) {
                tar.symlink("bin/" + applet, "busybox");
            }
            tar.file("etc/passwd", 0644, ("root:x:0:0:root:/root:/bin/sh\n"
                    + "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n").getBytes(StandardCharsets.UTF_8));
            tar.file("etc/group", 0644, "root:x:0:\nnobody:x:65534:\n".getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    /**
     * A {@code docker load} archive of one image named {@code tag} whose rootfs is {@link #rootfsTar}, with
     * {@code cmd} as its command and {@code labels} as its labels.
     */
    public static byte[] loadArchive(String tag, byte[] busyboxBinary, List<String> applets, List<String> cmd,
                                     Map<String, String> labels, String architecture) throws IOException {
        byte[] layer = rootfsTar(busyboxBinary, applets);
        String layerDigest = sha256(layer);

        ObjectNode config = JSON.createObjectNode();
        config.put("architecture", architecture);
        config.put("os", "linux");
        config.put("created", "2023-11-14T22:13:20Z");
        ObjectNode cc = config.putObject("config");
        cc.putArray("Env").add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        ArrayNode cmdNode = cc.putArray("Cmd");
        cmd.forEach(cmdNode::add);
        ObjectNode labelNode = cc.putObject("Labels");
        new LinkedHashMap<>(labels).forEach(labelNode::put);
        ObjectNode rootfs = config.putObject("rootfs");
        rootfs.put("type", "layers");
        rootfs.putArray("diff_ids").add("sha256:" + layerDigest);
        config.putArray("history").addObject().put("created", "2023-11-14T22:13:20Z")
                .put("created_by", "kube4j BusyboxImage");
        byte[] configBytes = JSON.writeValueAsBytes(config);
        String configName = sha256(configBytes) + ".json";

        List<Map<String, Object>> manifest = new ArrayList<>();
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("Config", configName);
        entry.put("RepoTags", List.of(tag));
        entry.put("Layers", List.of(layerDigest + "/layer.tar"));
        manifest.add(entry);
        byte[] manifestBytes = JSON.writeValueAsBytes(manifest);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream(layer.length + 16 * 1024);
        try (TarWriter tar = new TarWriter(bytes, MTIME)) {
            tar.directory(layerDigest, 0755);
            tar.file(layerDigest + "/VERSION", 0644, "1.0".getBytes(StandardCharsets.UTF_8));
            tar.file(layerDigest + "/layer.tar", 0644, layer);
            tar.file(configName, 0644, configBytes);
            tar.file("manifest.json", 0644, manifestBytes);
        }
        return bytes.toByteArray();
    }

    /** Reads {@code busybox} and checks that it is a statically linked ELF binary (it must run in an empty rootfs). */
    public static byte[] readStaticBusybox(Path busybox) throws IOException {
        if (!Files.isRegularFile(busybox)) {
            throw new IOException(busybox + " is not a file");
        }
        byte[] bin = Files.readAllBytes(busybox);
        if (bin.length < 64 || bin[0] != 0x7f || bin[1] != 'E' || bin[2] != 'L' || bin[3] != 'F') {
            throw new IOException(busybox + " is not an ELF binary");
        }
        if (hasInterpreter(bin)) {
            throw new IOException(busybox + " is dynamically linked; install a static busybox (busybox-static)");
        }
        return bin;
    }

    /** Whether an ELF64 little-endian binary has a PT_INTERP program header (i.e. is dynamically linked). */
    static boolean hasInterpreter(byte[] elf) {
        if (elf[4] != 2 || elf[5] != 1) {
            return false; // not ELF64 LE: do not second-guess it
        }
        long phoff = le(elf, 32, 8);
        int phentsize = (int) le(elf, 54, 2);
        int phnum = (int) le(elf, 56, 2);
        for (int i = 0; i < phnum; i++) {
            long off = phoff + (long) i * phentsize;
            if (off + 4 > elf.length) {
                return false;
            }
            if (le(elf, (int) off, 4) == 3) { // PT_INTERP
                return true;
            }
        }
        return false;
    }

    private static long le(byte[] b, int off, int len) {
        long v = 0;
        for (int i = len - 1; i >= 0; i--) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
