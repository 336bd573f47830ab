package io.kube4j.apiserver.allocation;

import io.kube4j.apiserver.storage.Storage;
import io.kube4j.apiserver.storage.WriteResult;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Hands out unique members of a numeric range (IP addresses, ports), coordinated through the store so that
 * any number of apiserver replicas never give out the same one: each allocated member is its own key,
 * claimed with a create-if-absent transaction (the shape of Kubernetes' IPAddress-based allocator, which
 * avoids the contention of one shared bitmap).
 */
public final class RangeAllocator {

    /** How a member of the range is written in keys and objects. */
    public interface Format {
        String format(long member);

        long parse(String text);
    }

    private final Storage storage;
    private final String prefix;
    private final long first;
    private final long size;
    private final Format format;
    private final String what;

    /**
     * @param prefix store key prefix, ending with a slash
     * @param first  first member that may be handed out
     * @param size   number of members that may be handed out
     */
    public RangeAllocator(Storage storage, String prefix, long first, long size, Format format, String what) {
        this.storage = storage;
        this.prefix = prefix;
        this.first = first;
        this.size = size;
        this.format = format;
        this.what = what;
    }

    public boolean contains(long member) {
        return member >= first && member < first + size;
    }

    /** Claims a free member for {@code owner}; errors with {@link RangeFullException} when none is left. */
    public Mono<Long> allocateNext(String owner) {
        return tryRandom(owner, 16).switchIfEmpty(Mono.defer(() -> scanFree(owner)));
    }

    private Mono<Long> tryRandom(String owner, int attempts) {
        if (attempts == 0) {
            return Mono.empty();
        }
        long candidate = first + ThreadLocalRandom.current().nextLong(size);
        return claim(candidate, owner).flatMap(ok -> ok ? Mono.just(candidate) : tryRandom(owner, attempts - 1));
    }

    /** When random picks keep colliding the range is nearly full: look at what is taken and pick the rest. */
    private Mono<Long> scanFree(String owner) {
        return storage.list(prefix, null, 0, 0).flatMap(page -> {
            Set<Long> taken = new HashSet<>();
            page.items().forEach(o -> taken.add(format.parse(o.key().substring(prefix.length()))));
            for (long m = first; m < first + size; m++) {
                if (!taken.contains(m)) {
                    long candidate = m;
                    return claim(candidate, owner).flatMap(ok -> ok ? Mono.just(candidate) : scanFree(owner));
                }
            }
            return Mono.error(new RangeFullException("range of " + what + " is full"));
        });
    }

    /** Claims one specific member; false when it is taken already. */
    public Mono<Boolean> claim(long member, String owner) {
        return storage.create(prefix + format.format(member), owner.getBytes(StandardCharsets.UTF_8), null)
                .map(WriteResult::succeeded);
    }

    /**
     * Dry run of {@link #claim}: whether the member is free now, without claiming it (Kubernetes' dry-run allocator
     * checks the same way and persists nothing).
     */
    public Mono<Boolean> isFree(long member) {
        return storage.get(prefix + format.format(member)).map(o -> false).defaultIfEmpty(true);
    }

    /**
     * Dry run of {@link #allocateNext}: a member that is free now, without claiming it, so a dry-run create can show
     * the address a real one would likely get; errors with {@link RangeFullException} when none is left.
     */
    public Mono<Long> peekNext() {
        return peekRandom(16).switchIfEmpty(Mono.defer(() -> storage.list(prefix, null, 0, 0).flatMap(page -> {
            Set<Long> taken = new HashSet<>();
            page.items().forEach(o -> taken.add(format.parse(o.key().substring(prefix.length()))));
            for (long m = first; m < first + size; m++) {
                if (!taken.contains(m)) {
                    return Mono.just(m);
                }
            }
            return Mono.error(new RangeFullException("range of " + what + " is full"));
        })));
    }

    private Mono<Long> peekRandom(int attempts) {
        if (attempts == 0) {
            return Mono.empty();
        }
        long candidate = first + ThreadLocalRandom.current().nextLong(size);
        return isFree(candidate).flatMap(free -> free ? Mono.just(candidate) : peekRandom(attempts - 1));
    }

    public Mono<Void> release(long member) {
        return storage.delete(prefix + format.format(member), 0).then();
    }

    /** No member of the range is free. */
    public static final class RangeFullException extends RuntimeException {
        public RangeFullException(String message) {
            super(message);
        }
    }
}
