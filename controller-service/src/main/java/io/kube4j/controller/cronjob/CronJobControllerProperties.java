package io.kube4j.controller.cronjob;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The CronJob controller, {@code kube4j.controller.cronjob.*}.
 *
 * @param concurrentSyncs CronJobs synced at once ({@code --concurrent-cron-job-syncs}, default 5)
 */
@ConfigurationProperties("kube4j.controller.cronjob")
public record CronJobControllerProperties(@DefaultValue("5") int concurrentSyncs) {

    public CronJobControllerProperties {
        if (concurrentSyncs < 1) {
            throw new IllegalArgumentException(
                    "kube4j.controller.cronjob.concurrent-syncs must be at least 1, got " + concurrentSyncs);
        }
    }
}
