package io.kube4j.apiserver.watch;

import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.api.selector.FieldSelector;
import io.kube4j.api.selector.LabelSelector;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The watch cache's window, replay, selector transitions and bookmarks, without a store. */
class WatchCacheWindowTest {

    private final ResourceType pods = ResourceRegistry.builtin().byPath("", "v1", "pods").orElseThrow();
    private final AtomicLong global = new AtomicLong();
    private final WatchCache cache = new WatchCache(pods, 3, global::get);

    private CachedObject pod(String name, long rv, Map<String, String> labels) {
        String json = "{\"metadata\":{\"name\":\"" + name + "\",\"resourceVersion\":\"" + rv + "\"}}";
        return new CachedObject(pods.key("ns", name), "ns", name, rv, labels,
                Map.of("metadata.name", name, "metadata.namespace", "ns"), json.getBytes(StandardCharsets.UTF_8));
    }

    private void put(String name, long rv, Map<String, String> labels) {
        cache.apply(pods.key("ns", name), pod(name, rv, labels), rv, false);
        global.set(rv);
    }

    private void delete(String name, long rv) {
        cache.apply(pods.key("ns", name), null, rv, true);
        global.set(rv);
    }

    private static List<String> drain(Watcher w) {
        return w.events().take(java.time.Duration.ofMillis(200))
                .map(d -> d.type() + " " + (d.event().object().name() == null ? "" : d.event().object().name()) + "@" + d.event().revision())
                .collectList().block();
    }

    @Test
    void replaysTheWindowAfterARevisionThenLiveChanges() {
        cache.reset(Map.of(), 10);
        put("a", 11, Map.of());
        put("b", 12, Map.of());
        Watcher w = cache.watch(WatchFilter.everything(), 11, false, 100);
        put("a", 13, Map.of());
        delete("b", 14);
        assertThat(drain(w)).containsExactly("ADDED b@12", "MODIFIED a@13", "DELETED b@14");
    }

    @Test
    void aRevisionOlderThanTheWindowIsTooOld() {
        cache.reset(Map.of(), 10);
        for (int i = 1; i <= 5; i++) {
            put("p" + i, 10 + i, Map.of());
        }
        // window of 3 keeps revisions 13..15, so 12 is the oldest resumable
        assertThat(cache.oldestResumableRevision()).isEqualTo(12);
        assertThatThrownBy(() -> cache.watch(WatchFilter.everything(), 11, false, 100))
                .isInstanceOf(WatchCache.TooOldResourceVersionException.class);
        assertThat(drain(cache.watch(WatchFilter.everything(), 12, false, 100))).hasSize(3);
    }

    @Test
    void withoutARevisionAWatchStartsWithTheCurrentState() {
        cache.reset(Map.of(), 10);
        put("a", 11, Map.of());
        put("b", 12, Map.of());
        delete("a", 13);
        Watcher w = cache.watch(WatchFilter.everything(), -1, false, 100);
        put("c", 14, Map.of());
        assertThat(drain(w)).containsExactly("ADDED b@13", "ADDED c@14");
    }

    @Test
    void selectorsTurnLabelChangesIntoAddedAndDeleted() {
        cache.reset(Map.of(), 10);
        WatchFilter web = new WatchFilter("ns", LabelSelector.parse("app=web"), FieldSelector.everything());
        Watcher w = cache.watch(web, 10, false, 100);
        put("a", 11, Map.of("app", "db"));
        put("a", 12, Map.of("app", "web"));
        put("a", 13, Map.of("app", "web", "x", "y"));
        put("a", 14, Map.of("app", "db"));
        put("a", 15, Map.of("app", "web"));
        delete("a", 16);
        assertThat(drain(w)).containsExactly("ADDED a@12", "MODIFIED a@13", "DELETED a@14", "ADDED a@15", "DELETED a@16");
    }

