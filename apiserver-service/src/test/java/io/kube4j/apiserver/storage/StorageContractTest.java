package io.kube4j.apiserver.storage;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The behaviour every {@link Storage} backend must have. Subclasses supply the backend; each test works under
 * its own key prefix, so all tests can share one store (compaction tests only compact up to "now", which does
 * not disturb other tests running one after another).
 */
public abstract class StorageContractTest {

    protected static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** The backend under test; the same instance may serve every test. */
    protected abstract Storage storage();

    protected String prefix;

    @BeforeEach
    void uniquePrefix(TestInfo info) {
        String method = info.getTestMethod().map(m -> m.getName()).orElse("test");
        prefix = "/registry/contract/" + method + "-" + UUID.randomUUID().toString().substring(0, 8) + "/";
    }

    protected String key(String name) {
        return prefix + name;
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    protected static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    protected static <T> T block(Mono<T> mono) {
        return mono.block(TIMEOUT);
    }

    protected WriteResult create(String name, String value) {
        WriteResult r = block(storage().create(key(name), bytes(value), null));
        assertThat(r.succeeded()).as("create %s", name).isTrue();
        return r;
    }

    // ------------------------------------------------------------ create / get

    @Test
    void createThenGet() {
        WriteResult created = block(storage().create(key("a"), bytes("v1"), null));

        assertThat(created.succeeded()).isTrue();
        assertThat(created.object().key()).isEqualTo(key("a"));
        assertThat(text(created.object().value())).isEqualTo("v1");
        assertThat(created.object().createRevision()).isEqualTo(created.revision());
        assertThat(created.object().modRevision()).isEqualTo(created.revision());

        StoredObject got = block(storage().get(key("a")));
        assertThat(got.key()).isEqualTo(key("a"));
        assertThat(text(got.value())).isEqualTo("v1");
        assertThat(got.createRevision()).isEqualTo(created.revision());
        assertThat(got.modRevision()).isEqualTo(created.revision());
    }

    @Test
    void getMissingIsEmpty() {
        assertThat(block(storage().get(key("nothing")))).isNull();
    }

    @Test
    void createExistingFailsWithCurrentObject() {
        WriteResult first = create("a", "v1");

        WriteResult second = block(storage().create(key("a"), bytes("v2"), null));

        assertThat(second.succeeded()).isFalse();
        assertThat(text(second.object().value())).isEqualTo("v1");
        assertThat(second.object().modRevision()).isEqualTo(first.revision());
        assertThat(second.revision()).isGreaterThanOrEqualTo(first.revision());
        assertThat(text(block(storage().get(key("a"))).value())).isEqualTo("v1");
    }

    // ------------------------------------------------------------ update

    @Test
    void updateWithCurrentRevisionSucceeds() {
        WriteResult created = create("a", "v1");

        WriteResult updated = block(storage().update(key("a"), bytes("v2"), created.revision(), null));

        assertThat(updated.succeeded()).isTrue();
        assertThat(text(updated.object().value())).isEqualTo("v2");
        assertThat(updated.object().createRevision()).isEqualTo(created.revision());
        assertThat(updated.object().modRevision()).isEqualTo(updated.revision()).isGreaterThan(created.revision());
        StoredObject got = block(storage().get(key("a")));
        assertThat(text(got.value())).isEqualTo("v2");
        assertThat(got.modRevision()).isEqualTo(updated.revision());
    }

    @Test
    void updateWithStaleRevisionFailsWithCurrentObject() {
        WriteResult created = create("a", "v1");
        WriteResult updated = block(storage().update(key("a"), bytes("v2"), created.revision(), null));

        WriteResult stale = block(storage().update(key("a"), bytes("v3"), created.revision(), null));

        assertThat(stale.succeeded()).isFalse();
        assertThat(text(stale.object().value())).isEqualTo("v2");
        assertThat(stale.object().modRevision()).isEqualTo(updated.revision());
        assertThat(text(block(storage().get(key("a"))).value())).isEqualTo("v2");
    }

    @Test
    void updateOfMissingKeyFailsWithNull() {
        WriteResult r = block(storage().update(key("missing"), bytes("v"), 5, null));
        assertThat(r.succeeded()).isFalse();
        assertThat(r.object()).isNull();

        // expected revision 0 must not turn an update into a create
        WriteResult zero = block(storage().update(key("missing"), bytes("v"), 0, null));
        assertThat(zero.succeeded()).isFalse();
        assertThat(zero.object()).isNull();
        assertThat(block(storage().get(key("missing")))).isNull();
    }

    // ------------------------------------------------------------ delete

    @Test
    void deleteWithCurrentRevisionReturnsLastValue() {
        WriteResult created = create("a", "v1");

        WriteResult deleted = block(storage().delete(key("a"), created.revision()));

        assertThat(deleted.succeeded()).isTrue();
        assertThat(text(deleted.object().value())).isEqualTo("v1");
        assertThat(deleted.object().createRevision()).isEqualTo(created.revision());
        assertThat(deleted.object().modRevision()).isEqualTo(deleted.revision()).isGreaterThan(created.revision());
        assertThat(block(storage().get(key("a")))).isNull();
    }

    @Test
    void deleteWithStaleRevisionFailsWithCurrentObject() {
        WriteResult created = create("a", "v1");
        WriteResult updated = block(storage().update(key("a"), bytes("v2"), created.revision(), null));

        WriteResult stale = block(storage().delete(key("a"), created.revision()));

        assertThat(stale.succeeded()).isFalse();
        assertThat(text(stale.object().value())).isEqualTo("v2");
        assertThat(stale.object().modRevision()).isEqualTo(updated.revision());
        assertThat(block(storage().get(key("a")))).isNotNull();
    }

    @Test
    void deleteOfMissingKeyFailsWithNull() {
        WriteResult conditional = block(storage().delete(key("missing"), 7));
        assertThat(conditional.succeeded()).isFalse();
        assertThat(conditional.object()).isNull();

        WriteResult unconditional = block(storage().delete(key("missing"), 0));
        assertThat(unconditional.succeeded()).isFalse();
        assertThat(unconditional.object()).isNull();
    }

    @Test
    void unconditionalDeleteRemovesWhateverIsThere() {
        WriteResult created = create("a", "v1");
        block(storage().update(key("a"), bytes("v2"), created.revision(), null));

        WriteResult deleted = block(storage().delete(key("a"), 0));

        assertThat(deleted.succeeded()).isTrue();
        assertThat(text(deleted.object().value())).isEqualTo("v2");
        assertThat(deleted.object().modRevision()).isEqualTo(deleted.revision());
        assertThat(block(storage().get(key("a")))).isNull();
    }

    // ------------------------------------------------------------ list

    @Test
    void listReturnsOnlyThePrefixInKeyOrder() {
        create("pods/c", "3");
        create("pods/a", "1");
        create("podsx", "not me: shares the string prefix but not the path");
        create("pods/b", "2");
        create("other/a", "not me");

        ListPage page = block(storage().list(key("pods/"), null, 0, 0));

        assertThat(page.items()).extracting(StoredObject::key)
                .containsExactly(key("pods/a"), key("pods/b"), key("pods/c"));
        assertThat(page.items()).extracting(o -> text(o.value())).containsExactly("1", "2", "3");
        assertThat(page.more()).isFalse();
        assertThat(page.remaining()).isZero();
        assertThat(page.revision()).isGreaterThanOrEqualTo(page.items().get(2).modRevision());
    }

    @Test
    void listOfEmptyPrefixIsEmpty() {
        ListPage page = block(storage().list(key("nothing/"), null, 0, 0));
        assertThat(page.items()).isEmpty();
        assertThat(page.more()).isFalse();
        assertThat(page.revision()).isPositive();
    }

    @Test
    void paginationReturnsEveryKeyOnceAtOneRevision() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            names.add("items/" + (char) ('a' + i));
        }
        List<String> shuffled = new ArrayList<>(names);
        Collections.shuffle(shuffled);
        shuffled.forEach(n -> create(n, n));
        String listPrefix = key("items/");

