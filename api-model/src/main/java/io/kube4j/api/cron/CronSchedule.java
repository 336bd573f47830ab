package io.kube4j.api.cron;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import io.kube4j.api.codec.GoDurations;

/**
 * A CronJob schedule with the semantics of robfig/cron v3's standard parser, which Kubernetes' cronjob controller
 * uses: 5 fields (minute hour day-of-month month day-of-week) with ranges, steps, lists, month/day names and
 * {@code ?}; the descriptors {@code @yearly}...{@code @hourly} and {@code @every <duration>}. Day-of-month and
 * day-of-week are OR-ed unless either is a bare {@code *}/{@code ?} (Vixie cron), which Spring's CronExpression
 * does not do — hence our own parser. Next times are computed in the given zone like robfig's {@code Next}.
 */
public final class CronSchedule {

    private static final long STAR = 1L << 63;
    private static final Map<String, Integer> MONTHS = Map.ofEntries(Map.entry("jan", 1), Map.entry("feb", 2),
            Map.entry("mar", 3), Map.entry("apr", 4), Map.entry("may", 5), Map.entry("jun", 6), Map.entry("jul", 7),
            Map.entry("aug", 8), Map.entry("sep", 9), Map.entry("oct", 10), Map.entry("nov", 11), Map.entry("dec", 12));
    private static final Map<String, Integer> DAYS = Map.of("sun", 0, "mon", 1, "tue", 2, "wed", 3, "thu", 4,
            "fri", 5, "sat", 6);

    private static final Pattern TZ_PART = Pattern.compile("[A-Za-z.\\-_0-9+]{1,14}");

    private final long minute;
    private final long hour;
    private final long dom;
    private final long month;
    private final long dow;
    /** Non-null for {@code @every}: a constant delay, as robfig's ConstantDelaySchedule. */
    private final Duration every;

    private CronSchedule(long minute, long hour, long dom, long month, long dow, Duration every) {
        this.minute = minute;
        this.hour = hour;
        this.dom = dom;
        this.month = month;
        this.dow = dow;
        this.every = every;
    }

