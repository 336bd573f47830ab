package io.kube4j.scheduler.plugins.volumerestrictions;

import java.util.ArrayList;
import java.util.List;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.FilterPlugin;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.PreFilterPlugin;
import io.kube4j.scheduler.framework.Status;

/**
 * Kubernetes' {@code VolumeRestrictions} for the volumes a pod spec names directly: a node is filtered out when one of
 * its pods already mounts the same GCE persistent disk (unless both mount it read-only), the same AWS EBS volume (any
 * mode), the same iSCSI IQN (unless both read-only) or the same RBD image (overlapping Ceph monitors, same pool and
 * image, unless both read-only). hostPath volumes may be shared and never conflict. The ReadWriteOncePod check of
 * PersistentVolumeClaims is not done (it needs a PVC lister kube4j's scheduler does not have).
 */
public final class VolumeRestrictions implements PreFilterPlugin, FilterPlugin {

    public static final String NAME = "VolumeRestrictions";
    /** Kubernetes' {@code ErrReasonDiskConflict}. */
    public static final String ERR_REASON_DISK_CONFLICT = "node(s) had no available disk";
    private static final String STATE_KEY = "PreFilter" + NAME;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status preFilter(CycleState state, Pod pod) {
        List<Volume> relevant = relevant(pod);
        state.write(STATE_KEY, relevant);
        return relevant.isEmpty() ? Status.skip() : Status.success();
    }

    /** The pod's volumes that can conflict with another pod's on the same node. */
    static List<Volume> relevant(Pod pod) {
        if (pod.getSpec() == null || pod.getSpec().getVolumes() == null) {
            return List.of();
        }
        List<Volume> out = null;
        for (Volume v : pod.getSpec().getVolumes()) {
            if (v.getGcePersistentDisk() != null || v.getAwsElasticBlockStore() != null || v.getIscsi() != null
                    || v.getRbd() != null) {
                if (out == null) {
                    out = new ArrayList<>(2);
                }
                out.add(v);
            }
        }
        return out == null ? List.of() : List.copyOf(out);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Status filter(CycleState state, Pod pod, NodeInfo node) {
        List<Volume> volumes = state.read(STATE_KEY, List.class);
        if (volumes == null) {
            volumes = relevant(pod);
        }
        if (volumes.isEmpty()) {
            return Status.success();
        }
        for (Volume v : volumes) {
            for (NodeInfo.PodEntry e : node.pods()) {
                if (isVolumeConflict(v, e.pod())) {
                    return Status.unschedulable(ERR_REASON_DISK_CONFLICT);
                }
            }
        }
        return Status.success();
    }

    /** Kubernetes' {@code isVolumeConflict}: whether {@code volume} conflicts with one of {@code existing}'s volumes. */
    static boolean isVolumeConflict(Volume volume, Pod existing) {
        if (existing.getSpec() == null || existing.getSpec().getVolumes() == null) {
            return false;
        }
        for (Volume ev : existing.getSpec().getVolumes()) {
            if (volume.getGcePersistentDisk() != null && ev.getGcePersistentDisk() != null) {
                var d = volume.getGcePersistentDisk();
                var e = ev.getGcePersistentDisk();
                if (java.util.Objects.equals(d.getPdName(), e.getPdName())
                        && !(isTrue(d.getReadOnly()) && isTrue(e.getReadOnly()))) {
                    return true;
                }
            }
            if (volume.getAwsElasticBlockStore() != null && ev.getAwsElasticBlockStore() != null
                    && java.util.Objects.equals(volume.getAwsElasticBlockStore().getVolumeID(),
                            ev.getAwsElasticBlockStore().getVolumeID())) {
                return true;
            }
            if (volume.getIscsi() != null && ev.getIscsi() != null) {
                var d = volume.getIscsi();
                var e = ev.getIscsi();
                if (java.util.Objects.equals(d.getIqn(), e.getIqn())
                        && !(isTrue(d.getReadOnly()) && isTrue(e.getReadOnly()))) {
                    return true;
                }
            }
            if (volume.getRbd() != null && ev.getRbd() != null) {
                var d = volume.getRbd();
                var e = ev.getRbd();
                if (haveOverlap(d.getMonitors(), e.getMonitors()) && java.util.Objects.equals(pool(d.getPool()),
                        pool(e.getPool())) && java.util.Objects.equals(d.getImage(), e.getImage())
                        && !(isTrue(d.getReadOnly()) && isTrue(e.getReadOnly()))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** RBD's pool defaults to "rbd" (the API's default). */
    private static String pool(String p) {
        return p == null || p.isEmpty() ? "rbd" : p;
    }

    private static boolean isTrue(Boolean b) {
        return Boolean.TRUE.equals(b);
    }

    private static boolean haveOverlap(List<String> a, List<String> b) {
        if (a == null || b == null) {
            return false;
        }
        for (String x : a) {
            if (b.contains(x)) {
                return true;
            }
        }
        return false;
    }
}