        List<String> seen = new ArrayList<>();
        List<Long> remainings = new ArrayList<>();
        ListPage page = block(storage().list(listPrefix, null, 3, 0));
        long revision = page.revision();
        // a write after the first page must not show up in later pages read at the first page's revision
        create("items/zz-late", "late");
        while (true) {
            page.items().forEach(o -> seen.add(o.key()));
            remainings.add(page.remaining());
            assertThat(page.revision()).isEqualTo(revision);
            if (!page.more()) {
                break;
            }
            String last = page.items().get(page.items().size() - 1).key();
            page = block(storage().list(listPrefix, last + "\0", 3, revision));
        }

        assertThat(seen).containsExactlyElementsOf(names.stream().map(this::key).toList());
        assertThat(remainings).containsExactly(7L, 4L, 1L, 0L);
    }

    @Test
    void listAtAnOldRevisionShowsTheOldState() {
        WriteResult a = create("x/a", "a1");
        create("x/b", "b1");
        long before = block(storage().currentRevision());
        block(storage().update(key("x/a"), bytes("a2"), a.revision(), null));
        block(storage().delete(key("x/b"), 0));
        create("x/c", "c1");

        ListPage old = block(storage().list(key("x/"), null, 0, before));
        ListPage now = block(storage().list(key("x/"), null, 0, 0));

        assertThat(old.revision()).isEqualTo(before);
        assertThat(old.items()).extracting(o -> text(o.value())).containsExactly("a1", "b1");
        assertThat(now.items()).extracting(o -> text(o.value())).containsExactly("a2", "c1");
    }

    // ------------------------------------------------------------ revisions

    @Test
    void currentRevisionFollowsWrites() {
        long before = block(storage().currentRevision());
        WriteResult created = create("a", "v");
        long after = block(storage().currentRevision());

        assertThat(created.revision()).isGreaterThan(before);
        assertThat(after).isGreaterThanOrEqualTo(created.revision());
    }

    // ------------------------------------------------------------ watch

    @Test
    void watchReplaysHistoryThenDeliversLiveEventsExactlyOnce() {
        WriteResult a1 = create("w/a", "a1");
        WriteResult a2 = block(storage().update(key("w/a"), bytes("a2"), a1.revision(), null));
        WriteResult b1 = create("w/b", "b1");
        WriteResult deleteA = block(storage().delete(key("w/a"), a2.revision()));
        create("elsewhere", "not watched");

        List<StorageEvent> events = new CopyOnWriteArrayList<>();
        String sentinel = key("w/sentinel");
        CompletableFuture<Void> done = new CompletableFuture<>();
        Disposable subscription = storage().watch(key("w/"), a1.revision())
                .takeUntil(e -> e.object().key().equals(sentinel))
                .subscribe(events::add, done::completeExceptionally, () -> done.complete(null));
        try {
            await().atMost(TIMEOUT).until(() -> events.size() == 3);
            WriteResult c1 = create("w/c", "c1");
            create("w/sentinel", "end");
            done.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

            assertThat(events).extracting(StorageEvent::type, e -> e.object().key(), e -> text(e.object().value()),
                            StorageEvent::revision)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(StorageEvent.Type.PUT, key("w/a"), "a2", a2.revision()),
                            org.assertj.core.groups.Tuple.tuple(StorageEvent.Type.PUT, key("w/b"), "b1", b1.revision()),
                            org.assertj.core.groups.Tuple.tuple(StorageEvent.Type.DELETE, key("w/a"), "a2", deleteA.revision()),
                            org.assertj.core.groups.Tuple.tuple(StorageEvent.Type.PUT, key("w/c"), "c1", c1.revision()),
                            org.assertj.core.groups.Tuple.tuple(StorageEvent.Type.PUT, sentinel, "end",
                                    events.get(4).revision()));
            StorageEvent update = events.get(0);
            assertThat(update.isCreate()).isFalse();
            assertThat(text(update.previous().value())).isEqualTo("a1");
            assertThat(events.get(1).isCreate()).isTrue();
            StorageEvent delete = events.get(2);
            assertThat(delete.object().modRevision()).isEqualTo(deleteA.revision());
            assertThat(delete.object().createRevision()).isEqualTo(a1.revision());
        } catch (Exception e) {
            throw new AssertionError("watch failed; events so far: " + events, e);
        } finally {
            subscription.dispose();
        }
    }

    @Test
    void watchFromACompactedRevisionFails() {
        WriteResult first = create("c/a", "1");
        create("c/b", "2");
        create("c/c", "3");
        long now = block(storage().currentRevision());
        block(storage().compact(now));

        Flux<StorageEvent> watch = storage().watch(key("c/"), first.revision() - 1);

        assertThatThrownBy(() -> watch.blockFirst(TIMEOUT)).isInstanceOf(CompactedException.class);
    }

    @Test
    void listAtACompactedRevisionFails() {
        WriteResult first = create("c/a", "1");
        create("c/b", "2");
        long now = block(storage().currentRevision());
        block(storage().compact(now));

        assertThatThrownBy(() -> block(storage().list(key("c/"), null, 0, first.revision())))
                .isInstanceOf(CompactedException.class);
        // the compacted revision itself is still readable
        assertThat(block(storage().list(key("c/"), null, 0, now)).items()).hasSize(2);
    }

    @Test
    void watchDeliversThousandWritesInOrder() {
        int count = 1000;
        long start = block(storage().currentRevision());
        CompletableFuture<List<StorageEvent>> received = storage().watch(key("many/"), start)
                .take(count)
                .collectList()
                .toFuture();

        Flux.range(0, count)
                .flatMap(i -> storage().create(key("many/" + i), bytes(String.valueOf(i)), null), 16)
                .doOnNext(r -> assertThat(r.succeeded()).isTrue())
                .blockLast(TIMEOUT);

        List<StorageEvent> events = received.orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
        assertThat(events).hasSize(count);
        for (int i = 1; i < events.size(); i++) {
            assertThat(events.get(i).revision()).isGreaterThan(events.get(i - 1).revision());
        }
        Set<String> keys = new HashSet<>();
        events.forEach(e -> keys.add(e.object().key()));
        assertThat(keys).hasSize(count);
        assertThat(events).allMatch(StorageEvent::isCreate);
    }

    // ------------------------------------------------------------ ttl

    @Test
    void keyWithTtlDisappears() {
        WriteResult r = block(storage().create(key("ttl"), bytes("v"), Duration.ofSeconds(2)));
        create("no-ttl", "stays");
        assertThat(r.succeeded()).isTrue();

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> block(storage().get(key("ttl"))) == null);
        assertThat(block(storage().get(key("no-ttl")))).isNotNull();
    }

    @Test
    void updateCanAttachATtl() {
        WriteResult created = create("ttl", "v1");
        WriteResult updated = block(storage().update(key("ttl"), bytes("v2"), created.revision(), Duration.ofSeconds(2)));
        assertThat(updated.succeeded()).isTrue();

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> block(storage().get(key("ttl"))) == null);
    }

    // ------------------------------------------------------------ concurrency

    @Test
    void concurrentCompareAndSwapIncrementsLoseNothing() throws Exception {
        int threads = 20;
        int incrementsPerThread = 25;
        create("counter", "0");
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < incrementsPerThread; i++) {
                        StoredObject current = block(storage().get(key("counter")));
                        while (true) {
                            int next = Integer.parseInt(text(current.value())) + 1;
                            WriteResult r = block(storage().update(key("counter"), bytes(String.valueOf(next)),
                                    current.modRevision(), null));
                            if (r.succeeded()) {
                                break;
                            }
                            current = r.object(); // the failed CAS hands back the current value: no extra read
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(text(block(storage().get(key("counter"))).value()))
                .isEqualTo(String.valueOf(threads * incrementsPerThread));
    }
}
