package io.kube4j.apiserver.storage;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.ClosedClientException;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.common.exception.EtcdExceptionFactory;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.CompactOption;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.OptionsUtil;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.handler.ssl.SslContextBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import javax.net.ssl.SSLException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * {@link Storage} on etcd v3 through jetcd. Every write is one etcd transaction whose Else branch reads the
 * key, so a failed compare-and-swap costs a single round trip and returns the current object.
 */
public class EtcdStorage implements Storage {

    /**
     * Micrometer timer for every store request, tagged {@code operation}, {@code type} (the resource) and
     * {@code backend} ({@code etcd} here, {@code embedded} for the embedded store), as kube-apiserver names it.
     */
    public static final String METRIC = "etcd_request_duration_seconds";

    private static final Logger log = LoggerFactory.getLogger(EtcdStorage.class);
    private static final String REGISTRY_PREFIX = "/registry/";
    private static final String NO_TYPE = "none";
    /** Any key works for reading the store revision; countOnly keeps the answer empty. */
    private static final ByteSequence REVISION_PROBE_KEY = bytes("\0kube4j-revision-probe");
    /** How often an unreachable etcd is tried again (see {@link #startReconnector}). */
    static final Duration RECONNECT_CHECK = Duration.ofMillis(500);

    private final EtcdStorageConfig config;
    private final Client client;
    private final KV kv;
    private final Watch watchClient;
    private final EtcdLeaseManager leases;
    private final MeterRegistry registry;
    private final ConcurrentMap<String, Timer> timers = new ConcurrentHashMap<>();
    /** Cuts gRPC's reconnect backoff short while etcd is unreachable (null when the channel is out of reach). */
    private final Disposable reconnector;

    public EtcdStorage(EtcdStorageConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
        this.client = buildClient(config);
        this.kv = client.getKVClient();
        this.watchClient = client.getWatchClient();
        this.leases = new EtcdLeaseManager(this::grantLease, System::nanoTime);
        this.reconnector = startReconnector(client, RECONNECT_CHECK);
        log.info("etcd storage: endpoints={} tls={} clientCert={} requestTimeout={} connectTimeout={}",
                config.endpoints(), config.tls(), config.certFile() != null, config.requestTimeout(),
                config.connectTimeout());
    }

    /**
     * gRPC reconnects a lost etcd endpoint with exponential backoff (1 s, growing 1.6x per failed attempt up to 120 s)
     * and fails requests at once in between, so after an outage of a minute the apiserver would stay unavailable for
     * up to another minute after etcd is back. jetcd offers no setting for that backoff; this resets it on the channel
     * every {@code period} while the channel is not READY, so an endpoint that comes back is in use within about
     * {@code period}. Returns null (keeping gRPC's behaviour, with a warning) if the channel cannot be reached.
     */
    static Disposable startReconnector(Client client, Duration period) {
        ManagedChannel channel = channelOf(client);
        if (channel == null) {
            return null;
        }
        return Flux.interval(period, period, Schedulers.parallel()).subscribe(t -> {
            ConnectivityState state = channel.getState(false);
            if (state != ConnectivityState.READY && state != ConnectivityState.IDLE
                    && state != ConnectivityState.SHUTDOWN) {
                channel.resetConnectBackoff();
            }
        });
    }

    /** jetcd's channel (ClientImpl.connectionManager.getChannel(), not public API), or null. */
    static ManagedChannel channelOf(Client client) {
        try {
            java.lang.reflect.Field field = client.getClass().getDeclaredField("connectionManager");
            field.setAccessible(true);
            Object manager = field.get(client);
            java.lang.reflect.Method getChannel = manager.getClass().getDeclaredMethod("getChannel");
            getChannel.setAccessible(true);
            return (ManagedChannel) getChannel.invoke(manager);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("cannot reach jetcd's gRPC channel ({}): reconnections to etcd follow gRPC's backoff (up to 120 s)",
                    e.toString());
            return null;
        }
    }

