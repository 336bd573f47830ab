package io.kube4j.e2e.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The memory of a role's JVM: heap used right after a full GC ({@code jcmd <pid> GC.run}, then the "used" of every
 * generation / the whole heap from {@code jcmd <pid> GC.heap_info}) and the process' resident set size from
 * {@code /proc/<pid>/status} (VmRSS).
 */
final class RoleMemory {

    /** Heap after GC and RSS, in KiB. */
    record Snapshot(long heapKib, long rssKib) {
    }

    /** "def new generation total 4928K, used 1234K", "tenured generation ...", "garbage-first heap total ..." */
    private static final Pattern USED = Pattern.compile("(?:generation|heap)\\s+total \\d+K, used (\\d+)K");
    private static final Pattern RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");

    private RoleMemory() {
    }

    static Snapshot afterGc(long pid) throws IOException, InterruptedException {
        jcmd(pid, "GC.run");
        long used = heapUsedKib(jcmd(pid, "GC.heap_info"));
        Matcher r = RSS.matcher(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
        if (!r.find()) {
            throw new IllegalStateException("no VmRSS in /proc/" + pid + "/status");
        }
        return new Snapshot(used, Long.parseLong(r.group(1)));
    }

    /** The sum of the generations' (or the whole heap's) "used" in a {@code GC.heap_info} answer, in KiB. */
    static long heapUsedKib(String heapInfo) {
        Matcher m = USED.matcher(heapInfo);
        long used = 0;
        boolean found = false;
        while (m.find()) {
            used += Long.parseLong(m.group(1));
            found = true;
        }
        if (!found) {
            throw new IllegalStateException("no heap usage in GC.heap_info: " + heapInfo);
        }
        return used;
    }

    /** The top of {@code jcmd <pid> GC.class_histogram} (live objects: it runs a full GC first). */
    static String histogram(long pid, int lines) throws IOException, InterruptedException {
        return String.join("\n", jcmd(pid, "GC.class_histogram").lines().limit(lines + 3).toList()) + "\n";
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("jcmd " + pid + " " + command + " failed: "
                    + new String(out, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
