package io.kube4j.addons.ingress.routing;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where a matched request goes: the ready endpoints ({@code ip:port}, already resolved from the Service port to the
 * EndpointSlice's target port) of one Ingress backend, picked round-robin. Resolution happens when the routing table
 * is built, so serving a request reads no cache and takes no lock.
 *
 * @param namespace the Ingress's namespace
 * @param ingress the Ingress that declared the backend (a metrics label)
 * @param description {@code service:port} or {@code Kind/name}, for logs and error bodies
 * @param endpoints ready endpoints as {@code host:port}; empty means 503
 */
public record Backend(String namespace, String ingress, String description, List<String> endpoints, AtomicInteger cursor) {

    public Backend(String namespace, String ingress, String description, List<String> endpoints) {
        this(namespace, ingress, description, List.copyOf(endpoints), new AtomicInteger());
    }

    /** The next endpoint in round-robin order, or empty when the backend has no ready endpoint. */
    public Optional<String> next() {
        if (endpoints.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(endpoints.get(Math.floorMod(cursor.getAndIncrement(), endpoints.size())));
    }
}
