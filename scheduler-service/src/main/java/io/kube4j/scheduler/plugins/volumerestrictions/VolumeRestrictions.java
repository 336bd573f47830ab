package io.kube4j.scheduler.plugins.volumerestrictions;

import java.util.ArrayList;
import java.util.List;

import java.util.HashSet;
import java.util.Set;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.FilterPlugin;
import io.kube4j.scheduler.framework.FrameworkHandle;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.PreFilterPlugin;
import io.kube4j.scheduler.framework.Status;
import io.kube4j.scheduler.plugins.volumebinding.VolumeObjects;

/**
 * Kubernetes' {@code VolumeRestrictions} for the volumes a pod spec names directly: a node is filtered out when one of
 * its pods already mounts the same GCE persistent disk (unless both mount it read-only), the same AWS EBS volume (any
 * mode), the same iSCSI IQN (unless both read-only) or the same RBD image (overlapping Ceph monitors, same pool and
 * image, unless both read-only). hostPath volumes may be shared and never conflict. A PersistentVolumeClaim with the
 * {@code ReadWriteOncePod} access mode already used by another pod rejects the pod in PreFilter (Kubernetes'
 * "node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode"); unlike Kubernetes,
 * preemption of the pod holding the claim is not tried (the rejection is unresolvable).
 */
public final class VolumeRestrictions implements PreFilterPlugin, FilterPlugin {

    public static final String NAME = "VolumeRestrictions";
    /** Kubernetes' {@code ErrReasonDiskConflict}. */
    public static final String ERR_REASON_DISK_CONFLICT = "node(s) had no available disk";
    /** Kubernetes' {@code ErrReasonReadWriteOncePodConflict}. */
    public static final String ERR_REASON_RWOP_CONFLICT =
            "node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode";
    private static final String STATE_KEY = "PreFilter" + NAME;

    private final VolumeObjects claims;

    /** Without a claim lister: no ReadWriteOncePod check (offline runs). */
    public VolumeRestrictions() {
        this((VolumeObjects) null);
    }

    /** With the PVC lister of {@code handle}'s informers when it has them. */
    public VolumeRestrictions(FrameworkHandle handle) {
        this(handle.informers() == null ? null : VolumeObjects.of(handle.informers()));
    }

    public VolumeRestrictions(VolumeObjects claims) {
        this.claims = claims;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status preFilter(CycleState state, Pod pod) {
        Set<String> rwop = readWriteOncePodClaims(pod);
        if (!rwop.isEmpty() && state.snapshot() != null && usedByAnotherPod(pod, rwop, state.snapshot().nodes())) {
            return Status.unresolvable(ERR_REASON_RWOP_CONFLICT);
        }
        List<Volume> relevant = relevant(pod);
        state.write(STATE_KEY, relevant);
        return relevant.isEmpty() ? Status.skip() : Status.success();
    }

    /** The pod's claims with the ReadWriteOncePod access mode. */
    private Set<String> readWriteOncePodClaims(Pod pod) {
        if (claims == null || pod.getSpec() == null || pod.getSpec().getVolumes() == null) {
            return Set.of();
        }
        Set<String> out = new HashSet<>();
        for (Volume v : pod.getSpec().getVolumes()) {
            if (v.getPersistentVolumeClaim() == null) {
                continue;
            }
            String name = v.getPersistentVolumeClaim().getClaimName();
            PersistentVolumeClaim c = claims.claim(pod.getMetadata().getNamespace(), name);
            if (c != null && c.getSpec() != null && c.getSpec().getAccessModes() != null
                    && c.getSpec().getAccessModes().contains("ReadWriteOncePod")) {
                out.add(name);
            }
        }
        return out;
    }

    /** Whether a pod other than {@code pod} (assigned to any node) uses one of {@code claimNames} of its namespace. */
    static boolean usedByAnotherPod(Pod pod, Set<String> claimNames, List<NodeInfo> nodes) {
        String ns = pod.getMetadata().getNamespace();
        for (NodeInfo n : nodes) {
            for (NodeInfo.PodEntry e : n.pods()) {
                Pod other = e.pod();
                if (!ns.equals(other.getMetadata().getNamespace())
                        || other.getMetadata().getName().equals(pod.getMetadata().getName())
                        || other.getSpec() == null || other.getSpec().getVolumes() == null) {
                    continue;
                }
                for (Volume v : other.getSpec().getVolumes()) {
                    if (v.getPersistentVolumeClaim() != null
                            && claimNames.contains(v.getPersistentVolumeClaim().getClaimName())) {
                        return true;
                    }
                }
            }
        }
        return false;
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
