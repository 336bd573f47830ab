package io.kube4j.client.workqueue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.IntSupplier;

/** The client-go workqueue metrics of one named queue, tagged {@code name=<queue>}. */
final class QueueMetrics {

    private final Counter adds;
    private final Counter retries;
    private final Timer queueDuration;
    private final Timer workDuration;

    QueueMetrics(MeterRegistry registry, String name, IntSupplier depth) {
        Gauge.builder("workqueue_depth", depth, s -> s.getAsInt()).tag("name", name)
                .description("Current depth of the workqueue").strongReference(true).register(registry);
        adds = Counter.builder("workqueue_adds_total").tag("name", name)
                .description("Items added to the workqueue").register(registry);
        retries = Counter.builder("workqueue_retries_total").tag("name", name)
                .description("Rate-limited retries of the workqueue").register(registry);
        queueDuration = Timer.builder("workqueue_queue_duration_seconds").tag("name", name)
                .description("How long an item waits in the workqueue before it is handed out").register(registry);
        workDuration = Timer.builder("workqueue_work_duration_seconds").tag("name", name)
                .description("How long processing an item takes").register(registry);
    }

    void added() {
        adds.increment();
    }

    void retried() {
        retries.increment();
    }

    void waited(Duration d) {
        queueDuration.record(d.isNegative() ? Duration.ZERO : d);
    }

    void worked(Duration d) {
        workDuration.record(d.isNegative() ? Duration.ZERO : d);
    }
}
