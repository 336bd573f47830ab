package io.kube4j.apiserver.watch;

import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.config.ApiServerProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The manager's recovery logic: resume after a broken store watch, relist with diff events after compaction. */
class WatchCacheManagerTest {

    private final ResourceType cms = ResourceRegistry.builtin().byPath("", "v1", "configmaps").orElseThrow();
    private final InMemoryStorage storage = new InMemoryStorage();
    private WatchCacheManager manager;

    private static String cm(String name, String value) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name
                + "\",\"namespace\":\"ns\"},\"data\":{\"v\":\"" + value + "\"}}";
    }

    private String key(String name) {
        return cms.key("ns", name);
    }

    private void startManager(long replay) {
        ApiServerProperties.WatchCache cfg = new ApiServerProperties.WatchCache(100, replay, Duration.ofHours(1), 1000,
                Duration.ofMillis(500));
        manager = new WatchCacheManager(storage, ResourceRegistry.builtin(), cfg, new SimpleMeterRegistry());
        manager.start();
        await().atMost(Duration.ofSeconds(5)).until(manager::isReady);
    }

    @AfterEach
    void stop() {
        if (manager != null) {
            manager.stop();
        }
    }

    @Test
    void replaysHistoryAtStartSoWatchesResumeAcrossARestart() {
        storage.put(key("a"), cm("a", "1"));
        long afterA = storage.revisionNow();
        storage.put(key("b"), cm("b", "1"));
        storage.put(key("a"), cm("a", "2"));
        startManager(1000);
        List<String> seen = new CopyOnWriteArrayList<>();
        manager.cache(cms).watch(WatchFilter.everything(), afterA, false, 100).events()
                .subscribe(d -> seen.add(d.type() + " " + d.event().object().name()));
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 2);
        assertThat(seen).containsExactly("ADDED b", "MODIFIED a");
    }

    @Test
    void resumesAfterABrokenWatchAndRelistsAfterCompactionWithoutLosingChanges() {
        storage.put(key("keep"), cm("keep", "1"));
        storage.put(key("change"), cm("change", "1"));
        storage.put(key("gone"), cm("gone", "1"));
        startManager(0);
        long before = manager.revision();
        List<String> seen = new CopyOnWriteArrayList<>();
        List<Long> revisions = new CopyOnWriteArrayList<>();
        manager.cache(cms).watch(WatchFilter.everything(), before, false, 100).events()
                .subscribe(d -> {
                    seen.add(d.type() + " " + d.event().object().name());
                    revisions.add(d.event().revision());
                });

        storage.holdWatches();
        storage.put(key("change"), cm("change", "2"));
        storage.put(key("change"), cm("change", "3"));
        storage.remove(key("gone"));
        storage.put(key("new"), cm("new", "1"));
        long now = storage.revisionNow();
        storage.compactAndBreakWatches();

        await().atMost(Duration.ofSeconds(5)).until(() -> manager.revision() >= now && seen.size() >= 3);
        assertThat(seen).containsExactlyInAnyOrder("MODIFIED change", "DELETED gone", "ADDED new");
        assertThat(revisions).isSorted();
        assertThat(manager.cache(cms).snapshot(WatchFilter.everything()).items())
                .extracting(CachedObject::name).containsExactly("change", "keep", "new");
        assertThat(new String(manager.cache(cms).get(key("change")).json())).contains("\"v\":\"3\"");
        // history before the relist is gone: a resume from before it must relist
        assertThatThrownBy(() -> manager.cache(cms).watch(WatchFilter.everything(), before, false, 100))
                .isInstanceOf(WatchCache.TooOldResourceVersionException.class);

        storage.put(key("after"), cm("after", "1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains("ADDED after"));
    }

    @Test
    void consistentReadsWaitForTheCacheToReachARevision() {
        startManager(0);
        storage.put(key("x"), cm("x", "1"));
        long rev = storage.revisionNow();
        manager.waitForRevision(rev, Duration.ofSeconds(5)).block();
        assertThat(manager.cache(cms).get(key("x"))).isNotNull();
        assertThatThrownBy(() -> manager.waitForRevision(rev + 100, Duration.ofMillis(100)).block())
                .hasCauseInstanceOf(java.util.concurrent.TimeoutException.class);
    }
}
