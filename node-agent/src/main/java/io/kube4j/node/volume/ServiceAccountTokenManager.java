package io.kube4j.node.volume;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestSpecBuilder;
import io.kube4j.client.util.Clock;

/**
 * The kubelet's token manager ({@code pkg/kubelet/token}): ServiceAccount tokens of the pods of this node, asked for
 * through the TokenRequest API and cached per (namespace, ServiceAccount, audiences, expiration, bound object). A
 * cached token is handed out again until 80% of its lifetime has passed or it is 24 h old (less a jitter of up to
 * 10 s); then a new one is asked for, and while that fails the old one is used as long as it has not expired.
 */
public final class ServiceAccountTokenManager {

    /** Where tokens come from: the TokenRequest API ({@code KubeClient.createToken}), a fake in unit tests. */
    @FunctionalInterface
    public interface TokenRequester {
        TokenRequest request(String namespace, String serviceAccount, TokenRequest request);
    }

    static final Duration MAX_TTL = Duration.ofHours(24);
    static final Duration MAX_JITTER = Duration.ofSeconds(10);

    private record Key(String namespace, String serviceAccount, List<String> audiences, Long expirationSeconds,
                       String boundKind, String boundName, String boundUid) {
    }

    private final TokenRequester requester;
    private final Clock clock;
    private final Map<Key, TokenRequest> cache = new ConcurrentHashMap<>();

    public ServiceAccountTokenManager(TokenRequester requester, Clock clock) {
        this.requester = Objects.requireNonNull(requester);
        this.clock = clock == null ? Clock.system() : clock;
    }

    /**
     * The token for {@code request} (its spec: audiences, expirationSeconds, boundObjectRef), from the cache or
     * freshly requested.
     *
     * @throws RuntimeException when no usable token is cached and the request fails
     */
    public TokenRequest serviceAccountToken(String namespace, String serviceAccount, TokenRequest request) {
        Key key = key(namespace, serviceAccount, request);
        TokenRequest cached = cache.get(key);
        if (cached != null && !requiresRefresh(cached)) {
            return cached;
        }
        TokenRequest fresh;
        try {
            fresh = requester.request(namespace, serviceAccount, request);
        } catch (RuntimeException e) {
            if (cached != null && !expired(cached)) {
                return cached; // the old token still works: try again next time
            }
            throw e;
        }
        if (fresh == null || fresh.getStatus() == null || fresh.getStatus().getToken() == null
                || fresh.getStatus().getToken().isEmpty()) {
            throw new IllegalStateException("the TokenRequest for ServiceAccount " + namespace + "/" + serviceAccount
                    + " was answered without a token");
        }
        if ((fresh.getSpec() == null || fresh.getSpec().getExpirationSeconds() == null) && request.getSpec() != null) {
            // the lifetime is what the refresh rule needs: an answer without it lived as long as asked
            fresh = new TokenRequestBuilder(fresh).withSpec(new TokenRequestSpecBuilder(request.getSpec()).build())
                    .build();
        }
        cache.put(key, fresh);
        return fresh;
    }

    /** Forgets the tokens bound to the pod {@code podUid} (it left the node). */
    public void deleteServiceAccountTokens(String podUid) {
        cache.keySet().removeIf(k -> podUid.equals(k.boundUid()));
    }

    /** Drops cached tokens that have expired (the kubelet does this every minute). */
    public void cleanup() {
        cache.values().removeIf(this::expired);
    }

    int size() {
        return cache.size();
    }

    private boolean expired(TokenRequest tr) {
        Instant exp = expiration(tr);
        return exp == null || !clock.now().isBefore(exp);
    }

    /** Kubernetes' rule: older than 24 h, or within 20% of its lifetime of expiring (each less a jitter). */
    boolean requiresRefresh(TokenRequest tr) {
        Instant exp = expiration(tr);
        Long seconds = tr.getSpec() == null ? null : tr.getSpec().getExpirationSeconds();
        if (exp == null || seconds == null) {
            return true;
        }
        Instant now = clock.now();
        Instant issuedAt = exp.minusSeconds(seconds);
        Duration jitter = Duration.ofSeconds((long) (ThreadLocalRandom.current().nextDouble() * MAX_JITTER.toSeconds()));
        if (now.isAfter(issuedAt.plus(MAX_TTL).minus(jitter))) {
            return true;
        }
        return now.isAfter(exp.minusSeconds(seconds * 20 / 100).minus(jitter));
    }

    private static Instant expiration(TokenRequest tr) {
        if (tr.getStatus() == null || tr.getStatus().getExpirationTimestamp() == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(tr.getStatus().getExpirationTimestamp()).toInstant();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Key key(String namespace, String serviceAccount, TokenRequest request) {
        var spec = request.getSpec();
        var ref = spec == null ? null : spec.getBoundObjectRef();
        return new Key(namespace, serviceAccount,
                spec == null || spec.getAudiences() == null ? List.of() : List.copyOf(spec.getAudiences()),
                spec == null ? null : spec.getExpirationSeconds(),
                ref == null ? null : ref.getKind(), ref == null ? null : ref.getName(), ref == null ? null : ref.getUid());
    }
}
