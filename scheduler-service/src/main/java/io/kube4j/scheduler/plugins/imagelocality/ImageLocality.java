package io.kube4j.scheduler.plugins.imagelocality;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerImage;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.PreScorePlugin;
import io.kube4j.scheduler.framework.ScorePlugin;
import io.kube4j.scheduler.framework.Snapshot;
import io.kube4j.scheduler.framework.Status;

/**
 * Kubernetes' {@code ImageLocality}: prefers nodes that already have the pod's container images
 * ({@code node.status.images}), each image counting its size scaled by the share of nodes that have it (so an image
 * present everywhere does not pull every pod to one node), the sum clamped between 23 MB and 1000 MB per container and
 * mapped to 0..100. Image names without a tag are taken as {@code :latest}.
 *
 * <p>How many nodes have each image is counted once and then kept up to date per snapshot: when the snapshot's
 * generation changes only nodes whose Node object changed are recounted (a reference comparison for the others), so a
 * cycle costs O(nodes) cheap checks at most, never O(nodes) per scored node.
 */
public final class ImageLocality implements PreScorePlugin, ScorePlugin {

    public static final String NAME = "ImageLocality";
    static final long MB = 1024L * 1024;
    static final long MIN_THRESHOLD = 23 * MB;
    static final long MAX_CONTAINER_THRESHOLD = 1000 * MB;
    private static final String STATE_KEY = "PreScore" + NAME;

    /**
     * The pod's normalized image names, the spread factor of each, and the container count; {@code anywhere} is false
     * when no node has any of the images (every node then scores the same, without looking at it).
     */
    private record PodImages(String[] names, double[] spread, int containers, boolean anywhere) {
    }

    // Image counts over the last snapshot seen; guarded by this.
    private Snapshot countedSnapshot;
    private long countedGeneration = -1;
    private long countedNodesVersion = -1;
    private final Map<String, Node> countedNodes = new HashMap<>();
    private final Map<String, Integer> imageNodes = new HashMap<>();
    // Per node name, its images' sizes by name (immutable maps), so a score is a lookup, not a scan of node status.
    private final Map<String, Map<String, Long>> nodeImages = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status preScore(CycleState state, Pod pod, List<NodeInfo> feasibleNodes) {
        Snapshot snapshot = state.snapshot();
        List<String> names = podImages(pod);
        int containers = containerCount(pod);
        double[] spread = new double[names.size()];
        boolean anywhere = false;
        if (snapshot != null && !names.isEmpty()) {
            synchronized (this) {
                refresh(snapshot);
                int total = snapshot.size();
                for (int i = 0; i < spread.length; i++) {
                    spread[i] = total == 0 ? 0 : (double) imageNodes.getOrDefault(names.get(i), 0) / total;
                    anywhere |= spread[i] > 0;
                }
            }
        }
        state.write(STATE_KEY, new PodImages(names.toArray(String[]::new), spread, containers, anywhere));
        return Status.success();
    }

    @Override
    public long score(CycleState state, Pod pod, NodeInfo node) {
        PodImages images = state.read(STATE_KEY, PodImages.class);
        if (images == null || images.names().length == 0) {
            return 0;
        }
        if (!images.anywhere()) {
            // No node has any of the images: the sum is 0 on every node.
            return calculatePriority(0, images.containers());
        }
        Map<String, Long> present = nodeImages.get(node.name());
        if (present == null) {
            present = sizes(node.node());
        }
        long sum = 0;
        String[] names = images.names();
        for (int i = 0; i < names.length; i++) {
            Long size = present.get(names[i]);
            if (size != null) {
                sum += (long) (size * images.spread()[i]);
            }
        }
        return calculatePriority(sum, images.containers());
    }

    /** The sizes of a node's images by each of their names. */
    private static Map<String, Long> sizes(Node node) {
        if (node == null || node.getStatus() == null || node.getStatus().getImages() == null) {
            return Map.of();
        }
        Map<String, Long> out = new HashMap<>();
        for (ContainerImage img : node.getStatus().getImages()) {
            if (img.getNames() != null) {
                for (String n : img.getNames()) {
                    out.putIfAbsent(n, img.getSizeBytes() == null ? 0L : img.getSizeBytes());
                }
            }
        }
        return Map.copyOf(out);
    }

