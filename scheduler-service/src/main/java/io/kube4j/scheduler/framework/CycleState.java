package io.kube4j.scheduler.framework;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Data plugins share within one scheduling cycle of one pod (e.g. the pod's requests computed in PreFilter), and the
 * {@link Snapshot} the cycle runs on (Kubernetes plugins reach it through the handle's snapshot lister).
 */
public final class CycleState {

    private final Map<String, Object> data = new ConcurrentHashMap<>();
    private volatile Snapshot snapshot;
    private volatile long skipFilters;
    private volatile boolean recordPluginMetrics;

    /**
     * A value that a hypothetical change (preemption's what-if, nominated pods) may modify: {@link CycleState#copy()}
     * copies it so the original stays intact. Values that are never modified after PreFilter need not implement it.
     */
    public interface StateData {
        StateData copy();
    }

    /** A copy for a what-if run: the same snapshot, its own copies of {@link StateData} values. */
    public CycleState copy() {
        CycleState c = new CycleState();
        c.snapshot = snapshot;
        c.skipFilters = skipFilters;
        c.recordPluginMetrics = recordPluginMetrics;
        data.forEach((k, v) -> c.data.put(k, v instanceof StateData d ? d.copy() : v));
        return c;
    }

    /** Bits of the filter plugins (by their index in the framework) whose PreFilter said Skip for this pod. */
    public long skipFilters() {
        return skipFilters;
    }

    public void setSkipFilters(long skipFilters) {
        this.skipFilters = skipFilters;
    }

    public void write(String key, Object value) {
        data.put(key, value);
    }

    /** The value stored under {@code key}, or null. */
    public <T> T read(String key, Class<T> type) {
        return type.cast(data.get(key));
    }

    /** The snapshot of this cycle; set by {@link Framework#schedule} before any plugin runs. */
    public Snapshot snapshot() {
        return snapshot;
    }

    public void setSnapshot(Snapshot snapshot) {
        this.snapshot = snapshot;
    }

    /** Whether this cycle records plugin execution times (a sample of the cycles, as Kubernetes). */
    public boolean recordPluginMetrics() {
        return recordPluginMetrics;
    }

    public void setRecordPluginMetrics(boolean record) {
        this.recordPluginMetrics = record;
    }
}
