package io.kube4j.controller.garbagecollector;

import io.fabric8.kubernetes.api.model.ObjectMeta;

/**
 * A change the graph builder applies: an informer's add/update/delete of an object (its identity and metadata, and
 * for an update the previous metadata), or a <em>virtual</em> delete the collector raises when the apiserver says an
 * object the graph holds is gone. Informer objects are shared with other controllers and never modified here.
 */
record GraphEvent(Type type, ObjectReference identity, ObjectMeta meta, ObjectMeta oldMeta, boolean virtual) {

    enum Type { ADD, UPDATE, DELETE }

    static GraphEvent add(ObjectReference identity, ObjectMeta meta) {
        return new GraphEvent(Type.ADD, identity, meta, null, false);
    }

    static GraphEvent update(ObjectReference identity, ObjectMeta oldMeta, ObjectMeta meta) {
        return new GraphEvent(Type.UPDATE, identity, meta, oldMeta, false);
    }

    static GraphEvent delete(ObjectReference identity, ObjectMeta meta) {
        return new GraphEvent(Type.DELETE, identity, meta, null, false);
    }

    static GraphEvent virtualDelete(ObjectReference identity) {
        return new GraphEvent(Type.DELETE, identity, null, null, true);
    }
}