    private static Client buildClient(EtcdStorageConfig config) {
        ClientBuilder builder = Client.builder()
                .endpoints(config.endpoints().toArray(String[]::new))
                .connectTimeout(config.connectTimeout())
                // an unpaginated list of a large collection (1,000 nodes is about 4.3 MB) exceeds gRPC's default 4 MiB
                // inbound limit; etcd itself sends up to 2 GiB, and kube-apiserver sets MaxCallRecvMsgSize the same way
                .maxInboundMessageSize(Integer.MAX_VALUE)
                // jetcd retries retryable failures internally; keep that inside our own per-request deadline.
                .retryMaxDuration(config.requestTimeout())
                // Detect a dead connection (no RST, e.g. a partition) so open watches error instead of stalling.
                .keepaliveTime(Duration.ofSeconds(30))
                .keepaliveTimeout(Duration.ofSeconds(10));
        if (config.tls()) {
            try {
                SslContextBuilder ssl = GrpcSslContexts.forClient().trustManager(new File(config.caFile()));
                if (config.certFile() != null) {
                    ssl.keyManager(new File(config.certFile()), new File(config.keyFile()));
                }
                builder.sslContext(ssl.build());
            } catch (SSLException | IllegalArgumentException e) {
                throw new IllegalArgumentException("cannot build the etcd TLS context from caFile=" + config.caFile()
                        + " certFile=" + config.certFile() + " keyFile=" + config.keyFile() + ": " + e.getMessage(), e);
            }
        }
        return builder.build();
    }

    // ---------------------------------------------------------------- writes

    @Override
    public Mono<WriteResult> create(String key, byte[] value, Duration ttl) {
        ByteSequence k = bytes(key);
        return call("create", key, 0, withLease(ttl, lease -> kv.txn()
                .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                .Then(Op.put(k, ByteSequence.from(value), putOption(lease)))
                .Else(Op.get(k, GetOption.DEFAULT))
                .commit()))
                .map(r -> {
                    long rev = r.getHeader().getRevision();
                    return r.isSucceeded()
                            ? new WriteResult(true, new StoredObject(key, value, rev, rev), rev)
                            : new WriteResult(false, firstOrNull(r), rev);
                });
    }

