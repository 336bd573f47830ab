package io.kube4j.scheduler.framework;

import java.util.Arrays;

/**
 * Data plugins share within one scheduling cycle of one pod (e.g. the pod's requests computed in PreFilter), and the
 * {@link Snapshot} the cycle runs on (Kubernetes plugins reach it through the handle's snapshot lister).
 */
public final class CycleState {

    // Keys and values alternating, replaced as a whole on each write (copy-on-write): a cycle writes a handful of
    // entries in PreFilter/PreScore and then reads them for every node from several threads, so a read is a scan of
    // a few references (keys are the plugins' constants, compared by identity first) with no hashing or locking.
    private volatile Object[] data = new Object[0];
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
        Object[] d = data.clone();
        for (int i = 1; i < d.length; i += 2) {
            if (d[i] instanceof StateData sd) {
                d[i] = sd.copy();
            }
        }
        c.data = d;
        return c;
    }

    /** Bits of the filter plugins (by their index in the framework) whose PreFilter said Skip for this pod. */
    public long skipFilters() {
        return skipFilters;
    }

    public void setSkipFilters(long skipFilters) {
        this.skipFilters = skipFilters;
    }

    /** Stores {@code value} under {@code key} (null values are not stored: reading gives null either way). */
    public synchronized void write(String key, Object value) {
        java.util.Objects.requireNonNull(key);
        Object[] d = data;
        int i = indexOf(d, key);
        if (i >= 0) {
            d = d.clone();
            if (value == null) {
                Object[] shorter = Arrays.copyOf(d, d.length - 2);
                System.arraycopy(d, i + 2, shorter, i, d.length - i - 2);
                d = shorter;
            } else {
                d[i + 1] = value;
            }
        } else if (value != null) {
            d = Arrays.copyOf(d, d.length + 2);
            d[d.length - 2] = key;
            d[d.length - 1] = value;
        }
        data = d;
    }

    /** The value stored under {@code key}, or null. */
    public <T> T read(String key, Class<T> type) {
        Object[] d = data;
        int i = indexOf(d, key);
        return i < 0 ? null : type.cast(d[i + 1]);
    }

    private static int indexOf(Object[] d, String key) {
        for (int i = 0; i < d.length; i += 2) {
            if (d[i] == key) {
                return i;
            }
        }
        for (int i = 0; i < d.length; i += 2) {
            if (key.equals(d[i])) {
                return i;
            }
        }
        return -1;
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