    /** Kubernetes' {@code calculatePriority}. */
    static long calculatePriority(long sumScores, int numContainers) {
        long maxThreshold = MAX_CONTAINER_THRESHOLD * numContainers;
        if (sumScores < MIN_THRESHOLD) {
            sumScores = MIN_THRESHOLD;
        } else if (sumScores > maxThreshold) {
            sumScores = maxThreshold;
        }
        return MAX_NODE_SCORE * (sumScores - MIN_THRESHOLD) / (maxThreshold - MIN_THRESHOLD);
    }

    /** Kubernetes' {@code normalizedImageName}: a name without a tag means {@code :latest}. */
    static String normalizedImageName(String name) {
        if (name.lastIndexOf(':') <= name.lastIndexOf('/')) {
            return name + ":latest";
        }
        return name;
    }

    /** One entry per container (init containers included), as Kubernetes sums them. */
    private static List<String> podImages(Pod pod) {
        List<String> out = new ArrayList<>();
        if (pod.getSpec() == null) {
            return out;
        }
        for (List<Container> l : java.util.Arrays.asList(pod.getSpec().getInitContainers(),
                pod.getSpec().getContainers())) {
            if (l != null) {
                for (Container c : l) {
                    if (c.getImage() != null && !c.getImage().isEmpty()) {
                        out.add(normalizedImageName(c.getImage()));
                    }
                }
            }
        }
        return out;
    }

    private static int containerCount(Pod pod) {
        if (pod.getSpec() == null) {
            return 0;
        }
        return (pod.getSpec().getInitContainers() == null ? 0 : pod.getSpec().getInitContainers().size())
                + (pod.getSpec().getContainers() == null ? 0 : pod.getSpec().getContainers().size());
    }

    /**
     * Brings the per-image node counts up to {@code snapshot}. On the same snapshot object nothing is looked at unless
     * its {@link Snapshot#nodesVersion() Node objects} changed (pods moving, the common change, leave images alone),
     * and then only nodes whose generation is newer than the last count (generations grow cluster-wide); a new
     * snapshot object is recounted.
     */
    private void refresh(Snapshot snapshot) {
        if (snapshot == countedSnapshot && (snapshot.generation() == countedGeneration
                || snapshot.nodesVersion() == countedNodesVersion)) {
            countedGeneration = snapshot.generation();
            return;
        }
        if (snapshot != countedSnapshot) {
            countedNodes.clear();
            imageNodes.clear();
            nodeImages.clear();
            countedGeneration = -1;
        }
        List<NodeInfo> nodes = snapshot.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            NodeInfo info = nodes.get(i);
            if (info.generation() <= countedGeneration && countedSnapshot == snapshot) {
                continue;
            }
            String name = info.name();
            Node now = info.node();
            Node before = countedNodes.get(name);
            if (now == before) {
                continue;
            }
            if (before == null || now == null || !sameImages(before, now)) {
                count(before, -1);
                count(now, +1);
                nodeImages.put(name, sizes(now));
            }
            countedNodes.put(name, now);
        }
        if (countedNodes.size() != snapshot.size()) {
            // Nodes gone from the snapshot: uncount them.
            var it = countedNodes.entrySet().iterator();
            while (it.hasNext()) {
                var e = it.next();
                if (snapshot.get(e.getKey()) == null) {
                    count(e.getValue(), -1);
                    nodeImages.remove(e.getKey());
                    it.remove();
                }
            }
        }
        countedSnapshot = snapshot;
        countedGeneration = snapshot.generation();
        countedNodesVersion = snapshot.nodesVersion();
    }

    private static boolean sameImages(Node a, Node b) {
        List<ContainerImage> x = a.getStatus() == null ? null : a.getStatus().getImages();
        List<ContainerImage> y = b.getStatus() == null ? null : b.getStatus().getImages();
        return java.util.Objects.equals(x, y);
    }

    private void count(Node node, int delta) {
        if (node == null || node.getStatus() == null || node.getStatus().getImages() == null) {
            return;
        }
        // A node lists an image once even if several of its names match; count each name once per node.
        java.util.Set<String> names = new java.util.HashSet<>();
        for (ContainerImage img : node.getStatus().getImages()) {
            if (img.getNames() == null) {
                continue;
            }
            for (String n : img.getNames()) {
                if (names.add(n)) {
                    imageNodes.merge(n, delta, (a, b) -> a + b == 0 ? null : a + b);
                }
            }
        }
    }
}
