package io.kube4j.api.codec;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Go's {@code time.ParseDuration} for unsigned durations ({@code 1m2.5s}, {@code 500ms}, {@code 0}): the format of
 * robfig/cron's {@code @every} and of the metrics API's {@code window}. One parser for both, so the two agree.
 */
public final class GoDurations {

    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

    private GoDurations() {
    }

    /** The duration {@code text} names; {@link IllegalArgumentException} with Go's message when it names none. */
    public static Duration parse(String text) {
        if ("0".equals(text)) {
            return Duration.ZERO;
        }
        Matcher m = PART.matcher(text == null ? "" : text);
        int pos = 0;
        double nanos = 0;
        while (m.find() && m.start() == pos) {
            double v = Double.parseDouble(m.group(1));
            nanos += v * switch (m.group(2)) {
                case "ns" -> 1;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            pos = m.end();
        }
        if (text == null || pos != text.length() || pos == 0) {
            throw new IllegalArgumentException("time: invalid duration \"" + text + "\"");
        }
        return Duration.ofNanos(Math.round(nanos));
    }
}