    /** Parses a schedule; throws IllegalArgumentException with robfig's kind of message when it cannot. */
    public static CronSchedule parse(String spec) {
        String s = spec == null ? "" : spec.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty spec string");
        }
        if (s.startsWith("TZ=") || s.startsWith("CRON_TZ=")) {
            throw new IllegalArgumentException("cannot use TZ or CRON_TZ in schedule, use timeZone field instead");
        }
        if (s.startsWith("@")) {
            return descriptor(s);
        }
        String[] f = s.split("\\s+");
        if (f.length != 5) {
            // Go prints the []string of fields with brackets
            throw new IllegalArgumentException("expected exactly 5 fields, found " + f.length + ": ["
                    + String.join(" ", f) + "]");
        }
        return new CronSchedule(field(f[0], 0, 59, Map.of()), field(f[1], 0, 23, Map.of()),
                field(f[2], 1, 31, Map.of()), field(f[3], 1, 12, MONTHS), field(f[4], 0, 6, DAYS), null);
    }

    private static CronSchedule descriptor(String s) {
        long all = STAR;
        switch (s) {
            case "@yearly", "@annually":
                return new CronSchedule(1L, 1L, 1L << 1, 1L << 1, bits(0, 6, 1) | all, null);
            case "@monthly":
                return new CronSchedule(1L, 1L, 1L << 1, bits(1, 12, 1) | all, bits(0, 6, 1) | all, null);
            case "@weekly":
                return new CronSchedule(1L, 1L, bits(1, 31, 1) | all, bits(1, 12, 1) | all, 1L, null);
            case "@daily", "@midnight":
                return new CronSchedule(1L, 1L, bits(1, 31, 1) | all, bits(1, 12, 1) | all, bits(0, 6, 1) | all, null);
            case "@hourly":
                return new CronSchedule(1L, bits(0, 23, 1) | all, bits(1, 31, 1) | all, bits(1, 12, 1) | all,
                        bits(0, 6, 1) | all, null);
            default:
                if (s.startsWith("@every ")) {
                    String text = s.substring(7).strip();
                    try {
                        return new CronSchedule(0, 0, 0, 0, 0, goDuration(text));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("failed to parse duration " + s + ": " + e.getMessage());
                    }
                }
                throw new IllegalArgumentException("unrecognized descriptor: " + s);
        }
    }

    /** Go's time.ParseDuration for the units robfig accepts (no sign). */
    static Duration goDuration(String text) {
        return GoDurations.parse(text);
    }

    /**
     * The zone for a CronJob's {@code spec.timeZone} as Kubernetes' validateTimeZone accepts it: an IANA name that
     * Go's time.LoadLocation would load from the tz database ({@code UTC}, {@code Europe/Berlin}, {@code Etc/GMT+1}),
     * each path part of at most 14 characters from {@code [A-Za-z._+0-9-]} not starting with '-'. Java's ZoneId.of
     * also takes offsets ({@code +01:00}, {@code UTC+1}, {@code Z}) which Go does not, hence the tz-database check;
     * {@code Local} is rejected because it would mean the apiserver's zone. Throws IllegalArgumentException with
     * Go's message ("unknown time zone X").
     */
    public static ZoneId timeZone(String name) {
        if (name == null || name.isEmpty() || name.equalsIgnoreCase("Local")
                || !ZoneId.getAvailableZoneIds().contains(name)) {
            throw new IllegalArgumentException("unknown time zone " + name);
        }
        for (String part : name.split("/", -1)) {
            if (part.equals(".") || part.equals("..") || part.startsWith("-") || !TZ_PART.matcher(part).matches()) {
                throw new IllegalArgumentException("unknown time zone " + name);
            }
        }
        return ZoneId.of(name);
    }

    private static long field(String text, int min, int max, Map<String, Integer> names) {
        long bits = 0;
        for (String expr : text.split(",", -1)) {
            bits |= range(expr, min, max, names);
        }
        return bits;
    }

    private static long range(String expr, int min, int max, Map<String, Integer> names) {
        String[] rangeAndStep = expr.split("/", -1);
        String[] lowAndHigh = rangeAndStep[0].split("-", -1);
        boolean single = lowAndHigh.length == 1;
        int start;
        int end;
        long extra = 0;
        if (lowAndHigh[0].equals("*") || lowAndHigh[0].equals("?")) {
            start = min;
            end = max;
            extra = STAR;
        } else {
            start = number(lowAndHigh[0], names);
            switch (lowAndHigh.length) {
                case 1 -> end = start;
                case 2 -> end = number(lowAndHigh[1], names);
                default -> throw new IllegalArgumentException("too many hyphens: " + expr);
            }
        }
        int step;
        switch (rangeAndStep.length) {
            case 1 -> step = 1;
            case 2 -> {
                step = positive(rangeAndStep[1]);
                if (single) {
                    end = max; // "N/step" means "N-max/step"
                }
                if (step > 1) {
                    extra = 0;
                }
            }
            default -> throw new IllegalArgumentException("too many slashes: " + expr);
        }
        if (start < min) {
            throw new IllegalArgumentException("beginning of range (" + start + ") below minimum (" + min + "): " + expr);
        }
        if (end > max) {
            throw new IllegalArgumentException("end of range (" + end + ") above maximum (" + max + "): " + expr);
        }
        if (start > end) {
            throw new IllegalArgumentException("beginning of range (" + start + ") beyond end of range (" + end + "): " + expr);
        }
        if (step == 0) {
            throw new IllegalArgumentException("step of range should be a positive number: " + expr);
        }
        return bits(start, end, step) | extra;
    }

    private static int number(String text, Map<String, Integer> names) {
        Integer named = names.get(text.toLowerCase(Locale.ROOT));
        if (named != null) {
            return named;
        }
        return positive(text);
    }

    private static int positive(String text) {
        if (!text.matches("\\d{1,9}")) {
            throw new IllegalArgumentException("failed to parse int from " + text + ": strconv.Atoi: parsing \""
                    + text + "\": invalid syntax");
        }
        return Integer.parseInt(text);
    }

    private static long bits(int min, int max, int step) {
        long b = 0;
        for (int i = min; i <= max; i += step) {
            b |= 1L << i;
        }
        return b;
    }

    /**
     * The first activation strictly after {@code after} in {@code zone}, or null when there is none within five
     * years (e.g. "0 0 30 2 *"), as robfig's SpecSchedule.Next returning the zero time.
     */
    public Instant next(Instant after, ZoneId zone) {
        if (every != null) {
            Duration d = every.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : every;
            Instant base = after.minusNanos(after.getNano());
            return base.plus(Duration.ofSeconds(d.getSeconds()));
        }
        ZonedDateTime t = after.atZone(zone).truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        boolean added = false;
        int yearLimit = t.getYear() + 5;
        wrap:
        while (true) {
            if (t.getYear() > yearLimit) {
                return null;
            }
            while ((1L << t.getMonthValue() & month) == 0) {
                if (!added) {
                    added = true;
                    t = t.toLocalDate().withDayOfMonth(1).atStartOfDay(zone);
                }
                t = t.plusMonths(1);
                if (t.getMonthValue() == 1) {
                    continue wrap;
                }
            }
            while (!dayMatches(t)) {
                if (!added) {
                    added = true;
                    t = t.toLocalDate().atStartOfDay(zone);
                }
                t = t.toLocalDate().plusDays(1).atStartOfDay(zone);
                if (t.getDayOfMonth() == 1) {
                    continue wrap;
                }
            }
            while ((1L << t.getHour() & hour) == 0) {
                if (!added) {
                    added = true;
                    t = t.truncatedTo(ChronoUnit.HOURS);
                }
                t = t.plusHours(1);
                if (t.getHour() == 0) {
                    continue wrap;
                }
            }
            while ((1L << t.getMinute() & minute) == 0) {
                if (!added) {
                    added = true;
                    t = t.truncatedTo(ChronoUnit.MINUTES);
                }
                t = t.plusMinutes(1);
                if (t.getMinute() == 0) {
                    continue wrap;
                }
            }
            if (t.getSecond() != 0) {
                t = t.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
                if (t.getMinute() == 0) {
                    continue wrap;
                }
                continue;
            }
            return t.toInstant();
        }
    }

    /** Vixie cron: if either day field is a bare star the two are AND-ed, otherwise OR-ed. */
    private boolean dayMatches(ZonedDateTime t) {
        boolean domMatch = (1L << t.getDayOfMonth() & dom) != 0;
        boolean dowMatch = (1L << (t.getDayOfWeek().getValue() % 7) & dow) != 0;
        if ((dom & STAR) != 0 || (dow & STAR) != 0) {
            return domMatch && dowMatch;
        }
        return domMatch || dowMatch;
    }
}
