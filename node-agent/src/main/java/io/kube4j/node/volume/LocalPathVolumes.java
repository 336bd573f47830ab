package io.kube4j.node.volume;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.kube4j.client.ListOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.informer.ResourceEventHandler;
import io.kube4j.client.informer.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Schedulers;

/**
 * This node's side of the {@code local-path} storage class: the directory its volumes live under (advertised in the
 * Node annotation {@code kube4j.io/local-path-dir}, created at start), the removal of a volume's directory when its
 * PersistentVolume (labelled {@code kube4j.io/local-path-node=<this node>}) is deleted, which is the node half of the
 * class's {@code Delete} reclaim policy, and at start a sweep of directories whose PV was deleted while the agent was
 * down. Only directories named as the provisioner names them ({@code <pvName>_<namespace>_<claim>}) directly under
 * the local-path directory are ever removed, and the sweep runs only after a successful list of every PV, so a
 * directory whose PV exists is never removed.
 */
public final class LocalPathVolumes implements AutoCloseable {

    public static final String DIR_ANNOTATION = "kube4j.io/local-path-dir";
    public static final String NODE_LABEL = "kube4j.io/local-path-node";

    private static final Logger log = LoggerFactory.getLogger(LocalPathVolumes.class);

    private final Path dir;
    private final String nodeName;
    private final ResourceClient<PersistentVolume> volumes;
    private SharedIndexInformer<PersistentVolume> informer;

    public LocalPathVolumes(Path dir, String nodeName, ResourceClient<PersistentVolume> volumes) {
        this.dir = dir.toAbsolutePath().normalize();
        this.nodeName = nodeName;
        this.volumes = volumes;
    }

    public Path dir() {
        return dir;
    }

    /** Creates the directory, starts watching this node's local-path PVs and sweeps orphans in the background. */
    public synchronized void start() {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            log.error("node {}: could not create the local-path directory {}: {}", nodeName, dir, e.toString());
        }
        informer = new SharedIndexInformer<>(volumes, null,
                ListOptions.all().withLabelSelector(NODE_LABEL + "=" + nodeName), Duration.ZERO);
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onDelete(PersistentVolume pv, boolean finalStateUnknown) {
                removeVolumeDir(pv);
            }
        });
        informer.start();
        Schedulers.boundedElastic().schedule(this::sweepOrphans);
    }

    private void sweepOrphans() {
        Set<String> existing = new HashSet<>();
        try {
            var list = volumes.list(null, ListOptions.all()).block(Duration.ofSeconds(30));
            if (list == null) {
                return;
            }
            list.getItems().forEach(pv -> existing.add(pv.getMetadata().getName()));
        } catch (RuntimeException e) {
            // without a complete list nothing is known to be orphaned
            log.warn("node {}: listing PersistentVolumes failed, no local-path sweep this time: {}", nodeName,
                    e.toString());
            return;
        }
        for (Path p : sweep(dir, existing)) {
            log.info("node {}: removed local-path directory {} (its PersistentVolume is gone)", nodeName, p);
        }
    }

    /**
     * Removes the directories under {@code dir} named {@code <pvName>_...} whose PV is not in {@code existingPvs}
     * (a complete list of PV names); returns those removed.
     */
    static List<Path> sweep(Path dir, Set<String> existingPvs) {
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return removed;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String pvName = pvName(p.getFileName().toString());
                if (pvName == null || existingPvs.contains(pvName)
                        || !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                try {
                    AtomicWriter.deleteRecursively(p);
                    removed.add(p);
                } catch (IOException e) {
                    log.warn("could not remove {}: {}", p, e.toString());
                }
            }
        } catch (IOException e) {
            log.warn("could not read {}: {}", dir, e.toString());
        }
        return removed;
    }

    /** The PV name of a provisioner-named directory ({@code pvc-<uid>_<ns>_<claim>}), or null. */
    static String pvName(String dirName) {
        int i = dirName.indexOf('_');
        return i <= 0 || dirName.indexOf('_', i + 1) < 0 ? null : dirName.substring(0, i);
    }

    /** Removes the directory of a deleted local-path PV of this node; true when it removed one. */
    boolean removeVolumeDir(PersistentVolume pv) {
        Map<String, String> labels = pv.getMetadata().getLabels();
        if (labels == null || !nodeName.equals(labels.get(NODE_LABEL)) || pv.getSpec() == null) {
            return false;
        }
        String path = pv.getSpec().getHostPath() != null ? pv.getSpec().getHostPath().getPath()
                : pv.getSpec().getLocal() != null ? pv.getSpec().getLocal().getPath() : null;
        if (path == null) {
            return false;
        }
        Path p = Path.of(path).toAbsolutePath().normalize();
        // only what the provisioner made: a direct child of our directory named after this PV
        if (!dir.equals(p.getParent()) || !pv.getMetadata().getName().equals(pvName(p.getFileName().toString()))) {
            log.warn("node {}: PersistentVolume {} points at {}, outside {}: not removed", nodeName,
                    pv.getMetadata().getName(), p, dir);
            return false;
        }
        try {
            AtomicWriter.deleteRecursively(p);
            log.info("node {}: removed {} of deleted PersistentVolume {}", nodeName, p, pv.getMetadata().getName());
            return true;
        } catch (IOException e) {
            log.warn("node {}: could not remove {}: {}", nodeName, p, e.toString());
            return false;
        }
    }

    @Override
    public synchronized void close() {
        if (informer != null) {
            informer.stop();
            informer = null;
        }
    }
}
