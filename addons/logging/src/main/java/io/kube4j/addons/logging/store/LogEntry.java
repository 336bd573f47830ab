package io.kube4j.addons.logging.store;

/** One log line (without its newline) and when the container wrote it, in nanoseconds since the epoch (UTC). */
public record LogEntry(long epochNanos, String line) {

    public java.time.Instant timestamp() {
        return java.time.Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L),
                Math.floorMod(epochNanos, 1_000_000_000L));
    }

    public static long nanos(java.time.Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }
}
