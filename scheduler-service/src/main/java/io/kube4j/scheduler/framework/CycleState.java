package io.kube4j.scheduler.framework;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Data plugins share within one scheduling cycle of one pod (e.g. the pod's requests computed in PreFilter). */
public final class CycleState {

    private final Map<String, Object> data = new ConcurrentHashMap<>();

    public void write(String key, Object value) {
        data.put(key, value);
    }

    /** The value stored under {@code key}, or null. */
    public <T> T read(String key, Class<T> type) {
        return type.cast(data.get(key));
    }
}
