package io.kube4j.apiserver.storage;

/**
 * One change to a key, as the store's watch reports it.
 *
 * @param type     PUT (create or update) or DELETE
 * @param object   for PUT the new value; for DELETE the last value, with modRevision = the delete revision
 * @param previous the value before the change, when the store knows it (null on create)
 * @param revision the store revision of the change
 */
public record StorageEvent(Type type, StoredObject object, StoredObject previous, long revision) {

    public enum Type { PUT, DELETE }

    public boolean isCreate() {
        return type == Type.PUT && object.createRevision() == object.modRevision();
    }
}
