package io.kube4j.api.registry;

import tools.jackson.databind.node.ObjectNode;

/**
 * Converts the objects of one resource between its storage version and another version it is also served in, as
 * Kubernetes' scheme conversions do for a group served in several versions from one store. Both directions work on
 * JSON trees (what the REST layer reads and writes); each returns a new tree with the target {@code apiVersion} and
 * leaves its input untouched. A round trip storage → served → storage must keep everything the storage version
 * holds (what the served version cannot express travels in annotations), so that clients of the older version never
 * erase what clients of the newer one wrote.
 */
public interface VersionConverter {

    /** The stored object as the served version shows it. */
    ObjectNode toServed(ObjectNode storage);

    /** An object of the served version (from a client) as the storage version holds it. */
    ObjectNode toStorage(ObjectNode served);
}