    @Override
    public Mono<WriteResult> update(String key, byte[] value, long expectedModRevision, Duration ttl) {
        ByteSequence k = bytes(key);
        return call("update", key, 0, withLease(ttl, lease -> kv.txn()
                // createRevision > 0 keeps expectedModRevision 0 from matching (and creating) a missing key.
                .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(expectedModRevision)),
                        new Cmp(k, Cmp.Op.GREATER, CmpTarget.createRevision(0)))
                // The keys-only get reads back createRevision without shipping the value twice.
                .Then(Op.put(k, ByteSequence.from(value), putOption(lease)),
                        Op.get(k, GetOption.builder().withKeysOnly(true).build()))
                .Else(Op.get(k, GetOption.DEFAULT))
                .commit()))
                .map(r -> {
                    long rev = r.getHeader().getRevision();
                    if (!r.isSucceeded()) {
                        return new WriteResult(false, firstOrNull(r), rev);
                    }
                    KeyValue written = r.getGetResponses().get(0).getKvs().get(0);
                    return new WriteResult(true,
                            new StoredObject(key, value, written.getCreateRevision(), written.getModRevision()), rev);
                });
    }

    @Override
    public Mono<WriteResult> delete(String key, long expectedModRevision) {
        ByteSequence k = bytes(key);
        Cmp condition = expectedModRevision == 0
                ? new Cmp(k, Cmp.Op.GREATER, CmpTarget.createRevision(0))
                : new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(expectedModRevision));
        return call("delete", key, 0, () -> kv.txn()
                .If(condition)
                .Then(Op.delete(k, DeleteOption.builder().withPrevKV(true).build()))
                .Else(Op.get(k, GetOption.DEFAULT))
                .commit())
                .map(r -> {
                    long rev = r.getHeader().getRevision();
                    if (!r.isSucceeded()) {
                        return new WriteResult(false, firstOrNull(r), rev);
                    }
                    List<KeyValue> prev = r.getDeleteResponses().get(0).getPrevKvs();
                    if (prev.isEmpty()) {
                        // Cannot happen (the compare saw the key in the same transaction), but never fake a value.
                        return new WriteResult(false, null, rev);
                    }
                    KeyValue p = prev.get(0);
                    return new WriteResult(true,
                            new StoredObject(key, p.getValue().getBytes(), p.getCreateRevision(), rev), rev);
                });
    }

    private static PutOption putOption(long lease) {
        return lease == 0 ? PutOption.DEFAULT : PutOption.builder().withLeaseId(lease).build();
    }

    /**
     * Runs {@code txn} with a lease for {@code ttl} (0: none). If etcd no longer knows a reused lease (revoked
     * behind our back), the lease is dropped from the cache and the write retried once with a fresh one.
     */
    private Supplier<CompletableFuture<TxnResponse>> withLease(
            Duration ttl, LongFunction<CompletableFuture<TxnResponse>> txn) {
        if (ttl == null) {
            return () -> txn.apply(0);
        }
        return () -> attemptWithLease(ttl, txn, true);
    }

    private CompletableFuture<TxnResponse> attemptWithLease(
            Duration ttl, LongFunction<CompletableFuture<TxnResponse>> txn, boolean retry) {
        return leases.leaseFor(ttl).thenCompose(lease -> txn.apply(lease)
                .handle((r, e) -> {
                    if (e == null) {
                        return CompletableFuture.completedFuture(r);
                    }
                    Throwable cause = unwrap(e);
                    if (retry && String.valueOf(cause.getMessage()).contains("requested lease not found")) {
                        leases.invalidate(lease);
                        return attemptWithLease(ttl, txn, false);
                    }
                    return CompletableFuture.<TxnResponse>failedFuture(cause);
                })
                .thenCompose(f -> f));
    }

    private CompletableFuture<Long> grantLease(long seconds) {
        return client.getLeaseClient().grant(seconds, config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(r -> r.getID());
    }

    // ---------------------------------------------------------------- reads

    @Override
    public Mono<StoredObject> get(String key) {
        return call("get", key, 0, () -> kv.get(bytes(key)))
                .flatMap(r -> r.getKvs().isEmpty() ? Mono.empty() : Mono.just(toStored(r.getKvs().get(0))));
    }

    @Override
    public Mono<ListPage> list(String prefix, String startKey, long limit, long revision) {
        if (startKey != null && !startKey.startsWith(prefix)) {
            return Mono.error(new IllegalArgumentException(
                    "start key " + startKey + " is outside the listed prefix " + prefix));
        }
        if (limit < 0 || revision < 0) {
            return Mono.error(new IllegalArgumentException("limit and revision must not be negative"));
        }
        ByteSequence from = bytes(startKey != null ? startKey : prefix);
        // No explicit sort: etcd returns a range in ascending key order already, and asking for a sort makes it
        // read the whole range before applying the limit.
        GetOption.Builder option = GetOption.builder().withRange(OptionsUtil.prefixEndOf(bytes(prefix)));
        if (limit > 0) {
            option.withLimit(limit);
        }
        if (revision > 0) {
            option.withRevision(revision);
        }
        GetOption built = option.build();
        return call("list", prefix, revision, () -> kv.get(from, built))
                .map(r -> {
                    List<StoredObject> items = new ArrayList<>(r.getKvs().size());
                    r.getKvs().forEach(kv -> items.add(toStored(kv)));
                    boolean more = r.isMore();
                    long remaining = more ? Math.max(0, r.getCount() - items.size()) : 0;
                    long at = revision > 0 ? revision : r.getHeader().getRevision();
                    return new ListPage(List.copyOf(items), at, more, remaining);
                });
    }

    @Override
    public Mono<Long> currentRevision() {
        GetOption countOnly = GetOption.builder().withCountOnly(true).build();
        return call("get", null, 0, () -> kv.get(REVISION_PROBE_KEY, countOnly))
                .map(r -> r.getHeader().getRevision());
    }

    @Override
    public Mono<Void> compact(long revision) {
        CompactOption option = CompactOption.builder().withCompactPhysical(false).build();
        return call("compact", null, revision, () -> kv.compact(revision, option)).then();
    }

    // ---------------------------------------------------------------- watch

    /**
     * Watches through one jetcd watcher. jetcd re-creates a broken watch stream by itself, but it reports the
     * break to the listener first; this Flux ends at that report (with {@link StorageUnavailableException}) and
     * closes the watcher, so events are never duplicated or silently delayed and the caller re-watches from the
     * last revision it saw. A stream the server ends without an error is reported the same way.
     */
    @Override
    public Flux<StorageEvent> watch(String prefix, long afterRevision) {
        if (afterRevision < 0) {
            return Flux.error(new IllegalArgumentException("afterRevision must not be negative"));
        }
        return Flux.create(sink -> {
            AtomicBoolean terminated = new AtomicBoolean();
            AtomicReference<Watch.Watcher> watcher = new AtomicReference<>();
            Watch.Listener listener = Watch.listener(
                    response -> onWatchResponse(response, sink, terminated),
                    error -> {
                        if (terminated.compareAndSet(false, true)) {
                            sink.error(translateWatchError(error, prefix, afterRevision));
                        }
                    },
                    () -> {
                        if (terminated.compareAndSet(false, true)) {
                            sink.error(new StorageUnavailableException(
                                    "etcd ended the watch on " + prefix + " (client closed or stream finished)", null));
                        }
                    });
            sink.onDispose(() -> {
                terminated.set(true);
                Watch.Watcher w = watcher.getAndSet(null);
                if (w != null) {
                    w.close();
                }
            });
            WatchOption option = WatchOption.builder()
                    .isPrefix(true)
                    .withRevision(afterRevision + 1)
                    .withPrevKV(true)
                    .build();
            try {
                watcher.set(watchClient.watch(bytes(prefix), option, listener));
            } catch (RuntimeException e) {
                if (terminated.compareAndSet(false, true)) {
                    sink.error(translate(e, "watch", prefix, afterRevision + 1));
                }
                return;
            }
            if (terminated.get()) {
                // Terminated (error or cancel) before the watcher reference was stored.
                Watch.Watcher w = watcher.getAndSet(null);
                if (w != null) {
                    w.close();
                }
            }
        }, FluxSink.OverflowStrategy.BUFFER);
    }

    private static void onWatchResponse(WatchResponse response, FluxSink<StorageEvent> sink, AtomicBoolean terminated) {
        if (terminated.get()) {
            return;
        }
        for (WatchEvent event : response.getEvents()) {
            StorageEvent mapped = toEvent(event);
            if (mapped != null) {
                sink.next(mapped);
            }
        }
    }

    static StorageEvent toEvent(WatchEvent event) {
        KeyValue kv = event.getKeyValue();
        KeyValue prevKv = event.getPrevKV();
        String key = kv.getKey().toString(StandardCharsets.UTF_8);
        // jetcd hands out an empty KeyValue when etcd sent no previous value.
        StoredObject previous = prevKv != null && prevKv.getCreateRevision() != 0 ? toStored(prevKv) : null;
        long revision = kv.getModRevision();
        return switch (event.getEventType()) {
            case PUT -> new StorageEvent(StorageEvent.Type.PUT, toStored(kv), previous, revision);
            case DELETE -> new StorageEvent(StorageEvent.Type.DELETE, previous != null
                    ? new StoredObject(key, previous.value(), previous.createRevision(), revision)
                    : new StoredObject(key, new byte[0], 0, revision), previous, revision);
            default -> null;
        };
    }

    private RuntimeException translateWatchError(Throwable error, String prefix, long afterRevision) {
        RuntimeException mapped = translate(error, "watch", prefix, afterRevision + 1);
        if (mapped instanceof CompactedException || mapped instanceof StorageUnavailableException) {
            return mapped;
        }
        // Whatever else jetcd reports (it is about to re-create the stream), the caller re-watches.
        return new StorageUnavailableException("etcd watch on " + prefix + " broke: " + error.getMessage(), error);
    }

    // ---------------------------------------------------------------- plumbing

    private <T> Mono<T> call(String operation, String key, long requestedRevision,
                             Supplier<CompletableFuture<T>> request) {
        Timer timer = timer(operation, resourceOf(key));
        return Mono.defer(() -> {
            long start = System.nanoTime();
            return Mono.fromFuture(request)
                    .timeout(config.requestTimeout())
                    .onErrorMap(e -> translate(e, operation, key, requestedRevision))
                    .doFinally(signal -> timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
        });
    }

    private Timer timer(String operation, String type) {
        return timers.computeIfAbsent(operation + '\n' + type, k -> Timer.builder(METRIC)
                .description("Duration of etcd requests by operation and resource type")
                .tag("operation", operation)
                .tag("type", type)
                .tag("backend", "etcd")
                .publishPercentileHistogram()
                .register(registry));
    }

    /** The resource of a key {@code /registry/{resource}/...}, or {@code none}. */
    public static String resourceOf(String key) {
        if (key == null || !key.startsWith(REGISTRY_PREFIX)) {
            return NO_TYPE;
        }
        int end = key.indexOf('/', REGISTRY_PREFIX.length());
        String resource = end < 0 ? key.substring(REGISTRY_PREFIX.length()) : key.substring(REGISTRY_PREFIX.length(), end);
        return resource.isEmpty() ? NO_TYPE : resource;
    }

    /** Maps jetcd/gRPC failures onto the storage exceptions; anything else passes through unchanged. */
    RuntimeException translate(Throwable error, String operation, String key, long requestedRevision) {
        Throwable e = unwrap(error);
        if (e instanceof CompactedException || e instanceof StorageUnavailableException) {
            return (RuntimeException) e;
        }
        if (e instanceof io.etcd.jetcd.common.exception.CompactedException c) {
            return new CompactedException(requestedRevision, c.getCompactedRevision());
        }
        String what = operation + (key != null ? " " + key : "");
        if (e instanceof TimeoutException) {
            return new StorageTimeoutException("etcd did not answer " + what + " within " + config.requestTimeout()
                    + " (a write may still be applied)", e);
        }
        if (e instanceof ClosedClientException) {
            return new StorageUnavailableException("etcd client is closed (" + what + ")", e);
        }
        if (!(e instanceof EtcdException) && (e instanceof StatusRuntimeException || e instanceof StatusException)) {
            // jetcd's KV calls fail with the raw gRPC status; its watch and lease calls with EtcdException.
            e = EtcdExceptionFactory.toEtcdException(Status.fromThrowable(e));
        }
        if (e instanceof EtcdException ee) {
            String message = String.valueOf(ee.getMessage());
            if (message.contains("required revision has been compacted")) {
                // etcd's range error does not carry the compact revision; 0 means unknown.
                return new CompactedException(requestedRevision, 0);
            }
            if (message.contains("database space exceeded")) {
                // etcd's quota alarm: reads keep working, writes fail until it is compacted, defragged and disarmed
                return new StorageFullException("etcd is out of space for " + what + ": " + message, e);
            }
            if (message.contains("required revision is a future revision")) {
                // Like the Kubernetes apiserver ("Too large resource version"): the store has not caught up; retry.
                return new StorageUnavailableException(
                        "revision " + requestedRevision + " is newer than etcd's current revision (" + what + ")", e);
            }
            switch (ee.getErrorCode()) {
                case DEADLINE_EXCEEDED:
                    // etcd's "request timed out", or the call's own deadline: it may have been applied
                    return new StorageTimeoutException("etcd timed out on " + what + " (a write may still be applied): "
                            + message, e);
                case UNAVAILABLE, CANCELLED, ABORTED, UNKNOWN:
                    return new StorageUnavailableException("etcd unavailable for " + what + ": " + message, e);
                default:
                    return ee;
            }
        }
        if (e instanceof IOException) {
            return new StorageUnavailableException("cannot reach etcd for " + what + ": " + e.getMessage(), e);
        }
        return e instanceof RuntimeException re ? re : new IllegalStateException(e.getMessage(), e);
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static StoredObject firstOrNull(TxnResponse response) {
        List<GetResponse> gets = response.getGetResponses();
        if (gets.isEmpty() || gets.get(0).getKvs().isEmpty()) {
            return null;
        }
        return toStored(gets.get(0).getKvs().get(0));
    }

    private static StoredObject toStored(KeyValue kv) {
        return new StoredObject(kv.getKey().toString(StandardCharsets.UTF_8), kv.getValue().getBytes(),
                kv.getCreateRevision(), kv.getModRevision());
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (reconnector != null) {
            reconnector.dispose();
        }
        client.close();
    }
}
