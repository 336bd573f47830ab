package io.kube4j.apiserver.watch;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.ConfigMapWriter;
import io.kube4j.apiserver.testsupport.ConfigMapWriter.Change;
import io.kube4j.apiserver.testsupport.EtcdServer;
import io.kube4j.apiserver.testsupport.WatchStream;
import io.kube4j.apiserver.testsupport.WatchStream.Event;
import io.kube4j.apiserver.testsupport.WatchStream.Format;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Watches against a real apiserver on a real etcd: fan-out of many writes to many watchers of both wire formats,
 * resumption, selectors, bookmarks, timeouts, expired resourceVersions, and apiserver and etcd restarts. Every
 * watcher must get every change exactly once and in resourceVersion order.
 */
class WatchIT {

    private static final Duration BOUND = Duration.ofMinutes(2);
    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    private static ApiServerInstance api;
    private final List<WatchStream> watches = new ArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeAll
    static void startApiServer() {
        api = ApiServerInstance.shared();
    }

    @AfterEach
    void closeEverything() throws Exception {
        watches.forEach(WatchStream::close);
        Collections.reverse(resources);
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    private static ConfigMapWriter namespace(ApiClient client, String purpose) {
        String ns = "watch-it-" + purpose + "-" + NAMESPACES.incrementAndGet();
        ConfigMapWriter.createNamespace(client, ns);
        return new ConfigMapWriter(client, ns);
    }

    private WatchStream watch(ApiClient client, ConfigMapWriter w, String query, Format format, long rv, boolean resume) {
        WatchStream s = WatchStream.start(client.base(), w.path(), query, format, rv, resume);
        watches.add(s);
        return s;
    }

    // ---------------------------------------------------------------- fan-out

    @Test
    void thousandChangesReachFortyWatchersOfBothFormatsExactlyOnceInOrder() throws Exception {
        ConfigMapWriter writer = namespace(api.client(), "fanout");
        long from = writer.listRevision();
        List<WatchStream> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            all.add(watch(api.client(), writer, "", Format.SSE, from, false));
            all.add(watch(api.client(), writer, "", Format.JSON, from, false));
        }
        await().atMost(BOUND).until(() -> all.stream().allMatch(s -> s.connections() == 1));

        // 200 ConfigMaps, each created, updated three times and deleted: 1000 changes from 4 writers.
        List<Change> expected = Collections.synchronizedList(new ArrayList<>());
        ExecutorService writers = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                done.add(writers.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        String name = "cm-" + thread + "-" + i;
                        expected.add(writer.create(name));
                        for (int n = 1; n <= 3; n++) {
                            expected.add(writer.update(name, n));
                        }
                        expected.add(writer.delete(name));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(BOUND.toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            writers.shutdownNow();
        }
        assertThat(expected).hasSize(1000);

        Change sentinel = writer.create("zz-sentinel");
        awaitSentinel(all, sentinel);
        for (WatchStream s : all) {
            assertExactlyOnceInOrder(s, expected, sentinel);
            assertThat(s.connections()).as("the stream never broke").isEqualTo(1);
        }
    }

    // ---------------------------------------------------------------- resume

    @ParameterizedTest
    @EnumSource(Format.class)
    void watchThatReconnectsMidwayMissesNothingAndRepeatsNothing(Format format) throws Exception {
        ConfigMapWriter writer = namespace(api.client(), "resume-" + format.name().toLowerCase());
        long from = writer.listRevision();
        WatchStream s = watch(api.client(), writer, "", format, from, true);
        await().atMost(BOUND).until(() -> s.connections() == 1);

        List<Change> expected = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> writes = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 60; i++) {
                expected.add(writer.create("cm-" + i));
                expected.add(writer.update("cm-" + i, 1));
            }
        });
        // Drop the connection twice while changes flow; each time the client resumes from the last event it saw.
        await().atMost(BOUND).until(() -> s.changes().size() >= 30);
        s.disconnect();
        await().atMost(BOUND).until(() -> s.connections() == 2 && s.changes().size() >= 60);
        s.disconnect();
        writes.get(BOUND.toSeconds(), TimeUnit.SECONDS);

        Change sentinel = writer.create("zz-sentinel");
        awaitSentinel(List.of(s), sentinel);
        assertThat(s.connections()).isGreaterThanOrEqualTo(3);
        assertExactlyOnceInOrder(s, expected, sentinel);
    }

    // ---------------------------------------------------------------- selectors

    @Test
    void labelAndFieldSelectorsTurnObjectsLeavingAndEnteringTheSelectionIntoDeletedAndAdded() {
        ConfigMapWriter writer = namespace(api.client(), "selectors");
        long from = writer.listRevision();
        WatchStream byLabel = watch(api.client(), writer, "labelSelector=" + WatchStream.encode("app=web"),
                Format.JSON, from, false);
        WatchStream byField = watch(api.client(), writer, "fieldSelector=" + WatchStream.encode("metadata.name=cm-a"),
                Format.SSE, from, false);

        Change aAdded = writer.create("cm-a", Map.of("app", "web"));
        Change bAdded = writer.create("cm-b", Map.of("app", "db"));
        Change aLeaves = writer.label("cm-a", "app", "db");
        Change bEnters = writer.label("cm-b", "app", "web");
        Change aEnters = writer.label("cm-a", "app", "web");
        Change bDeleted = writer.delete("cm-b");
        Change aDeleted = writer.delete("cm-a");

        List<Change> labelExpected = List.of(
                aAdded,
                new Change("DELETED", "cm-a", aLeaves.resourceVersion()),
                new Change("ADDED", "cm-b", bEnters.resourceVersion()),
                new Change("ADDED", "cm-a", aEnters.resourceVersion()),
                bDeleted,
                aDeleted);
        List<Change> fieldExpected = List.of(aAdded, aLeaves, aEnters, aDeleted);
        assertThat(bAdded.resourceVersion()).isPositive();

        // Both streams end with cm-a's deletion; nothing may come before it that is not expected.
        await().atMost(BOUND).until(() -> endsWith(byLabel, aDeleted) && endsWith(byField, aDeleted));
        assertThat(byLabel.changes().stream().map(Change::of).toList()).containsExactlyElementsOf(labelExpected);
        assertThat(byField.changes().stream().map(Change::of).toList()).containsExactlyElementsOf(fieldExpected);
        assertSseIdsAreResourceVersions(byField);
    }

    private static boolean endsWith(WatchStream s, Change last) {
        List<Event> c = s.changes();
        return !c.isEmpty() && Change.of(c.get(c.size() - 1)).equals(last);
    }

    // ---------------------------------------------------------------- bookmarks and timeouts

    @ParameterizedTest
    @EnumSource(Format.class)
    void bookmarksArriveAndTheirResourceVersionNeverGoesBackwards(Format format) throws Exception {
        ConfigMapWriter writer = namespace(api.client(), "bookmarks-" + format.name().toLowerCase());
        long from = writer.listRevision();
        WatchStream s = watch(api.client(), writer, "allowWatchBookmarks=true", format, from, false);
        WatchStream without = watch(api.client(), writer, "", format, from, false);

        // Keep writing until two bookmarks (the test apiserver sends one every 2 s) have interleaved with changes.
        List<Change> expected = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Void> writes = CompletableFuture.runAsync(() -> {
            for (int i = 0; !stop.get(); i++) {
                Change c = writer.create("cm-" + i);
                expected.add(c);
                expected.add(writer.delete("cm-" + i));
                await().atMost(BOUND).until(() -> s.changes().size() >= expected.size());
            }
        });
        try {
            await().atMost(BOUND).until(() -> s.events().stream().filter(Event::isBookmark).count() >= 2);
        } finally {
            stop.set(true);
        }
        writes.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        Change sentinel = writer.create("zz-sentinel");
        awaitSentinel(List.of(s, without), sentinel);

        assertExactlyOnceInOrder(s, expected, sentinel);
        assertExactlyOnceInOrder(without, expected, sentinel);
        assertThat(without.events()).noneMatch(Event::isBookmark);
        long last = 0;
        for (Event e : s.events()) {
            if (e.isBookmark()) {
                assertThat(e.resourceVersion()).as("bookmark after rv %d", last).isGreaterThanOrEqualTo(last);
                assertThat(e.object().path("kind").asString()).isEqualTo("ConfigMap");
            } else {
                assertThat(e.resourceVersion()).isGreaterThan(last);
            }
            last = e.resourceVersion();
        }
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void timeoutSecondsEndsTheStream(Format format) throws Exception {
        ConfigMapWriter writer = namespace(api.client(), "timeout-" + format.name().toLowerCase());
        WatchStream s = watch(api.client(), writer, "timeoutSeconds=1", format, writer.listRevision(), false);
        s.ended().get(30, TimeUnit.SECONDS);
        assertThat(s.connections()).isEqualTo(1);
        assertThat(s.failures()).isEmpty();
    }

    // ---------------------------------------------------------------- expired resourceVersion

    @Test
    void resourceVersionOlderThanTheWindowGetsOneErrorEventWith410Expired() throws Exception {
        ApiServerInstance small = ApiServerInstance.start(EtcdServer.shared().endpoint(),
                "kube4j.apiserver.watch-cache.window-size=10", "kube4j.apiserver.watch-cache.startup-replay=0");
        resources.add(small);
        ConfigMapWriter writer = namespace(small.client(), "expired");
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            changes.add(writer.create("cm-" + i));
            changes.add(writer.update("cm-" + i, 1));
        }
        long first = changes.get(0).resourceVersion();
        for (Format format : Format.values()) {
            WatchStream s = watch(small.client(), writer, "", format, first, false);
            s.ended().get(30, TimeUnit.SECONDS);
            assertThat(s.connections()).as(format + ": the watch is answered 200").isEqualTo(1);
            assertThat(s.events()).as(format.name()).hasSize(1);
            Event error = s.events().get(0);
            assertThat(error.type()).isEqualTo("ERROR");
            assertThat(error.object().path("kind").asString()).isEqualTo("Status");
            assertThat(error.object().path("code").asInt()).isEqualTo(410);
            assertThat(error.object().path("reason").asString()).isEqualTo("Expired");
        }
        // The newest changes are still in the window.
        WatchStream recent = watch(small.client(), writer, "", Format.JSON,
                changes.get(changes.size() - 3).resourceVersion(), false);
        await().atMost(BOUND).until(() -> recent.changes().size() == 2);
        assertThat(recent.changes().stream().map(Change::of).toList())
                .containsExactlyElementsOf(changes.subList(changes.size() - 2, changes.size()));
    }

    // ---------------------------------------------------------------- restarts

    @Test
    void watchersResumeAcrossAnApiServerRestartWhileAnotherReplicaTakesWrites() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(ApiServerInstance.onEmbeddedStore(),
                "two apiserver replicas on one store need etcd (an embedded store belongs to one apiserver)");
        String etcd = EtcdServer.shared().endpoint();
        ApiServerInstance restarting = ApiServerInstance.start(etcd);
        resources.add(restarting);
        ApiServerInstance other = ApiServerInstance.start(etcd);
        resources.add(other);
        ConfigMapWriter writer = namespace(restarting.client(), "apiserver-restart");
        ConfigMapWriter viaOther = writer.through(other.client());
        long from = writer.listRevision();
        List<WatchStream> all = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            all.add(watch(restarting.client(), writer, "", Format.SSE, from, true));
            all.add(watch(restarting.client(), writer, "", Format.JSON, from, true));
        }
        await().atMost(BOUND).until(() -> all.stream().allMatch(s -> s.connections() == 1));

        List<Change> expected = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 20; i++) {
            expected.add(writer.create("before-" + i));
            expected.add(writer.update("before-" + i, 1));
        }
        await().atMost(BOUND).until(() -> all.stream().allMatch(s -> s.changes().size() >= 20));

        CompletableFuture<Void> restart = CompletableFuture.runAsync(restarting::restart);
        // Writes through the other replica while this one goes down and comes back.
        int during = 0;
        while (!restart.isDone() || during < 20) {
            expected.add(viaOther.create("during-" + during));
            expected.add(viaOther.delete("during-" + during));
            during++;
        }
        restart.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        for (int i = 0; i < 20; i++) {
            expected.add(writer.update("before-" + i, 2));
            expected.add(writer.delete("before-" + i));
        }

        Change sentinel = writer.create("zz-sentinel");
        awaitSentinel(all, sentinel);
        for (WatchStream s : all) {
            assertThat(s.connections()).as("reconnected after the restart").isGreaterThanOrEqualTo(2);
            assertExactlyOnceInOrder(s, expected, sentinel);
        }
    }

    @Test
    void watchersGetEveryChangeOnceAcrossAnEtcdRestart() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(ApiServerInstance.onEmbeddedStore(), "about etcd restarts only");
        EtcdServer etcd = new EtcdServer();
        etcd.start();
        resources.add(etcd::destroy);
        ApiServerInstance server = ApiServerInstance.start(etcd.endpoint());
        resources.add(server);
        ConfigMapWriter writer = namespace(server.client(), "etcd-restart");
        long from = writer.listRevision();
        WatchStream sse = watch(server.client(), writer, "", Format.SSE, from, true);
        WatchStream json = watch(server.client(), writer, "", Format.JSON, from, true);
        List<WatchStream> all = List.of(sse, json);

        List<Change> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add(writer.create("before-" + i));
        }
        await().atMost(BOUND).until(() -> all.stream().allMatch(s -> s.changes().size() >= 20));

        etcd.stop();
        // While etcd is down the watch cache still serves: a client that reconnects now resumes from it.
        sse.disconnect();
        await().atMost(BOUND).until(() -> sse.connections() == 2);
        etcd.start();
        // The apiserver's etcd client reconnects by itself; the first write through it shows when it has.
        await().atMost(BOUND).pollInterval(Duration.ofMillis(200))
                .until(() -> server.client().get(writer.path() + "/before-0").code() == 200);
        for (int i = 0; i < 20; i++) {
            expected.add(writer.update("before-" + i, 1));
            expected.add(writer.create("after-" + i));
        }

        Change sentinel = writer.create("zz-sentinel");
        awaitSentinel(all, sentinel);
        for (WatchStream s : all) {
            assertExactlyOnceInOrder(s, expected, sentinel);
        }
    }

    // ---------------------------------------------------------------- assertions

    private static void awaitSentinel(List<WatchStream> all, Change sentinel) {
        await().atMost(BOUND).until(() -> all.stream().allMatch(s -> s.changes().stream()
                .anyMatch(e -> e.name().equals(sentinel.name()))));
    }

    /** Everything up to the sentinel is exactly {@code expected}, in resourceVersion order; the sentinel is last. */
    private static void assertExactlyOnceInOrder(WatchStream s, List<Change> expected, Change sentinel) {
        List<Change> got = s.changes().stream().map(Change::of).toList();
        List<Change> want = new ArrayList<>(expected);
        want.sort(Comparator.comparingLong(Change::resourceVersion));
        want.add(sentinel);
        assertThat(want).extracting(Change::resourceVersion).doesNotHaveDuplicates();
        assertThat(got).as("changes seen by a watch (%d connections)", s.connections()).containsExactlyElementsOf(want);
        assertThat(s.failures()).isEmpty();
        assertSseIdsAreResourceVersions(s);
    }

    private static void assertSseIdsAreResourceVersions(WatchStream s) {
        for (Event e : s.events()) {
            if (e.id() != null) {
                assertThat(e.id()).isEqualTo(Long.toString(e.resourceVersion()));
            }
        }
    }

    // ---------------------------------------------------------------- WebSocket

    /**
     * A watch over a WebSocket (what fabric8 asks for first) gets each event as one text message holding the
     * {@code {"type","object"}} document, in order from the given resourceVersion, and a close frame at the watch's
     * timeout.
     */
    @Test
    void aWatchOverAWebSocketSendsOneEventPerTextMessage() throws Exception {
        ConfigMapWriter writer = namespace(api.client(), "websocket");
        long from = writer.listRevision();
        List<Change> expected = new ArrayList<>();
        expected.add(writer.create("ws-1"));
        expected.add(writer.update("ws-1", 1));
        java.util.concurrent.LinkedBlockingQueue<String> messages = new java.util.concurrent.LinkedBlockingQueue<>();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        java.net.URI uri = java.net.URI.create(api.client().base().replaceFirst("^http", "ws") + writer.path()
                + "?watch=true&timeoutSeconds=5&resourceVersion=" + from);
        java.net.http.WebSocket ws = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(uri, new java.net.http.WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data,
                                                                          boolean last) {
                        partial.append(data);
                        if (last) {
                            messages.add(partial.toString());
                            partial.setLength(0);
                        }
                        w.request(1);
                        return null;
                    }

                    @Override
                    public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket w, int code,
                                                                           String reason) {
                        closed.complete(code);
                        return null;
                    }
                }).get(30, TimeUnit.SECONDS);
        try {
            expected.add(writer.delete("ws-1"));
            List<Change> got = new ArrayList<>();
            for (int i = 0; i < expected.size(); i++) {
                String m = messages.poll(30, TimeUnit.SECONDS);
                assertThat(m).as("event %d of %s", i, expected).isNotNull();
                tools.jackson.databind.JsonNode e = io.kube4j.api.codec.Codecs.json().readTree(m);
                got.add(new Change(e.get("type").asString(), e.at("/object/metadata/name").asString(),
                        Long.parseLong(e.at("/object/metadata/resourceVersion").asString())));
            }
            assertThat(got).isEqualTo(expected);
            // the watch's timeout closes the socket with a close frame (reactor-netty sends none with a status: 1005)
            assertThat(closed.get(30, TimeUnit.SECONDS)).isIn(java.net.http.WebSocket.NORMAL_CLOSURE, 1005);
        } finally {
            ws.abort();
        }
    }
}
