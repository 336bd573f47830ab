package io.kube4j.apiserver.watch;

import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.registry.ObjectCodec;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The revisions a {@link WatchCache} hands out for bookmarks, lists and initial events, in the moment between an
 * event being applied to the cache and {@link WatchCacheManager} advancing the global revision past it.
 */
class WatchCacheTest {

    private static final ResourceType CONFIGMAPS = ResourceRegistry.builtin().byPath("", "v1", "configmaps").orElseThrow();

    /** The manager's revision: still at 10 while the event at 11 is being applied. */
    private final AtomicLong global = new AtomicLong(10);
    private final WatchCache cache = new WatchCache(CONFIGMAPS, 100, global::get);

    private void applyEventAt11() {
        cache.reset(Map.of(), 10);
        String key = CONFIGMAPS.key("ns", "a");
        byte[] json = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\",\"namespace\":\"ns\"}}"
                .getBytes(StandardCharsets.UTF_8);
        cache.apply(key, ObjectCodec.toCached(CONFIGMAPS, key, json, 11), 11, false);
    }

    @Test
    void bookmarkNeverCarriesARevisionOlderThanAnEventAlreadySent() {
        cache.reset(Map.of(), 10);
        Watcher w = cache.watch(WatchFilter.everything(), 10, true, 100);
        List<Long> revisions = new CopyOnWriteArrayList<>();
        w.events().subscribe(d -> revisions.add(d.event().revision()));

        applyEventAt11();
        cache.bookmark(rev -> ObjectCodec.bookmark(CONFIGMAPS, rev));

        assertThat(revisions).hasSize(2);
        assertThat(revisions.get(1)).as("bookmark after the event at 11").isGreaterThanOrEqualTo(11);
    }

    @Test
    void listRevisionCoversEveryObjectInTheList() {
        applyEventAt11();

        WatchCache.Snapshot s = cache.snapshot(WatchFilter.everything());

        assertThat(s.items()).extracting(CachedObject::resourceVersion).containsExactly(11L);
        // A watch from the list's revision must not deliver the object's change again.
        assertThat(s.revision()).isGreaterThanOrEqualTo(11);
    }

    @Test
    void initialEventsOfAWatchWithoutRevisionCarryARevisionCoveringThem() {
        applyEventAt11();

        Watcher w = cache.watch(WatchFilter.everything(), -1, false, 100);
        List<Long> revisions = new CopyOnWriteArrayList<>();
        w.events().subscribe(d -> revisions.add(d.event().revision()));

        assertThat(revisions).hasSize(1);
        assertThat(revisions.get(0)).isGreaterThanOrEqualTo(11);
    }

    @Test
    void watchFromARevisionTheCacheHasNotReachedYetGetsOnlyLaterChanges() {
        // A client that read revision 11 through another replica watches this one, still at 10.
        cache.reset(Map.of(), 10);
        Watcher w = cache.watch(WatchFilter.everything(), 11, true, 100);
        List<Long> revisions = new CopyOnWriteArrayList<>();
        w.events().subscribe(d -> revisions.add(d.event().revision()));

        cache.bookmark(rev -> ObjectCodec.bookmark(CONFIGMAPS, rev));
        applyAt("a", 11);
        applyAt("b", 12);

        assertThat(revisions).containsExactly(12L);
    }

    private void applyAt(String name, long revision) {
        String key = CONFIGMAPS.key("ns", name);
        byte[] json = ("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name
                + "\",\"namespace\":\"ns\"}}").getBytes(StandardCharsets.UTF_8);
        cache.apply(key, ObjectCodec.toCached(CONFIGMAPS, key, json, revision), revision, false);
    }

    @Test
    void aWatchRegisteredAfterTheCacheStoppedEndsAtOnce() {
        cache.reset(Map.of(), 10);
        cache.completeWatchers(); // the manager stops; a request that passed its readiness check registers after

        Watcher late = cache.watch(WatchFilter.everything(), 10, true, 100);

        // it would otherwise wait forever for events nobody applies; ended, its client reconnects elsewhere
        assertThat(late.events().collectList().block(java.time.Duration.ofSeconds(5))).isEmpty();
        assertThat(cache.watcherCount()).isZero();
    }
}
