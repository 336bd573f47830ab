package io.kube4j.client.informer;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.kube4j.api.selector.LabelSelector;
import io.kube4j.client.ListOptions;
import io.kube4j.client.watch.WatchEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SharedIndexInformerTest {

    private final FakeResourceClient server = new FakeResourceClient();
    private final List<SharedIndexInformer<ConfigMap>> informers = new ArrayList<>();

    @AfterEach
    void stop() {
        informers.forEach(SharedIndexInformer::stop);
    }

    private SharedIndexInformer<ConfigMap> informer(ListOptions options, Duration resync) {
        SharedIndexInformer<ConfigMap> inf = new SharedIndexInformer<>(server, "ns", options, resync,
                Indexers.defaults(), Duration.ofMillis(10));
        informers.add(inf);
        return inf;
    }

    private SharedIndexInformer<ConfigMap> informer() {
        return informer(ListOptions.all(), Duration.ZERO);
    }

    private static String rv(ConfigMap cm) {
        return cm.getMetadata().getResourceVersion();
    }

    @Test
    void listsInPagesThenWatchesFromTheListsVersion() {
        for (int i = 0; i < 1_200; i++) {
            server.put(String.format("cm-%04d", i), "v0");
        }
        long listedAt = server.revision();
        SharedIndexInformer<ConfigMap> inf = informer();
        RecordingHandler h = new RecordingHandler();
        inf.addEventHandler(h);
        inf.start();

        await().until(inf::hasSynced);
        await().until(() -> server.openWatches() == 1);
        assertThat(server.listCalls).hasSize(3).allSatisfy(o -> assertThat(o.limit()).isEqualTo(500));
        assertThat(server.watchFrom).containsExactly(Long.toString(listedAt));
        assertThat(server.watchCalls).allSatisfy(o -> assertThat(o.bookmarks()).isTrue());
        await().until(() -> h.calls.size() == 1_200);
        assertThat(h.calls).allMatch(c -> c.startsWith("add:"));

        ConfigMap created = server.put("new", "v");
        ConfigMap updated = server.put("cm-0000", "v1");
        server.remove("cm-0001");

        await().untilAsserted(() -> assertThat(h.calls.subList(1_200, h.calls.size())).containsExactly(
                "add:new@" + rv(created),
                "update:cm-0000@11->" + rv(updated),
                "delete:cm-0001@12"));
        assertThat(inf.lister().get("ns", "cm-0001")).isNull();
        assertThat(rv(inf.lister().get("ns", "cm-0000"))).isEqualTo(rv(updated));
        assertThat(inf.getIndexer().size()).isEqualTo(1_200);
        assertThat(inf.lastSyncResourceVersion()).isEqualTo(Long.toString(server.revision()));
    }

    @Test
    void relistsOnGoneAndDeliversTheDifferenceWithUnknownFinalStateForDeletes() {
        server.put("kept", "v");
        server.put("changed", "v");
        server.put("vanished", "v");
        SharedIndexInformer<ConfigMap> inf = informer();
        RecordingHandler h = new RecordingHandler();
        inf.addEventHandler(h);
        inf.start();
        await().until(() -> inf.hasSynced() && server.openWatches() == 1 && h.calls.size() == 3);

        // changes the watch never sees, then history is compacted away: only a relist can find them
        server.removeUnseen("vanished");
        server.putUnseen("changed", "v2");
        server.putUnseen("appeared", "v");
        server.compact();

        await().untilAsserted(() -> assertThat(h.calls.subList(3, h.calls.size())).containsExactlyInAnyOrder(
                "add:appeared@" + server.revision(),
                "update:changed@12->" + (server.revision() - 1),
                "delete:vanished@13:unknown"));
        assertThat(server.listCalls).hasSize(2);
        assertThat(inf.getIndexer().keys()).containsExactlyInAnyOrder("ns/kept", "ns/changed", "ns/appeared");
        await().until(() -> server.openWatches() == 1);

        // and it watches on from the relist
        server.remove("kept");
        await().until(() -> h.calls.contains("delete:kept@11"));
    }

    @Test
    void handlersRunOffTheWatchThreadInOrderAndASlowOneBlocksNobody() throws InterruptedException {
        SharedIndexInformer<ConfigMap> inf = informer();
        CountDownLatch release = new CountDownLatch(1);
        RecordingHandler slow = new RecordingHandler() {
            @Override
            public void onAdd(ConfigMap obj) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.onAdd(obj);
            }
        };
        RecordingHandler fast = new RecordingHandler();
        inf.addEventHandler(slow);
        inf.addEventHandler(fast);
        inf.start();
        await().until(() -> inf.hasSynced() && server.openWatches() == 1);

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ConfigMap cm = server.put("cm-" + (i % 5), "v" + i);
            expected.add(i < 5 ? "add:cm-" + i + "@" + rv(cm) : null);
        }
        // the fast handler gets everything while the slow one is stuck in its first call
        await().until(() -> fast.calls.size() == 50);
        assertThat(slow.calls).isEmpty();
        // and the watch kept going: the cache is current
        assertThat(rv(inf.lister().get("ns", "cm-4"))).isEqualTo(Long.toString(server.revision()));

        release.countDown();
        await().until(() -> slow.calls.size() == 50);
        assertThat(slow.calls).isEqualTo(fast.calls);
        for (int i = 0; i < 5; i++) {
            assertThat(fast.calls.get(i)).isEqualTo(expected.get(i));
        }
        assertThat(fast.calls.subList(5, 50)).allMatch(c -> c.startsWith("update:"));
        assertThat(slow.threads).singleElement().isNotIn(fast.threads);
        // the fake delivers watch events on the writing (test) thread; handlers never run there
        assertThat(fast.threads).singleElement().asString().contains("-handler-")
                .isNotEqualTo(Thread.currentThread().getName());
    }

    @Test
    void aHandlerAddedAfterSyncGetsTheCurrentStateThenChanges() {
        server.put("a", "v");
        server.put("b", "v");
        SharedIndexInformer<ConfigMap> inf = informer();
        inf.start();
        await().until(() -> inf.hasSynced() && server.openWatches() == 1);
        server.put("c", "v");
        await().until(() -> inf.getIndexer().size() == 3);

        RecordingHandler late = new RecordingHandler();
        inf.addEventHandler(late);
        await().until(() -> late.calls.size() == 3);
        assertThat(late.calls).containsExactlyInAnyOrder("add:a@11", "add:b@12", "add:c@13");

        server.put("a", "v2");
        await().until(() -> late.calls.size() == 4);
        assertThat(late.calls.get(3)).isEqualTo("update:a@11->14");
    }

    @Test
    void resyncRedeliversEveryCachedObjectAsAnUpdateToItself() {
        server.put("a", "v");
        server.put("b", "v");
        SharedIndexInformer<ConfigMap> inf = informer(ListOptions.all(), Duration.ofMillis(50));
        RecordingHandler h = new RecordingHandler();
        inf.addEventHandler(h);
        inf.start();
        await().until(() -> h.calls.contains("update:a@11->11") && h.calls.contains("update:b@12->12"));
    }

    @Test
    void resyncZeroDisablesIt() {
        server.put("a", "v");
        SharedIndexInformer<ConfigMap> inf = informer();
        RecordingHandler h = new RecordingHandler();
        inf.addEventHandler(h);
        inf.start();
        await().until(() -> h.calls.size() == 1);
        inf.resync(); // what a period would trigger
        await().until(() -> h.calls.size() == 2);
        assertThat(h.calls).containsExactly("add:a@11", "update:a@11->11");
    }

    @Test
    void eventsNotNewerThanTheCacheAreDropped() {
        ConfigMap first = server.put("a", "v1");
        SharedIndexInformer<ConfigMap> inf = informer();
        RecordingHandler h = new RecordingHandler();
        inf.addEventHandler(h);
        inf.start();
        await().until(() -> inf.hasSynced() && server.openWatches() == 1);
        ConfigMap second = server.put("a", "v2");
        await().until(() -> h.calls.size() == 2);

        // a duplicate of the newest event, a stale one, and a stale delete
        server.sendRaw(new WatchEvent<>(WatchEvent.Type.MODIFIED, second, rv(second)));
        server.sendRaw(new WatchEvent<>(WatchEvent.Type.MODIFIED, first, rv(first)));
        server.sendRaw(new WatchEvent<>(WatchEvent.Type.DELETED, first, rv(first)));
        ConfigMap third = server.put("a", "v3");

        await().until(() -> h.calls.size() == 3);
        assertThat(h.calls).containsExactly("add:a@11", "update:a@11->12", "update:a@12->" + rv(third));
        assertThat(rv(inf.lister().get("ns", "a"))).isEqualTo(rv(third));
    }

    @Test
    void bookmarksAdvanceTheResourceVersionAndTheResumePoint() {
        server.put("a", "v");
        SharedIndexInformer<ConfigMap> inf = informer();
        RecordingHandler h = new RecordingHandler();
        inf.addEventHandler(h);
        inf.start();
        await().until(() -> inf.hasSynced() && server.openWatches() == 1);
        server.bookmark();
        String bookmarked = Long.toString(server.revision());
        await().until(() -> bookmarked.equals(inf.lastSyncResourceVersion()));
        assertThat(h.calls).containsExactly("add:a@11");
    }

    @Test
    void passesSelectorsToListAndWatch() {
        ListOptions opts = ListOptions.all().withLabelSelector("app=web").withFieldSelector("spec.nodeName=n1");
        SharedIndexInformer<ConfigMap> inf = informer(opts, Duration.ZERO);
        inf.start();
        await().until(() -> inf.hasSynced() && server.openWatches() == 1);
        assertThat(server.listCalls).allSatisfy(o -> {
            assertThat(o.labelSelector()).isEqualTo("app=web");
            assertThat(o.fieldSelector()).isEqualTo("spec.nodeName=n1");
        });
        assertThat(server.watchCalls).allSatisfy(o -> {
            assertThat(o.labelSelector()).isEqualTo("app=web");
            assertThat(o.fieldSelector()).isEqualTo("spec.nodeName=n1");
            assertThat(o.limit()).isZero();
            assertThat(o.continueToken()).isNull();
        });
    }

    @Test
    void stopEndsTheWatch() {
        server.put("a", "v", Map.of("app", "web"));
        SharedIndexInformer<ConfigMap> inf = informer();
        inf.start();
        await().until(() -> inf.hasSynced() && server.openWatches() == 1);
        assertThat(inf.lister().list(LabelSelector.parse("app=web"))).hasSize(1);
        inf.stop();
        await().until(() -> server.openWatches() == 0);
        assertThat(inf.isRunning()).isFalse();
    }

    @Test
    void aWatchThatDeliveredResetsTheErrorBackoff() {
        server.put("a", "1");
        SharedIndexInformer<ConfigMap> inf = informer();
        inf.start();
        await().atMost(Duration.ofSeconds(5)).until(inf::hasSynced);
        server.watchesFailAfterABookmark = true;
        int before = server.watchCalls.size();
        server.compact(); // ends the open watch (410): the informer relists and watches again

        // Each stream works (a bookmark arrives) and then breaks: every failure is the first of its run, so the
        // informer keeps reconnecting after the shortest wait (10 ms). Without the reset the waits double, and the
        // twelve reconnects below would take 10 ms * (2^12 - 1) = 41 s.
        await().atMost(Duration.ofSeconds(10)).until(() -> server.watchCalls.size() >= before + 12);
    }

    /**
     * A watch that ends normally at once, without an event (the client's watches resume by themselves, so only a
     * closed client's end so), is watched again after the backoff, which grows: before, the informer's thread called
     * watch again at once, for ever, and each informer of a closed client spun a core.
     */
    @Test
    void aWatchThatEndsAtOnceIsRetriedWithBackoffNotInATightLoop() throws Exception {
        server.watchesEndAtOnce = true;
        SharedIndexInformer<ConfigMap> inf = informer(); // backoff 10 ms, doubling up to 30 s
        inf.start();
        await().atMost(Duration.ofSeconds(5)).until(inf::hasSynced);
        TimeUnit.MILLISECONDS.sleep(1000); // the time the retries are counted over, not a synchronisation
        // 10 + 20 + 40 + ... ms: at most about 8 watches in a second
        assertThat(server.watchCalls.size()).isBetween(2, 12);
        assertThat(inf.isRunning()).isTrue();
    }
}
