package io.kube4j.apiserver.watch;

import java.nio.charset.StandardCharsets;

/**
 * One change in the watch cache. The encoded frames for each wire format are built at most once per event
 * type and shared by every watcher, so fan-out to many watchers costs a copy, not a serialization.
 *
 * @param type     ADDED, MODIFIED, DELETED or BOOKMARK
 * @param object   the object after the change (for DELETED: its last state, resourceVersion = the delete's)
 * @param previous the object before the change (null for ADDED and BOOKMARK)
 * @param revision the store revision of the change
 */
public record CacheEvent(WatchEventType type, CachedObject object, CachedObject previous, long revision,
                         byte[][] frames) {

    private static final byte[] JSON_TYPE = "{\"type\":\"".getBytes(StandardCharsets.UTF_8);
    private static final byte[] JSON_OBJECT = "\",\"object\":".getBytes(StandardCharsets.UTF_8);
    private static final byte[] JSON_END = "}\n".getBytes(StandardCharsets.UTF_8);

    public CacheEvent(WatchEventType type, CachedObject object, CachedObject previous, long revision) {
        this(type, object, previous, revision, new byte[WatchEventType.values().length * 2][]);
    }

    /** The Kubernetes watch stream frame: one {@code {"type":..,"object":..}} line. */
    public byte[] jsonFrame(WatchEventType as) {
        int slot = as.ordinal() * 2;
        byte[] f = frames[slot];
        if (f == null) {
            f = concat(JSON_TYPE, as.name().getBytes(StandardCharsets.UTF_8), JSON_OBJECT, object.json(), JSON_END);
            frames[slot] = f;
        }
        return f;
    }

    /** The Server-Sent Events frame: {@code id:} resourceVersion, {@code event:} type, {@code data:} object. */
    public byte[] sseFrame(WatchEventType as) {
        int slot = as.ordinal() * 2 + 1;
        byte[] f = frames[slot];
        if (f == null) {
            byte[] head = ("id: " + revision + "\nevent: " + as.name() + "\ndata: ").getBytes(StandardCharsets.UTF_8);
            f = concat(head, object.json(), "\n\n".getBytes(StandardCharsets.UTF_8));
            frames[slot] = f;
        }
        return f;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
