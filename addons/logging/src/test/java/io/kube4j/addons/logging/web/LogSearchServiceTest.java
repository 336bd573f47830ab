package io.kube4j.addons.logging.web;

import io.kube4j.addons.logging.store.LogQuery;
import io.kube4j.addons.logging.store.LogStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogSearchServiceTest {

    static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");

    @TempDir
    Path dir;

    LogSearchService service() {
        return new LogSearchService(new LogStore(dir, Duration.ofHours(1), 1 << 20, Clock.systemUTC()), 5000,
                new SimpleMeterRegistry(), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    static LogSearchService.Params params(String q, String regex, String selector, String since, String sinceTime,
                                          String until, String limit) {
        return new LogSearchService.Params(q, regex, selector, null, null, null, since, sinceTime, until, limit);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            bad duration       | -      | -     | -          | yesterday | -                    | -                    | -     | since must be a positive duration
            zero duration      | -      | -     | -          | 0s        | -                    | -                    | -     | since must be a positive duration
            both sinces        | -      | -     | -          | 1h        | 2026-11-28T09:00:00Z | -                    | -     | at most one of since and sinceTime
            bad sinceTime      | -      | -     | -          | -         | 9am                  | -                    | -     | sinceTime must be an RFC 3339 time
            empty range        | -      | -     | -          | -         | 2026-11-28T09:00:00Z | 2026-11-28T08:00:00Z | -     | the time range is empty
            bad selector       | -      | -     | 'app in (' | -         | -                    | -                    | -     | is not a label selector
            bad regex          | a(     | true  | -          | -         | -                    | -                    | -     | not a valid regular expression
            regex without q    | -      | true  | -          | -         | -                    | -                    | -     | regex=true needs a pattern
            regex not boolean  | x      | yes   | -          | -         | -                    | -                    | -     | regex must be true or false
            limit not a number | -      | -     | -          | -         | -                    | -                    | many  | limit must be a whole number
            limit too large    | -      | -     | -          | -         | -                    | -                    | 5001  | limit must be between 1 and 5000
            limit zero         | -      | -     | -          | -         | -                    | -                    | 0     | limit must be between 1 and 5000
            """)
    void badInputIsRejectedWithAClearMessage(String name, String q, String regex, String selector, String since,
                                             String sinceTime, String until, String limit, String message) {
        assertThatThrownBy(() -> service().parse(params(q, regex, selector, since, sinceTime, until, limit)))
                .isInstanceOf(BadSearchException.class).hasMessageContaining(message);
    }

    @Test
    void defaultsAreTheLastHourAndAThousandLines() {
        LogQuery q = service().parse(params(null, null, null, null, null, null, null));
        assertThat(q.since()).isEqualTo(NOW.minus(Duration.ofHours(1)));
        assertThat(q.limit()).isEqualTo(1000);
        assertThat(q.selector().isEverything()).isTrue();
    }

    @Test
    void durationsAndRangesParse() {
        LogQuery q = service().parse(params("err", null, "app=web", "1h30m", null, "2026-11-28T09:59:00+00:00", "10"));
        assertThat(q.since()).isEqualTo(NOW.minus(Duration.ofMinutes(90)));
        assertThat(q.until()).isEqualTo(NOW.minusSeconds(60));
        assertThat(q.text()).isEqualTo("err");
        assertThat(q.limit()).isEqualTo(10);
        assertThat(LogSearchService.duration("2d")).isEqualTo(Duration.ofDays(2));
        assertThat(LogSearchService.duration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(service().parse(params("a.c", "true", null, null, null, null, null)).regex().pattern())
                .isEqualTo("a.c");
    }
}
