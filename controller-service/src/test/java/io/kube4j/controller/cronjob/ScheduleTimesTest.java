package io.kube4j.controller.cronjob;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import io.kube4j.api.cron.CronSchedule;
import org.junit.jupiter.api.Test;

class ScheduleTimesTest {

    private static final CronSchedule EVERY_MINUTE = CronSchedule.parse("* * * * *");
    private static final Instant CREATED = Instant.parse("2026-01-01T10:00:30Z");

    @Test
    void nothingDueBeforeTheFirstSchedule() {
        var due = ScheduleTimes.mostRecent(EVERY_MINUTE, ZoneOffset.UTC, CREATED, null, null,
                Instant.parse("2026-01-01T10:00:59Z"));
        assertThat(due.mostRecent()).isNull();
        assertThat(due.missed()).isZero();
    }

    @Test
    void oneDueRightAfterTheSchedule() {
        var due = ScheduleTimes.mostRecent(EVERY_MINUTE, ZoneOffset.UTC, CREATED, null, null,
                Instant.parse("2026-01-01T10:01:05Z"));
        assertThat(due.mostRecent()).isEqualTo("2026-01-01T10:01:00Z");
        assertThat(due.missed()).isEqualTo(1);
    }

    @Test
    void controllerDownForHoursCatchesUpWithOnlyTheLatestAndCountsTheMissed() {
        var due = ScheduleTimes.mostRecent(EVERY_MINUTE, ZoneOffset.UTC, CREATED,
                Instant.parse("2026-01-01T10:01:00Z"), null, Instant.parse("2026-01-01T13:01:30Z"));
        assertThat(due.mostRecent()).isEqualTo("2026-01-01T13:01:00Z");
        assertThat(due.missed()).isEqualTo(180);
    }

    @Test
    void startingDeadlineLimitsHowFarBackWeLook() {
        var due = ScheduleTimes.mostRecent(EVERY_MINUTE, ZoneOffset.UTC, CREATED,
                Instant.parse("2026-01-01T10:01:00Z"), 200L, Instant.parse("2026-01-01T13:01:30Z"));
        assertThat(due.mostRecent()).isEqualTo("2026-01-01T13:01:00Z");
        assertThat(due.missed()).isEqualTo(3); // 12:59, 13:00, 13:01
        assertThat(due.earliest()).isEqualTo("2026-01-01T12:58:10Z");
    }

    @Test
    void irregularScheduleFindsTheExactMostRecent() {
        CronSchedule s = CronSchedule.parse("30 6-16/4 * * 1-5"); // 06:30, 10:30, 14:30 on weekdays
        // Thu 2026-01-01 .. Mon 2026-01-05 11:00
        var due = ScheduleTimes.mostRecent(s, ZoneOffset.UTC, Instant.parse("2026-01-01T00:00:00Z"), null, null,
                Instant.parse("2026-01-05T11:00:00Z"));
        assertThat(due.mostRecent()).isEqualTo("2026-01-05T10:30:00Z");
    }

    @Test
    void jobNameAndRequeueDelay() {
        assertThat(ScheduleTimes.jobName("hello", Instant.parse("2026-01-01T10:01:00Z")))
                .isEqualTo("hello-" + Instant.parse("2026-01-01T10:01:00Z").getEpochSecond() / 60);
        // "@every 5s" fires off the minute, several times a minute: each run gets its own name
        assertThat(ScheduleTimes.jobName("hello", Instant.parse("2026-01-01T10:01:05Z")))
                .isEqualTo("hello-" + Instant.parse("2026-01-01T10:01:05Z").getEpochSecond())
                .isNotEqualTo(ScheduleTimes.jobName("hello", Instant.parse("2026-01-01T10:01:10Z")));
        assertThat(ScheduleTimes.untilNext(EVERY_MINUTE, ZoneOffset.UTC, Instant.parse("2026-01-01T10:01:45Z")))
                .isEqualTo(Duration.ofSeconds(15).plusMillis(100));
        assertThat(ScheduleTimes.untilNext(CronSchedule.parse("0 0 30 2 *"), ZoneOffset.UTC, CREATED)).isNull();
    }
}
