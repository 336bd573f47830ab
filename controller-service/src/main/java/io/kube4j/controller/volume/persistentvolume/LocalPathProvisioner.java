package io.kube4j.controller.volume.persistentvolume;

import io.fabric8.kubernetes.api.model.HostPathVolumeSource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeNodeAffinity;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.events.EventRecorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * kube4j's built-in dynamic provisioner {@code kube4j.io/local-path} (after k3s' local-path-provisioner): a claim of
 * its class on which the scheduler set {@code volume.kubernetes.io/selected-node} gets a PersistentVolume
 * {@code pvc-<claim uid>} that is a directory under the node's {@code kube4j.io/local-path-dir} annotation
 * ({@code <dir>/<pv>_<namespace>_<claim>}, {@code hostPath DirectoryOrCreate}), pinned to that node by node affinity,
 * pre-bound to the claim; the node agent creates the directory when a pod mounts it and removes it when the PV object
 * is deleted. The whole contract is in the issue-13 shared contract (CONTRACT-PV). Nothing here touches a disk: the
 * controller manager may run on another machine than the node.
 */
public final class LocalPathProvisioner {

    public static final String PROVISIONER = "kube4j.io/local-path";
    public static final String NODE_DIR_ANNOTATION = "kube4j.io/local-path-dir";
    public static final String NODE_LABEL = "kube4j.io/local-path-node";
    public static final String ANN_PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";
    static final String IS_DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(LocalPathProvisioner.class);

    private final ResourceClient<StorageClass> scClient;
    private final ResourceClient<PersistentVolume> pvClient;
    private final EventRecorder events;
    private final PersistentVolumeControllerProperties props;

    LocalPathProvisioner(ResourceClient<StorageClass> scClient, ResourceClient<PersistentVolume> pvClient,
                         EventRecorder events, PersistentVolumeControllerProperties props) {
        this.scClient = scClient;
        this.pvClient = pvClient;
        this.events = events;
        this.props = props;
    }

    /** The class this provisioner serves by default: WaitForFirstConsumer, Delete, the cluster's default class. */
    public static StorageClass defaultStorageClass(String name) {
        return new StorageClassBuilder().withMetadata(new ObjectMetaBuilder().withName(name)
                        .withAnnotations(Map.of(IS_DEFAULT_CLASS, "true")).build())
                .withProvisioner(PROVISIONER).withVolumeBindingMode("WaitForFirstConsumer").withReclaimPolicy("Delete")
                .build();
    }

    /** Creates the local-path class when absent; an existing one (maybe edited by the administrator) is left alone. */
    void ensureStorageClass() {
        try {
            scClient.create(defaultStorageClass(props.localPathClass())).block(TIMEOUT);
            log.info("created StorageClass {} (provisioner {}, default class)", props.localPathClass(), PROVISIONER);
        } catch (ApiStatusException.AlreadyExists e) {
            log.debug("StorageClass {} exists", props.localPathClass());
        } catch (RuntimeException e) {
            // the controller still binds and reclaims; the class can be created by hand (kubectl apply)
            log.warn("could not ensure StorageClass {}: {}", props.localPathClass(), e.toString());
        }
    }

    /** The volume {@link #provision} would create for {@code claim} on {@code node}, or null with the reason evented. */
    static PersistentVolume volumeFor(PersistentVolumeClaim claim, StorageClass sc, Node node) {
        Map<String, String> ann = node.getMetadata().getAnnotations();
        String dir = ann == null ? null : ann.get(NODE_DIR_ANNOTATION);
        if (dir == null || !dir.startsWith("/")) {
            return null;
        }
        String pvName = "pvc-" + claim.getMetadata().getUid();
        String nodeName = node.getMetadata().getName();
        String path = (dir.endsWith("/") ? dir : dir + "/") + pvName + "_" + claim.getMetadata().getNamespace() + "_"
                + claim.getMetadata().getName();
        Quantity size = VolumeMatcher.request(claim);
        PersistentVolumeSpec spec = new PersistentVolumeSpec();
        spec.setHostPath(new HostPathVolumeSource(path, "DirectoryOrCreate"));
        spec.setCapacity(Map.of("storage", new Quantity(size.toString())));
        spec.setAccessModes(claim.getSpec().getAccessModes());
        spec.setPersistentVolumeReclaimPolicy(sc.getReclaimPolicy() == null ? "Delete" : sc.getReclaimPolicy());
        spec.setStorageClassName(sc.getMetadata().getName());
        spec.setVolumeMode(claim.getSpec().getVolumeMode());
        spec.setNodeAffinity(new VolumeNodeAffinity(new NodeSelector(List.of(new NodeSelectorTermBuilder()
                .withMatchExpressions(new NodeSelectorRequirementBuilder().withKey("kubernetes.io/hostname")
                        .withOperator("In").withValues(nodeName).build()).build()))));
        spec.setClaimRef(new ObjectReferenceBuilder().withKind("PersistentVolumeClaim").withApiVersion("v1")
                .withNamespace(claim.getMetadata().getNamespace()).withName(claim.getMetadata().getName())
                .withUid(claim.getMetadata().getUid()).build());
        PersistentVolume pv = new PersistentVolume();
        pv.setMetadata(new ObjectMetaBuilder().withName(pvName).withLabels(Map.of(NODE_LABEL, nodeName))
                .withAnnotations(Map.of(ANN_PROVISIONED_BY, PROVISIONER)).build());
        pv.setSpec(spec);
        return pv;
    }

    /**
     * Creates the claim's volume on {@code node}; false (with a ProvisioningFailed event, to be retried) for a node
     * without its local-path directory.
     */
    boolean provision(PersistentVolumeClaim claim, StorageClass sc, Node node) {
        PersistentVolume pv = volumeFor(claim, sc, node);
        if (pv == null) {
            String msg = "node \"" + node.getMetadata().getName() + "\" has no " + NODE_DIR_ANNOTATION
                    + " annotation (an absolute directory): its node agent does not serve local-path volumes";
            events.event(claim, "Warning", "ProvisioningFailed", msg);
            log.warn("claim {}/{}: {}", claim.getMetadata().getNamespace(), claim.getMetadata().getName(), msg);
            return false;
        }
        try {
            pvClient.create(pv).block(TIMEOUT);
        } catch (ApiStatusException.AlreadyExists e) {
            return true; // made by an earlier sync; the binder binds it
        }
        log.info("provisioned volume {} at {} on node {} for claim {}/{}", pv.getMetadata().getName(),
                pv.getSpec().getHostPath().getPath(), node.getMetadata().getName(), claim.getMetadata().getNamespace(),
                claim.getMetadata().getName());
        events.event(claim, "Normal", "ProvisioningSucceeded", "Successfully provisioned volume " + pv.getMetadata().getName());
        return true;
    }
}
