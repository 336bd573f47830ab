package io.kube4j.node.volume;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.kube4j.client.util.Clock;

/** A TokenRequest API for unit tests: numbered tokens expiring after the requested seconds, every request recorded. */
final class FakeTokenRequester implements ServiceAccountTokenManager.TokenRequester {

    /** One request as the API saw it. */
    record Call(String namespace, String serviceAccount, TokenRequest request) {
    }

    final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Clock clock;
    volatile RuntimeException failure;

    FakeTokenRequester(Clock clock) {
        this.clock = clock;
    }

    @Override
    public TokenRequest request(String namespace, String serviceAccount, TokenRequest request) {
        calls.add(new Call(namespace, serviceAccount, request));
        if (failure != null) {
            throw failure;
        }
        long seconds = request.getSpec().getExpirationSeconds();
        Instant exp = clock.now().plusSeconds(seconds);
        return new TokenRequestBuilder(request).withNewStatus().withToken("token-" + calls.size() + "-" + serviceAccount)
                .withExpirationTimestamp(exp.toString()).endStatus().build();
    }
}
