package io.kube4j.api.printing;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * Ages as kubectl prints them (apimachinery's {@code duration.HumanDuration}): {@code 45s}, {@code 3m12s} (under
 * 10 minutes), {@code 25m}, {@code 2h5m} (under 8 hours), {@code 11h}, {@code 3d4h} (under 8 days), {@code 25d},
 * {@code 2y45d}, {@code 10y}; {@code <unknown>} for no timestamp.
 */
public final class Ages {

    private Ages() {
    }

    /** The age of an RFC 3339 timestamp at {@code now}; {@code <unknown>} when null or unparsable. */
    public static String since(String timestamp, Instant now) {
        if (timestamp == null || timestamp.isEmpty()) {
            return "<unknown>";
        }
        try {
            return human(Duration.between(OffsetDateTime.parse(timestamp).toInstant(), now));
        } catch (RuntimeException e) {
            return "<unknown>";
        }
    }

    public static String human(Duration d) {
        long seconds = d.getSeconds();
        if (seconds < -1) {
            return "<invalid>";
        } else if (seconds < 0) {
            return "0s";
        } else if (seconds < 60 * 2) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        if (minutes < 10) {
            long s = seconds % 60;
            return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
        } else if (minutes < 60 * 3) {
            return minutes + "m";
        }
        long hours = seconds / 3600;
        if (hours < 8) {
            long m = minutes % 60;
            return m == 0 ? hours + "h" : hours + "h" + m + "m";
        } else if (hours < 48) {
            return hours + "h";
        } else if (hours < 24 * 8) {
            long h = hours % 24;
            return h == 0 ? (hours / 24) + "d" : (hours / 24) + "d" + h + "h";
        } else if (hours < 24 * 365 * 2) {
            return (hours / 24) + "d";
        } else if (hours < 24 * 365 * 8) {
            long dy = (hours / 24) % 365;
            return dy == 0 ? (hours / 24 / 365) + "y" : (hours / 24 / 365) + "y" + dy + "d";
        }
        return (hours / 24 / 365) + "y";
    }
}
