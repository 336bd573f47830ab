package io.kube4j.addons.logging.web;

import io.kube4j.addons.logging.store.LogHit;
import io.kube4j.addons.logging.store.LogQuery;
import io.kube4j.addons.logging.store.LogStore;
import io.kube4j.api.selector.LabelSelector;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import reactor.core.publisher.Flux;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Turns the search API's parameters into a {@link LogQuery} (every mistake a {@link BadSearchException} naming the
 * parameter) and times each search from subscription to its last line.
 */
public final class LogSearchService {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    public static final int DEFAULT_LIMIT = 1000;

    private final LogStore store;
    private final int maxLimit;
    private final Timer latency;
    private final Clock clock;

    public LogSearchService(LogStore store, int maxLimit, MeterRegistry meters, Clock clock) {
        this.store = store;
        this.maxLimit = maxLimit;
        this.clock = clock;
        this.latency = Timer.builder("kube4j_logging_search_duration_seconds")
                .description("Log searches, from the request to the last line sent").register(meters);
    }

    /** The raw parameters of {@code GET /api/v1/logs/search} (null: absent). */
    public record Params(String q, String regex, String selector, String namespace, String pod, String container,
                         String since, String sinceTime, String until, String limit) {
    }

    public LogQuery parse(Params p) {
        Pattern regex = null;
        String text = p.q();
        if (p.regex() != null && !p.regex().isEmpty() && !p.regex().equals("false")) {
            if (!p.regex().equals("true")) {
                throw new BadSearchException("regex must be true or false, got '" + p.regex() + "'");
            }
            if (text == null || text.isEmpty()) {
                throw new BadSearchException("regex=true needs a pattern in q");
            }
            try {
                regex = Pattern.compile(text);
            } catch (PatternSyntaxException e) {
                throw new BadSearchException("q is not a valid regular expression: " + e.getDescription());
            }
        }
        LabelSelector selector;
        try {
            selector = p.selector() == null || p.selector().isBlank() ? LabelSelector.everything()
                    : LabelSelector.parse(p.selector());
        } catch (RuntimeException e) {
            throw new BadSearchException("selector '" + p.selector() + "' is not a label selector: " + e.getMessage());
        }
        Instant now = clock.instant();
        if (p.since() != null && !p.since().isEmpty() && p.sinceTime() != null && !p.sinceTime().isEmpty()) {
            throw new BadSearchException("give at most one of since and sinceTime");
        }
        Instant since;
        if (p.sinceTime() != null && !p.sinceTime().isEmpty()) {
            since = time("sinceTime", p.sinceTime());
        } else {
            since = now.minus(duration(p.since() == null || p.since().isEmpty() ? "1h" : p.since()));
        }
        Instant until = p.until() == null || p.until().isEmpty() ? Instant.MAX.minusSeconds(1)
                : time("until", p.until());
        if (!since.isBefore(until)) {
            throw new BadSearchException("the time range is empty: since " + since + " is not before until " + until);
        }
        int limit = DEFAULT_LIMIT;
        if (p.limit() != null && !p.limit().isEmpty()) {
            try {
                limit = Integer.parseInt(p.limit());
            } catch (NumberFormatException e) {
                throw new BadSearchException("limit must be a whole number, got '" + p.limit() + "'");
            }
            if (limit <= 0 || limit > maxLimit) {
                throw new BadSearchException("limit must be between 1 and " + maxLimit + ", got " + limit);
            }
        }
        return new LogQuery(regex == null ? text : null, regex, blankToNull(p.namespace()), blankToNull(p.pod()),
                blankToNull(p.container()), selector, since, until, limit);
    }

    public Flux<LogHit> search(LogQuery q) {
        return Flux.defer(() -> {
            Timer.Sample sample = Timer.start();
            return store.search(q).doFinally(s -> sample.stop(latency));
        });
    }

    /** {@code 90s}, {@code 15m}, {@code 1h30m}, {@code 2d}, {@code 500ms}. */
    static Duration duration(String s) {
        Matcher m = DURATION.matcher(s);
        Duration d = Duration.ZERO;
        int at = 0;
        while (at < s.length() && m.find(at) && m.start() == at) {
            long n = Long.parseLong(m.group(1));
            d = d.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
            at = m.end();
        }
        if (at != s.length() || s.isEmpty() || d.isZero()) {
            throw new BadSearchException("since must be a positive duration like 30s, 15m, 1h30m or 2d, got '" + s
                    + "'");
        }
        return d;
    }

    private static Instant time(String name, String s) {
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            throw new BadSearchException(name + " must be an RFC 3339 time like 2026-01-02T15:04:05Z, got '" + s + "'");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
