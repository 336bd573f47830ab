package io.kube4j.node.runtime;

import java.time.Instant;

/**
 * What to read from a container's log: {@code follow}, the last {@code tailLines} (null: all), lines since
 * {@code since} (null: all), RFC 3339 timestamps prefixed, and at most {@code limitBytes} (null: no limit).
 */
public record LogRequest(boolean follow, Integer tailLines, Instant since, boolean timestamps, Long limitBytes) {

    public static LogRequest all() {
        return new LogRequest(false, null, null, false, null);
    }
}