    @Test
    void namespaceAndFieldSelectorsFilter() {
        cache.reset(Map.of(), 10);
        put("a", 11, Map.of());
        put("b", 12, Map.of());
        WatchFilter onlyB = new WatchFilter("ns", LabelSelector.everything(), FieldSelector.parse("metadata.name=b"));
        assertThat(drain(cache.watch(onlyB, 10, false, 100))).containsExactly("ADDED b@12");
        WatchFilter otherNs = new WatchFilter("other", LabelSelector.everything(), FieldSelector.everything());
        assertThat(drain(cache.watch(otherNs, 10, false, 100))).isEmpty();
        assertThat(cache.snapshot(onlyB).items()).extracting(CachedObject::name).containsExactly("b");
        assertThat(cache.snapshot(WatchFilter.everything()).revision()).isEqualTo(12);
    }

    @Test
    void bookmarksGoOnlyToWatchersThatAskedAndCarryTheCurrentRevision() {
        cache.reset(Map.of(), 10);
        Watcher with = cache.watch(WatchFilter.everything(), 10, true, 100);
        Watcher without = cache.watch(WatchFilter.everything(), 10, false, 100);
        put("a", 11, Map.of());
        global.set(20);
        cache.bookmark(rev -> new CachedObject("", null, null, rev, Map.of(), Map.of(), "{}".getBytes(StandardCharsets.UTF_8)));
        assertThat(drain(with)).containsExactly("ADDED a@11", "BOOKMARK @20");
        assertThat(drain(without)).containsExactly("ADDED a@11");
    }

    @Test
    void anIdleWatchFromTheCurrentRevisionStillGetsBookmarks() {
        cache.reset(Map.of(), 10);
        put("a", 11, Map.of());
        Watcher idle = cache.watch(WatchFilter.everything(), 11, true, 100);
        cache.bookmark(rev -> new CachedObject("", null, null, rev, Map.of(), Map.of(), "{}".getBytes(StandardCharsets.UTF_8)));
        assertThat(drain(idle)).containsExactly("BOOKMARK @11");
    }

    @Test
    void aWatcherThatFallsTooFarBehindIsClosed() {
        cache.reset(Map.of(), 10);
        Watcher slow = cache.watch(WatchFilter.everything(), 10, false, 16);
        for (int i = 0; i < 40; i++) {
            put("p" + i, 11 + i, Map.of());
        }
        assertThat(slow.events().onErrorResume(Watcher.SlowWatcherException.class, e -> reactor.core.publisher.Flux.empty())
                .count().block(java.time.Duration.ofSeconds(5))).isLessThanOrEqualTo(16);
    }

    @Test
    void aWatcherWhoseConsumerStoppedTakingEventsIsEndedAtOnceWhenItOverflows() {
        // a consumer that takes 2 events and then stops, as an HTTP writer whose client stopped reading
        cache.reset(Map.of(), 10);
        Watcher stuck = cache.watch(WatchFilter.everything(), 10, false, 16);
        java.util.concurrent.atomic.AtomicReference<Throwable> ended = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicInteger received = new java.util.concurrent.atomic.AtomicInteger();
        stuck.events().subscribe(new reactor.core.publisher.BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
                s.request(2);
            }

            @Override
            protected void hookOnNext(Watcher.Delivery d) {
                received.incrementAndGet();
            }

            @Override
            protected void hookOnError(Throwable e) {
                ended.set(e);
            }
        });
        for (int i = 0; i < 40; i++) {
            put("p" + i, 11 + i, Map.of());
        }
        // ended without waiting for the buffered events to be taken, its buffer dropped, and unregistered
        assertThat(received.get()).isEqualTo(2);
        assertThat(ended.get()).isInstanceOf(Watcher.SlowWatcherException.class);
        assertThat(cache.watcherCount()).isZero();
    }

    @Test
    void cancellingAWatchUnregistersIt() {
        cache.reset(Map.of(), 10);
        Watcher w = cache.watch(WatchFilter.everything(), 10, false, 100);
        assertThat(cache.watcherCount()).isEqualTo(1);
        w.events().take(java.time.Duration.ofMillis(10)).blockLast();
        assertThat(cache.watcherCount()).isZero();
    }
}
