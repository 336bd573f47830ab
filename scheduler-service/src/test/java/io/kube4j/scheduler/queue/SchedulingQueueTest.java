package io.kube4j.scheduler.queue;

import static io.kube4j.scheduler.testsupport.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.client.util.FakeClock;
import io.kube4j.scheduler.framework.QueuedPodInfo;
import io.kube4j.scheduler.plugins.queuesort.PrioritySort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SchedulingQueueTest {

    private final FakeClock clock = new FakeClock();
    private final SchedulingQueue queue = new SchedulingQueue(new PrioritySort(), clock, Duration.ofSeconds(1),
            Duration.ofSeconds(10), Duration.ofSeconds(60));

    private static Pod prio(String name, Integer priority) {
        return pod(name).editSpec().withPriority(priority).endSpec().build();
    }

    private QueuedPodInfo pop() throws InterruptedException {
        return queue.pop(Duration.ZERO);
    }

    @Test
    void popsByPriorityThenByArrival() throws Exception {
        queue.add(prio("low", 1));
        clock.advance(Duration.ofMillis(1));
        queue.add(prio("high-late", 100));
        clock.advance(Duration.ofMillis(1));
        queue.add(prio("mid-1", 10));
        clock.advance(Duration.ofMillis(1));
        queue.add(prio("mid-2", 10));
        queue.add(prio("none", null));
        assertThat(pop().pod().getMetadata().getName()).isEqualTo("high-late");
        assertThat(pop().pod().getMetadata().getName()).isEqualTo("mid-1");
        assertThat(pop().pod().getMetadata().getName()).isEqualTo("mid-2");
        assertThat(pop().pod().getMetadata().getName()).isEqualTo("low");
        assertThat(pop().pod().getMetadata().getName()).isEqualTo("none");
        assertThat(pop()).isNull();
    }

    @Test
    void addingTheSamePodTwiceQueuesItOnce() throws Exception {
        queue.add(pod("a").build());
        queue.add(pod("a").build());
        assertThat(pop()).isNotNull();
        assertThat(pop()).isNull();
    }

    @ParameterizedTest(name = "after {0} attempts: {1}s")
    @CsvSource({"1, 1", "2, 2", "3, 4", "4, 8", "5, 10", "20, 10"})
    void backoffDoublesUpToTheMaximum(int attempts, int seconds) {
        assertThat(queue.backoffDuration(attempts)).isEqualTo(Duration.ofSeconds(seconds));
    }

    @Test
    void unschedulablePodsWaitForAClusterEventThenBackOff() throws Exception {
        queue.add(pod("a").build());
        QueuedPodInfo a = pop();
        queue.addUnschedulable(a, queue.schedulingCycle());
        assertThat(queue.whereIs(a.key())).isEqualTo("unschedulable");
        // Time alone (within the backoff and flush windows) does not bring it back.
        clock.advance(Duration.ofSeconds(5));
        queue.flushBackoffCompleted();
        assertThat(pop()).isNull();
        // A node is added: its backoff (1 s after one attempt) is over, so it is active again.
        queue.moveAllToActiveOrBackoff(ClusterEvent.NODE_ADD);
        QueuedPodInfo again = pop();
        assertThat(again.key()).isEqualTo(a.key());
        assertThat(again.attempts()).isEqualTo(2);
    }

    @Test
    void aClusterEventDuringBackoffSendsThePodToBackoffUntilItExpires() throws Exception {
        queue.add(pod("a").build());
        QueuedPodInfo a = pop();
        queue.addUnschedulable(a, queue.schedulingCycle());
        clock.advance(Duration.ofMillis(500));
        queue.moveAllToActiveOrBackoff(ClusterEvent.NODE_UPDATE);
        assertThat(queue.whereIs(a.key())).isEqualTo("backoff");
        queue.flushBackoffCompleted();
        assertThat(pop()).isNull();
        clock.advance(Duration.ofMillis(500));
        queue.flushBackoffCompleted();
        assertThat(pop().key()).isEqualTo(a.key());
    }

    @Test
    void anEventWhileThePodIsBeingScheduledIsNotLost() throws Exception {
        queue.add(pod("a").build());
        QueuedPodInfo a = pop();
        long cycle = queue.schedulingCycle();
        // A node appears while "a" is being scheduled against a snapshot without it.
        queue.moveAllToActiveOrBackoff(ClusterEvent.NODE_ADD);
        queue.addUnschedulable(a, cycle);
        assertThat(queue.whereIs(a.key())).isEqualTo("backoff");
    }

    @Test
    void parkedPodsAreRetriedAfterTheFlushInterval() throws Exception {
        queue.add(pod("a").build());
        QueuedPodInfo a = pop();
        queue.addUnschedulable(a, queue.schedulingCycle());
        clock.advance(Duration.ofSeconds(59));
        queue.flushUnschedulableLeftover();
        assertThat(queue.whereIs(a.key())).isEqualTo("unschedulable");
        clock.advance(Duration.ofSeconds(1));
        queue.flushUnschedulableLeftover();
        assertThat(queue.whereIs(a.key())).isEqualTo("active");
    }

    @Test
    void errorsBackOff() throws Exception {
        queue.add(pod("a").build());
        QueuedPodInfo a = pop();
        queue.addAfterError(a);
        assertThat(queue.whereIs(a.key())).isEqualTo("backoff");
        clock.advance(Duration.ofSeconds(1));
        queue.flushBackoffCompleted();
        assertThat(queue.whereIs(a.key())).isEqualTo("active");
    }

    @Test
    void aSpecChangeWakesAParkedPodButAStatusChangeDoesNot() throws Exception {
        Pod original = pod("a").build();
        queue.add(original);
        QueuedPodInfo a = pop();
        queue.addUnschedulable(a, queue.schedulingCycle());
        clock.advance(Duration.ofSeconds(2));
        Pod relabelled = pod("a").editMetadata().addToLabels("x", "y").endMetadata().build();
        queue.update(original, relabelled);
        assertThat(queue.whereIs(a.key())).isEqualTo("unschedulable");
        Pod smaller = pod("a", "cpu", "1m").build();
        queue.update(relabelled, smaller);
        assertThat(queue.whereIs(a.key())).isEqualTo("active");
        assertThat(pop().pod()).isEqualTo(smaller);
    }

    @Test
    void deletedPodsLeaveEveryQueue() throws Exception {
        queue.add(pod("a").build());
        queue.add(pod("b").build());
        QueuedPodInfo first = pop();
        queue.addUnschedulable(first, queue.schedulingCycle());
        queue.delete(pod("a").build());
        queue.delete(pod("b").build());
        assertThat(queue.pendingCounts()).containsEntry("active", 0).containsEntry("unschedulable", 0);
    }

    @Test
    void popWaitsForAPodAndCloseReleasesIt() throws Exception {
        CompletableFuture<QueuedPodInfo> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return queue.pop(Duration.ofMinutes(1));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        queue.add(pod("a").build());
        assertThat(waiting.get(10, TimeUnit.SECONDS).key()).isEqualTo("default/a");
        CompletableFuture<QueuedPodInfo> released = CompletableFuture.supplyAsync(() -> {
            try {
                return queue.pop(Duration.ofMinutes(1));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        queue.close();
        assertThat(released.get(10, TimeUnit.SECONDS)).isNull();
    }
}
