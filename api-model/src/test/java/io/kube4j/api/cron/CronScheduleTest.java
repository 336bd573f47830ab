package io.kube4j.api.cron;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class CronScheduleTest {

    private static final ZoneId UTC = ZoneOffset.UTC;

    private static Instant next(String spec, String after) {
        return CronSchedule.parse(spec).next(Instant.parse(after), UTC);
    }

    @Test
    void everyMinuteIsTheNextWholeMinute() {
        assertThat(next("* * * * *", "2026-01-01T10:00:00Z")).isEqualTo("2026-01-01T10:01:00Z");
        assertThat(next("* * * * *", "2026-01-01T10:00:30.5Z")).isEqualTo("2026-01-01T10:01:00Z");
    }

    @Test
    void rangesStepsListsAndNames() {
        assertThat(next("*/15 * * * *", "2026-01-01T10:16:00Z")).isEqualTo("2026-01-01T10:30:00Z");
        assertThat(next("5/20 * * * *", "2026-01-01T10:26:00Z")).isEqualTo("2026-01-01T10:45:00Z");
        assertThat(next("0 9-17/4 * * *", "2026-01-01T13:00:00Z")).isEqualTo("2026-01-01T17:00:00Z");
        assertThat(next("0 0 1 JAN,jul ?", "2026-02-01T00:00:00Z")).isEqualTo("2026-07-01T00:00:00Z");
        // 2026-01-01 is a Thursday; MON-FRI at 8:30
        assertThat(next("30 8 * * MON-FRI", "2026-01-02T09:00:00Z")).isEqualTo("2026-01-05T08:30:00Z");
    }

    @Test
    void dayOfMonthAndDayOfWeekAreOredUnlessOneIsAStar() {
        // the 13th or any Friday: 2026-01-02 is a Friday
        assertThat(next("0 0 13 * FRI", "2026-01-01T00:00:00Z")).isEqualTo("2026-01-02T00:00:00Z");
        assertThat(next("0 0 13 * FRI", "2026-01-10T00:00:00Z")).isEqualTo("2026-01-13T00:00:00Z");
        // star in day-of-week: only the 13th
        assertThat(next("0 0 13 * *", "2026-01-01T00:00:00Z")).isEqualTo("2026-01-13T00:00:00Z");
        // */2 in dom is not a star (robfig v3): OR with Friday
        assertThat(next("0 0 */2 * 5", "2026-01-01T00:00:00Z")).isEqualTo("2026-01-02T00:00:00Z");
    }

    @Test
    void descriptors() {
        assertThat(next("@hourly", "2026-01-01T10:00:00Z")).isEqualTo("2026-01-01T11:00:00Z");
        assertThat(next("@daily", "2026-01-01T10:00:00Z")).isEqualTo("2026-01-02T00:00:00Z");
        assertThat(next("@midnight", "2026-01-01T10:00:00Z")).isEqualTo("2026-01-02T00:00:00Z");
        assertThat(next("@weekly", "2026-01-01T10:00:00Z")).isEqualTo("2026-01-04T00:00:00Z");
        assertThat(next("@monthly", "2026-01-01T10:00:00Z")).isEqualTo("2026-02-01T00:00:00Z");
        assertThat(next("@yearly", "2026-01-01T10:00:00Z")).isEqualTo("2027-01-01T00:00:00Z");
        assertThat(next("@annually", "2026-01-01T10:00:00Z")).isEqualTo("2027-01-01T00:00:00Z");
        assertThat(next("@every 1h30m", "2026-01-01T10:00:00.25Z")).isEqualTo("2026-01-01T11:30:00Z");
        assertThat(next("@every 10ms", "2026-01-01T10:00:00Z")).isEqualTo("2026-01-01T10:00:01Z");
    }

    @Test
    void impossibleDateHasNoNextTime() {
        assertThat(next("0 0 30 2 *", "2026-01-01T00:00:00Z")).isNull();
        assertThat(next("0 0 29 2 *", "2026-01-01T00:00:00Z")).isEqualTo("2028-02-29T00:00:00Z");
    }

    @Test
    void timeZonesAndDaylightSavingChanges() {
        ZoneId ny = ZoneId.of("America/New_York");
        CronSchedule s = CronSchedule.parse("0 9 * * *");
        assertThat(s.next(Instant.parse("2026-01-01T00:00:00Z"), ny)).isEqualTo("2026-01-01T14:00:00Z");
        assertThat(s.next(Instant.parse("2026-07-01T00:00:00Z"), ny)).isEqualTo("2026-07-01T13:00:00Z");
        // 2026-03-08 02:00 EST jumps to 03:00 EDT: the 02:30 run of that day does not exist and is skipped
        CronSchedule half = CronSchedule.parse("30 2 * * *");
        assertThat(half.next(Instant.parse("2026-03-08T05:00:00Z"), ny)).isEqualTo("2026-03-09T06:30:00Z");
        // hourly across the spring-forward gap: 01:00 EST then 03:00 EDT (one hour later in real time)
        CronSchedule hourly = CronSchedule.parse("0 * * * *");
        assertThat(hourly.next(Instant.parse("2026-03-08T06:00:00Z"), ny)).isEqualTo("2026-03-08T07:00:00Z");
    }

    @Test
    void rejectsWhatRobfigRejects() {
        assertThatThrownBy(() -> CronSchedule.parse("TZ=UTC * * * * *")).hasMessageContaining("TZ");
        assertThatThrownBy(() -> CronSchedule.parse("CRON_TZ=UTC 0 * * * *")).hasMessageContaining("TZ");
        assertThatThrownBy(() -> CronSchedule.parse("* * * *")).hasMessageContaining("5 fields");
        assertThatThrownBy(() -> CronSchedule.parse("60 * * * *")).hasMessageContaining("above maximum");
        assertThatThrownBy(() -> CronSchedule.parse("* * 0 * *")).hasMessageContaining("below minimum");
        assertThatThrownBy(() -> CronSchedule.parse("5-1 * * * *")).hasMessageContaining("beyond end");
        assertThatThrownBy(() -> CronSchedule.parse("*/0 * * * *")).hasMessageContaining("positive");
        assertThatThrownBy(() -> CronSchedule.parse("* * * FOO *")).hasMessageContaining("failed to parse");
        assertThatThrownBy(() -> CronSchedule.parse("@often")).hasMessageContaining("unrecognized descriptor");
        assertThatThrownBy(() -> CronSchedule.parse("@every 5x")).hasMessageContaining("duration");
    }

    @Test
    void timeZonesAreTzDatabaseNamesOnly() {
        assertThat(CronSchedule.timeZone("America/New_York")).isEqualTo(ZoneId.of("America/New_York"));
        assertThat(CronSchedule.timeZone("UTC")).isEqualTo(ZoneId.of("UTC"));
        assertThat(CronSchedule.timeZone("Etc/GMT-14")).isEqualTo(ZoneId.of("Etc/GMT-14"));
        for (String bad : new String[] {"", "Local", "local", "Z", "+01:00", "UTC+1", "GMT+01:00", "Mars/Olympus",
                "america/new_york", "../etc/passwd"}) {
            assertThatThrownBy(() -> CronSchedule.timeZone(bad)).hasMessage("unknown time zone " + bad);
        }
        assertThatThrownBy(() -> CronSchedule.timeZone(null)).hasMessage("unknown time zone null");
    }
}
