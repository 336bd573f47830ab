package io.kube4j.addons.logging.store;

import io.kube4j.api.selector.LabelSelector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class LogStoreTest {

    static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    static final StreamLabels WEB = new StreamLabels("ns1", "web-1", "app", "n1", Map.of("app", "web"));
    static final StreamLabels DB = new StreamLabels("ns2", "db-1", "db", "n1", Map.of("app", "db", "tier", "data"));

    @TempDir
    Path dir;

    static LogEntry at(Instant t, String line) {
        return new LogEntry(LogEntry.nanos(t), line);
    }

    static LogQuery query(String text, String namespace, String selector) {
        return new LogQuery(text, null, namespace, null, null, LabelSelector.parse(selector), Instant.EPOCH,
                Instant.parse("2100-01-01T00:00:00Z"), 10_000);
    }

    private LogStore store(Instant now, Duration retention, long maxBytes) {
        return new LogStore(dir, retention, maxBytes, Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void linesLandInTheSegmentOfTheirOwnHour() {
        try (LogStore s = store(T0.plusSeconds(7200), Duration.ofHours(24), 1 << 30)) {
            s.append(WEB, List.of(at(T0.plusSeconds(10), "a"), at(T0.plusSeconds(3599), "b"),
                    at(T0.plusSeconds(3600), "c"), at(T0.minusSeconds(1), "z")));
            s.flush();
            assertThat(s.segmentNames()).containsExactly("2026112809", "2026112810", "2026112811");
        }
    }

    @Test
    void searchFiltersByNamespaceSelectorTextAndTime() {
        try (LogStore s = store(T0.plusSeconds(7200), Duration.ofHours(24), 1 << 30)) {
            s.append(WEB, List.of(at(T0.plusSeconds(1), "GET /index 200"), at(T0.plusSeconds(2), "GET /x 500")));
            s.append(DB, List.of(at(T0.plusSeconds(3), "slow query 500 ms")));
            s.append(WEB, List.of(at(T0.plusSeconds(3700), "GET /late 500")));

            assertThat(lines(s, query("500", null, ""))).containsExactly("GET /x 500", "slow query 500 ms",
                    "GET /late 500");
            assertThat(lines(s, query("500", "ns1", ""))).containsExactly("GET /x 500", "GET /late 500");
            assertThat(lines(s, query(null, null, "tier=data"))).containsExactly("slow query 500 ms");
            assertThat(lines(s, query(null, null, "app in (web),app!=db"))).hasSize(3);
            assertThat(lines(s, query(null, "ns2", "app=web"))).isEmpty();
            LogQuery firstHour = new LogQuery(null, null, null, null, null, LabelSelector.everything(),
                    T0.plusSeconds(2), T0.plusSeconds(3600), 100);
            assertThat(lines(s, firstHour)).containsExactly("GET /x 500", "slow query 500 ms");
            LogQuery regex = new LogQuery(null, Pattern.compile("GET /\\w+ 5\\d\\d"), null, null, null,
                    LabelSelector.everything(), Instant.EPOCH, Instant.parse("2100-01-01T00:00:00Z"), 100);
            assertThat(lines(s, regex)).containsExactly("GET /x 500", "GET /late 500");
        }
    }

    @Test
    void hitsCarryTimestampAndLabelsAndLimitCuts() {
        try (LogStore s = store(T0, Duration.ofHours(24), 1 << 30)) {
            List<LogEntry> many = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                many.add(at(T0.plusMillis(i), "line " + i));
            }
            s.append(DB, many);
            LogQuery q = new LogQuery(null, null, null, null, null, LabelSelector.everything(), Instant.EPOCH,
                    Instant.parse("2100-01-01T00:00:00Z"), 7);
            List<LogHit> hits = s.search(q).collectList().block();
            assertThat(hits).hasSize(7);
            assertThat(hits.get(3)).isEqualTo(new LogHit(T0.plusMillis(3), "ns2", "db-1", "db", "n1",
                    Map.of("app", "db", "tier", "data"), "line 3"));
        }
    }

    @Test
    void linesWithNewlinesTabsAndBackslashesSurviveAndAreFoundByText() {
        try (LogStore s = store(T0, Duration.ofHours(24), 1 << 30)) {
            String odd = "a\tb\\n not a newline \\ \r\nreal newline ünïcødé";
            s.append(WEB, List.of(at(T0, odd)));
            assertThat(lines(s, query("\\n not", null, ""))).containsExactly(odd);
            assertThat(lines(s, query("\nreal", null, ""))).containsExactly(odd);
        }
    }

    @Test
    void reopenedStoreFindsWhatWasWritten() {
        try (LogStore s = store(T0, Duration.ofHours(24), 1 << 30)) {
            s.append(WEB, List.of(at(T0, "before restart")));
        }
        try (LogStore s = store(T0, Duration.ofHours(24), 1 << 30)) {
            s.append(WEB, List.of(at(T0.plusSeconds(1), "after restart")));
            s.append(DB, List.of(at(T0.plusSeconds(2), "db after restart")));
            assertThat(lines(s, query(null, null, "app=web"))).containsExactly("before restart", "after restart");
            assertThat(lines(s, query(null, null, "app=db"))).containsExactly("db after restart");
        }
    }

    @Test
    void retentionDropsHoursOlderThanTheRetention() {
        try (LogStore s = store(T0, Duration.ofHours(24), 1 << 30)) {
            s.append(WEB, List.of(at(T0.minus(Duration.ofHours(30)), "old"), at(T0.minus(Duration.ofHours(2)), "new")));
            s.flush();
            assertThat(s.segmentCount()).isEqualTo(1);
        }
        try (LogStore s = store(T0, Duration.ofHours(24), 1 << 30)) {
            assertThat(s.segmentCount()).isEqualTo(1);
            assertThat(lines(s, query(null, null, ""))).containsExactly("new");
        }
    }

    @Test
    void aRunningStoreDropsHoursAsTheyAgeOut() {
        Instant[] now = {T0};
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        try (LogStore s = new LogStore(dir, Duration.ofHours(2), 1 << 30, clock)) {
            s.append(WEB, List.of(at(T0, "at ten"), at(T0.plus(Duration.ofHours(1)), "at eleven")));
            s.flush();
            now[0] = T0.plus(Duration.ofHours(3)).plusSeconds(1); // 10:xx is now older than 2 h
            s.flush();
            assertThat(s.segmentNames()).containsExactly("2026112811");
            assertThat(lines(s, query(null, null, ""))).containsExactly("at eleven");
        }
    }

    @Test
    void sizeBoundDropsTheOldestSegmentsButNeverTheNewest() {
        try (LogStore s = store(T0, Duration.ofDays(30), 10_000)) {
            for (int h = 5; h >= 0; h--) {
                List<LogEntry> hour = new ArrayList<>();
                for (int i = 0; i < 60; i++) {
                    hour.add(at(T0.minus(Duration.ofHours(h)).plusSeconds(i), "x".repeat(40) + " h" + h + " " + i));
                }
                s.append(WEB, hour);
                s.flush();
            }
            assertThat(s.sizeBytes()).isLessThanOrEqualTo(10_000);
            assertThat(s.segmentNames()).last().isEqualTo("2026112810");
            assertThat(s.segmentCount()).isLessThan(6);
            assertThat(lines(s, query(" h0 ", null, ""))).hasSize(60);
        }
    }

    private static List<String> lines(LogStore s, LogQuery q) {
        return s.search(q).map(LogHit::line).collectList().block();
    }
}
