package io.kube4j.client.watch;

import io.kube4j.client.util.TestObjects;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.EtcdServer;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.config.ClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class WatchIT {

    private static final Duration T = Duration.ofSeconds(30);
    private static KubeClient client;
    private static ResourceClient<ConfigMap> configMaps;

    @BeforeAll
    static void start() {
        client = KubeClient.create(ClientConfig.of(ApiServerInstance.shared().url()));
        configMaps = client.resources(ConfigMap.class);
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    /** Events other than bookmarks, as "TYPE name=v". */
    private static List<String> describe(List<WatchEvent<ConfigMap>> events) {
        List<String> out = new ArrayList<>();
        synchronized (events) {
            for (WatchEvent<ConfigMap> e : events) {
                if (e.type() != WatchEvent.Type.BOOKMARK) {
                    out.add(e.type() + " " + e.object().getMetadata().getName() + "="
                            + (e.object().getData() == null ? null : e.object().getData().get("v")));
                }
            }
        }
        return out;
    }

    @Test
    void seesAddedModifiedDeletedInOrder() {
        String ns = TestObjects.namespace(client, "watch-it", T);
        configMaps.create(TestObjects.configMap(ns, "before", "0")).block(T);
        List<WatchEvent<ConfigMap>> events = Collections.synchronizedList(new ArrayList<>());
        Disposable w = configMaps.watch(ns, ListOptions.all(), null).subscribe(events::add);
        try {
            await().atMost(T).until(() -> describe(events).contains("ADDED before=0"));
            configMaps.create(TestObjects.configMap(ns, "x", "1")).block(T);
            configMaps.patch(ns, "x", io.kube4j.client.PatchType.MERGE, "{\"data\":{\"v\":\"2\"}}").block(T);
            configMaps.delete(ns, "x", DeleteOptions.defaults()).block(T);
            await().atMost(T).until(() -> describe(events).size() == 4);
            assertThat(describe(events)).containsExactly("ADDED before=0", "ADDED x=1", "MODIFIED x=2", "DELETED x=2");
            synchronized (events) {
                for (WatchEvent<ConfigMap> e : events) {
                    assertThat(e.resourceVersion()).isNotBlank();
                }
            }
        } finally {
            w.dispose();
        }
    }

    @Test
    void resumesAcrossServerEndedStreamsWithoutLossOrRepeat() {
        String ns = TestObjects.namespace(client, "watch-it", T);
        String rv = configMaps.list(ns, ListOptions.all()).block(T).getMetadata().getResourceVersion();
        List<WatchEvent<ConfigMap>> events = Collections.synchronizedList(new ArrayList<>());
        ListOptions oneSecond = new ListOptions(null, null, 0, null, null, 1, false);
        Disposable w = configMaps.watch(ns, oneSecond, rv).subscribe(events::add);
        try {
            int writes = 200;
            configMaps.create(TestObjects.configMap(ns, "counter", "0")).block(T);
            for (int i = 1; i < writes; i++) {
                configMaps.patch(ns, "counter", io.kube4j.client.PatchType.MERGE,
                        "{\"data\":{\"v\":\"" + i + "\"}}").block(T);
                if (i % 40 == 0) {
                    sleep(1200); // let a stream or two end under us
                }
            }
            await().atMost(T).until(() -> describe(events).size() >= writes);
            // A repeat would show up within a stream or two more.
            await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5))
                    .until(() -> describe(events).size() == writes);
            List<String> seen = describe(events);
            List<String> expected = new ArrayList<>();
            expected.add("ADDED counter=0");
            for (int i = 1; i < writes; i++) {
                expected.add("MODIFIED counter=" + i);
            }
            assertThat(seen).containsExactlyElementsOf(expected);
        } finally {
            w.dispose();
        }
    }

    @Test
    void closingTheClientEndsItsWatches() {
        KubeClient own = KubeClient.create(ClientConfig.of(ApiServerInstance.shared().url()));
        String ns = TestObjects.namespace(own, "watch-it", T);
        AtomicReference<String> end = new AtomicReference<>();
        own.resources(ConfigMap.class).watch(ns, ListOptions.all(), null)
                .subscribe(e -> { }, e -> end.set("error " + e), () -> end.set("complete"));
        own.close();
        await().atMost(T).untilAsserted(() -> assertThat(end.get()).isEqualTo("complete"));
    }

    @Test
    void bookmarksSurfaceWhenAskedFor() {
        String ns = TestObjects.namespace(client, "watch-it", T);
        List<WatchEvent<ConfigMap>> events = Collections.synchronizedList(new ArrayList<>());
        Disposable w = configMaps.watch(ns, ListOptions.all().withBookmarks(true), null).subscribe(events::add);
        try {
            // The apiserver sends a bookmark only for a revision past the watch's start: write once.
            configMaps.create(TestObjects.configMap(ns, "tick", "1")).block(T);
            await().atMost(T).until(() -> {
                synchronized (events) {
                    return events.stream().anyMatch(e -> e.type() == WatchEvent.Type.BOOKMARK);
                }
            });
            synchronized (events) {
                WatchEvent<ConfigMap> b = events.stream().filter(e -> e.type() == WatchEvent.Type.BOOKMARK)
                        .findFirst().orElseThrow();
                assertThat(b.resourceVersion()).isNotBlank();
                assertThat(b.object().getMetadata().getResourceVersion()).isEqualTo(b.resourceVersion());
            }
        } finally {
            w.dispose();
        }
    }

    @Test
    void tooOldResourceVersionEndsWithGone() {
        try (ApiServerInstance small = ApiServerInstance.start(EtcdServer.shared().endpoint(),
                "kube4j.apiserver.watch-cache.window-size=5", "kube4j.apiserver.watch-cache.startup-replay=0");
             KubeClient c = KubeClient.create(ClientConfig.of(small.url()))) {
            String ns = TestObjects.namespace(c, "watch-it", T);
            ResourceClient<ConfigMap> cms = c.resources(ConfigMap.class);
            String first = cms.create(TestObjects.configMap(ns, "old", "0")).block(T).getMetadata().getResourceVersion();
            for (int i = 1; i < 20; i++) {
                cms.patch(ns, "old", io.kube4j.client.PatchType.MERGE, "{\"data\":{\"v\":\"" + i + "\"}}").block(T);
            }
            AtomicReference<Throwable> error = new AtomicReference<>();
            List<WatchEvent<ConfigMap>> events = Collections.synchronizedList(new ArrayList<>());
            Disposable w = cms.watch(ns, ListOptions.all(), first).subscribe(events::add, error::set);
            try {
                await().atMost(T).until(() -> error.get() != null);
                assertThat(error.get()).isInstanceOf(ApiStatusException.Gone.class);
                assertThat(((ApiStatusException) error.get()).code()).isEqualTo(410);
                assertThat(events).isEmpty();
            } finally {
                w.dispose();
            }
        }
    }

    @Test
    void resumesAfterAnApiserverRestartWithNothingLostOrRepeated() {
        try (ApiServerInstance own = ApiServerInstance.start(EtcdServer.shared().endpoint());
             KubeClient c = KubeClient.create(ClientConfig.of(own.url()))) {
            String ns = TestObjects.namespace(c, "watch-it", T);
            ResourceClient<ConfigMap> cms = c.resources(ConfigMap.class);
            List<WatchEvent<ConfigMap>> events = Collections.synchronizedList(new ArrayList<>());
            AtomicReference<Throwable> error = new AtomicReference<>();
            Disposable w = cms.watch(ns, ListOptions.all(), null).subscribe(events::add, error::set);
            try {
                cms.create(TestObjects.configMap(ns, "before", "1")).block(T);
                await().atMost(T).until(() -> describe(events).contains("ADDED before=1"));
                own.restart();
                cms.create(TestObjects.configMap(ns, "after", "1")).block(T);
                cms.patch(ns, "after", io.kube4j.client.PatchType.MERGE, "{\"data\":{\"v\":\"2\"}}").block(T);
                await().atMost(Duration.ofSeconds(60)).until(() -> describe(events).size() >= 3);
                await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                        .until(() -> describe(events).size() == 3);
                assertThat(error.get()).isNull();
                assertThat(describe(events)).containsExactly("ADDED before=1", "ADDED after=1", "MODIFIED after=2");
            } finally {
                w.dispose();
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
