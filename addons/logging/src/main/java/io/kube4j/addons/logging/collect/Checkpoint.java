package io.kube4j.addons.logging.collect;

/**
 * How far a container's log was shipped: the identity of the file read ({@code fileKey}, device and inode), the byte
 * offset after the last line shipped, and that line's timestamp (used after a rotation, when the offset no longer
 * applies to the file at the log path).
 */
public record Checkpoint(String fileKey, long offset, long lastNanos) {
}
