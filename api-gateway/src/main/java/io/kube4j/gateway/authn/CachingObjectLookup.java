package io.kube4j.gateway.authn;

import io.kube4j.security.authn.ServiceAccountTokens;
import reactor.core.publisher.Mono;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reuses the answers of another {@link ServiceAccountTokens.ObjectLookup} for a short time, so a busy
 * ServiceAccount costs the apiserver one GET per TTL, and a deleted one stops working within the TTL. Concurrent
 * lookups of one object share a request; failures and absences are not kept (an object created, or re-created under
 * the same name, is found at once, as Kubernetes' token getter falls back to a live lookup for what its cache
 * lacks).
 */
public final class CachingObjectLookup implements ServiceAccountTokens.ObjectLookup {

    private static final int SWEEP_ABOVE = 4096;

    private record Key(String kind, String namespace, String name) {
    }

    private record Entry(Mono<Optional<String>> answer, Instant expires) {
    }

    private final ServiceAccountTokens.ObjectLookup delegate;
    private final Duration ttl;
    private final Clock clock;
    private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();

    public CachingObjectLookup(ServiceAccountTokens.ObjectLookup delegate, Duration ttl, Clock clock) {
        this.delegate = delegate;
        this.ttl = ttl;
        this.clock = clock;
    }

    @Override
    public Mono<String> uid(String kind, String namespace, String name) {
        Key key = new Key(kind, namespace, name);
        Instant now = clock.instant();
        Entry e = entries.compute(key, (k, old) -> old != null && old.expires().isAfter(now) ? old
                : new Entry(delegate.uid(kind, namespace, name).map(Optional::of).defaultIfEmpty(Optional.empty())
                .cache(v -> ttl, err -> Duration.ZERO, () -> ttl), now.plus(ttl)));
        if (entries.size() > SWEEP_ABOVE) {
            entries.values().removeIf(x -> !x.expires().isAfter(now));
        }
        Entry mine = e;
        return e.answer()
                .doOnError(err -> entries.remove(key, mine))
                .doOnNext(found -> {
                    if (found.isEmpty()) {
                        entries.remove(key, mine);
                    }
                })
                .flatMap(Mono::justOrEmpty);
    }
}
