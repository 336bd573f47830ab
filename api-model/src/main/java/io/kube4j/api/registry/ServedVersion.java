package io.kube4j.api.registry;

/**
 * A version a stored resource is also served in: requests to {@code served}'s path read and write {@code storage}'s
 * objects through {@code converter}. The served version is discoverable and addressable but has no store, watch
 * cache or informer of its own, and is never the preferred version of its group.
 */
public record ServedVersion(ResourceType served, ResourceType storage, VersionConverter converter) {

    public ServedVersion {
        if (!served.group().equals(storage.group()) || !served.plural().equals(storage.plural())) {
            throw new IllegalArgumentException(served.apiVersion() + " " + served.plural()
                    + " cannot serve " + storage.apiVersion() + " " + storage.plural());
        }
    }
}
