package io.kube4j.client.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.kube4j.client.util.FakeClock;
import io.kube4j.client.util.InMemoryResourceClient;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

class EventRecorderTest {

    private final FakeClock clock = new FakeClock();
    private final InMemoryResourceClient<Event> events = new InMemoryResourceClient<>(Event.class);
    private EventRecorder recorder = new EventRecorder(events, "test-controller", "node-1", clock, 100,
            Duration.ofMinutes(10));
    private final Pod pod = new PodBuilder().withNewMetadata().withNamespace("ns").withName("web")
            .withUid("uid-1").withResourceVersion("7").endMetadata().build();

    @AfterEach
    void close() throws InterruptedException {
        recorder.close();
    }

    @Test
    void anEventNamesTheObjectTheSourceAndTheTimes() throws Exception {
        recorder.event(pod, EventRecorder.NORMAL, "Scheduled", "assigned ns/web to node-1");
        recorder.close();
        Event e = events.objects().get(0);
        assertThat(e.getMetadata().getNamespace()).isEqualTo("ns");
        assertThat(e.getMetadata().getName()).startsWith("web.");
        assertThat(e.getInvolvedObject().getKind()).isEqualTo("Pod");
        assertThat(e.getInvolvedObject().getApiVersion()).isEqualTo("v1");
        assertThat(e.getInvolvedObject().getUid()).isEqualTo("uid-1");
        assertThat(e.getInvolvedObject().getResourceVersion()).isEqualTo("7");
        assertThat(e.getSource().getComponent()).isEqualTo("test-controller");
        assertThat(e.getSource().getHost()).isEqualTo("node-1");
        assertThat(e.getType()).isEqualTo("Normal");
        assertThat(e.getReason()).isEqualTo("Scheduled");
        assertThat(e.getCount()).isEqualTo(1);
        assertThat(e.getFirstTimestamp()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(e.getLastTimestamp()).isEqualTo("2026-01-01T00:00:00Z");
    }

    @Test
    void repeatsAreAggregatedIntoOneEventWithACount() throws Exception {
        for (int i = 0; i < 5; i++) {
            recorder.event(pod, EventRecorder.WARNING, "BackOff", "restarting failed container");
            clock.advance(Duration.ofSeconds(1));
        }
        recorder.close();
        assertThat(events.objects()).hasSize(1);
        Event e = events.objects().get(0);
        assertThat(e.getCount()).isEqualTo(5);
        assertThat(e.getFirstTimestamp()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(e.getLastTimestamp()).isEqualTo("2026-01-01T00:00:04Z");
        assertThat(events.calls).containsExactly("create", "patch", "patch", "patch", "patch");
    }

    @Test
    void differentReasonsOrMessagesAreSeparateEvents() throws Exception {
        recorder.event(pod, EventRecorder.NORMAL, "Pulled", "image pulled");
        recorder.event(pod, EventRecorder.NORMAL, "Started", "container started");
        recorder.event(pod, EventRecorder.NORMAL, "Started", "container started again");
        recorder.event(pod, EventRecorder.WARNING, "Started", "container started");
        recorder.close();
        assertThat(events.objects()).hasSize(4).allSatisfy(e -> assertThat(e.getCount()).isEqualTo(1));
    }

    @Test
    void aRepeatAfterTheWindowStartsANewEvent() throws Exception {
        recorder.event(pod, EventRecorder.NORMAL, "Synced", "ok");
        await().until(() -> events.objects().size() == 1);
        clock.advance(Duration.ofMinutes(11));
        recorder.event(pod, EventRecorder.NORMAL, "Synced", "ok");
        recorder.close();
        assertThat(events.objects()).hasSize(2);
    }

    @Test
    void aDeletedAggregateIsRecreated() throws Exception {
        recorder.event(pod, EventRecorder.NORMAL, "Synced", "ok");
        await().until(() -> events.objects().size() == 1);
        Event first = events.objects().get(0);
        events.delete("ns", first.getMetadata().getName(), null).block();
        clock.advance(Duration.ofSeconds(3));
        recorder.event(pod, EventRecorder.NORMAL, "Synced", "ok");
        recorder.close();
        // client-go's recordEvent: the patch's NotFound falls back to creating the correlated Event again, under its
        // name, with its count and first timestamp.
        assertThat(events.objects()).hasSize(1);
        Event again = events.objects().get(0);
        assertThat(again.getMetadata().getName()).isEqualTo(first.getMetadata().getName());
        assertThat(again.getCount()).isEqualTo(2);
        assertThat(again.getFirstTimestamp()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(again.getLastTimestamp()).isEqualTo("2026-01-01T00:00:03Z");
    }

    @Test
    void aFullQueueDropsInsteadOfBlocking() throws Exception {
        recorder.close();
        CountDownLatch release = new CountDownLatch(1);
        InMemoryResourceClient<Event> slow = new InMemoryResourceClient<>(Event.class) {
            @Override
            public Mono<Event> create(Event event) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.create(event);
            }
        };
        recorder = new EventRecorder(slow, "c", "h", clock, 2, Duration.ofMinutes(10));
        for (int i = 0; i < 10; i++) {
            recorder.event(pod, EventRecorder.NORMAL, "R" + i, "m");
        }
        assertThat(recorder.dropped()).isGreaterThanOrEqualTo(7);
        release.countDown();
        recorder.close();
        List<Event> written = slow.objects();
        written.sort(Comparator.comparing(Event::getReason));
        assertThat(written).hasSizeBetween(2, 3);
    }

    @Test
    void writesForDifferentObjectsAreInFlightTogether() throws Exception {
        recorder.close();
        CountDownLatch twoInFlight = new CountDownLatch(2);
        InMemoryResourceClient<Event> slow = new InMemoryResourceClient<>(Event.class) {
            @Override
            public Mono<Event> create(Event event) {
                // Each create completes only once another one has been sent too: a writer that waits for each
                // write before sending the next would never finish.
                return Mono.fromCallable(() -> {
                    twoInFlight.countDown();
                    return twoInFlight.await(10, java.util.concurrent.TimeUnit.SECONDS);
                }).subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic())
                        .flatMap(ok -> ok ? super.create(event) : Mono.error(new IllegalStateException("serial")));
            }
        };
        recorder = new EventRecorder(slow, "c", "h", clock, 100, Duration.ofMinutes(10), 4);
        Pod other = new PodBuilder(pod).editMetadata().withName("api").withUid("uid-2").endMetadata().build();
        recorder.event(pod, EventRecorder.NORMAL, "Scheduled", "assigned ns/web to node-1");
        recorder.event(other, EventRecorder.NORMAL, "Scheduled", "assigned ns/api to node-2");
        recorder.close();
        assertThat(slow.objects()).hasSize(2);
    }

    @Test
    void typeMustBeNormalOrWarning() {
        assertThatThrownBy(() -> recorder.event(pod, "Error", "X", "y")).isInstanceOf(IllegalArgumentException.class);
    }
}
