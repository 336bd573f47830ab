package io.kube4j.controller.cronjob;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

import io.kube4j.api.cron.CronSchedule;

/**
 * Kubernetes' cronjob utils: which scheduled time (if any) is due now, how many were missed, the Job name for a
 * scheduled time and when to look again. Pure functions of the injectable clock's "now", so sync decisions are
 * unit-testable.
 */
public final class ScheduleTimes {

    /** Kubernetes requeues a little after the next schedule so the time has certainly passed. */
    static final Duration NEXT_SCHEDULE_DELTA = Duration.ofMillis(100);

    private ScheduleTimes() {
    }

    /**
     * The most recent due schedule time and how many were missed since {@code earliest}, as
     * {@code mostRecentScheduleTime}: {@code mostRecent} is null when nothing is due.
     */
    public record Due(Instant earliest, Instant mostRecent, long missed) {
    }

    /**
     * @param created   the CronJob's creation time
     * @param lastSchedule status.lastScheduleTime or null
     * @param startingDeadlineSeconds spec.startingDeadlineSeconds or null (applied when not null)
     */
    public static Due mostRecent(CronSchedule schedule, ZoneId zone, Instant created, Instant lastSchedule,
                                 Long startingDeadlineSeconds, Instant now) {
        Instant earliest = lastSchedule != null ? lastSchedule : created;
        if (startingDeadlineSeconds != null) {
            Instant deadline = now.minusSeconds(startingDeadlineSeconds);
            if (deadline.isAfter(earliest)) {
                earliest = deadline;
            }
        }
        Instant t1 = schedule.next(earliest, zone);
        if (t1 == null || now.isBefore(t1)) {
            return new Due(earliest, null, 0);
        }
        Instant t2 = schedule.next(t1, zone);
        if (t2 == null || now.isBefore(t2)) {
            return new Due(earliest, t1, 1);
        }
        long between = Math.round(Duration.between(t1, t2).toMillis() / 1000.0);
        if (between < 1) {
            throw new IllegalArgumentException("time difference between two schedules is less than 1 second");
        }
        long elapsed = Duration.between(t1, now).getSeconds();
        long missed = elapsed / between + 1;
        // start one interval before the estimate so irregular schedules ("30 6-16/4 * * 1-5") are found exactly
        Instant t = schedule.next(t1.plusSeconds((missed - 2) * between), zone);
        Instant mostRecent = null;
        while (t != null && !t.isAfter(now)) {
            mostRecent = t;
            t = schedule.next(t, zone);
        }
        if (mostRecent == null) {
            throw new IllegalArgumentException("found no schedule time before now");
        }
        return new Due(earliest, mostRecent, missed);
    }

    /**
     * {@code getJobName}: the CronJob name and the scheduled time in minutes since the epoch — for every time on a
     * whole minute, which is all a five-field schedule makes. An {@code @every} schedule may fire several times a
     * minute, off the minute: Kubernetes would give those runs one name and fail to create all but the first of each
     * minute (AlreadyExists), so such times are named by seconds since the epoch instead (10 digits where minutes
     * have 8, so the two never meet; a 52-character CronJob name still makes a 63-character Job name).
     */
    public static String jobName(String cronJobName, Instant scheduled) {
        long seconds = scheduled.getEpochSecond();
        return cronJobName + "-" + (seconds % 60 == 0 ? seconds / 60 : seconds);
    }

    /** How long until the next schedule after {@code now} (plus a small delta), or null when there is none. */
    public static Duration untilNext(CronSchedule schedule, ZoneId zone, Instant now) {
        Instant next = schedule.next(now, zone);
        return next == null ? null : Duration.between(now, next).plus(NEXT_SCHEDULE_DELTA);
    }
}
