package io.kube4j.client.leaderelection;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Kubernetes MicroTime ({@code yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'}), as Lease times are written. */
public final class MicroTime {

    public static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private MicroTime() {
    }

    /** The instant at microsecond precision in UTC, the value a Lease can hold. */
    public static ZonedDateTime of(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS).atZone(ZoneOffset.UTC);
    }

    public static String format(Instant instant) {
        return FORMAT.format(instant.truncatedTo(ChronoUnit.MICROS));
    }

    public static Instant parse(String text) {
        return ZonedDateTime.parse(text, DateTimeFormatter.ISO_DATE_TIME).toInstant();
    }
}
