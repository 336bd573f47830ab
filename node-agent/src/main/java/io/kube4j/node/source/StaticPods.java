package io.kube4j.node.source;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.defaulting.Defaulting;
import tools.jackson.databind.JsonNode;

/**
 * Static pods as the kubelet makes them from manifests: named {@code <name>-<node>}, bound to the node, defaulted,
 * with a UID that is a hash of the manifest, the node and the source (so the same manifest keeps its pod across
 * agent restarts), and the {@code kubernetes.io/config.*} annotations. Their mirror pods in the apiserver carry
 * {@code kubernetes.io/config.mirror}.
 */
public final class StaticPods {

    public static final String CONFIG_SOURCE = "kubernetes.io/config.source";
    public static final String CONFIG_HASH = "kubernetes.io/config.hash";
    public static final String CONFIG_MIRROR = "kubernetes.io/config.mirror";
    public static final String CONFIG_SEEN = "kubernetes.io/config.seen";

    private StaticPods() {
    }

    /** Every pod in a manifest (one Pod, a PodList, or several YAML documents); throws on anything else. */
    public static List<Pod> parse(String manifest, String origin) {
        List<Pod> out = new ArrayList<>();
        List<JsonNode> docs = Codecs.readYamlDocuments(manifest);
        for (JsonNode doc : docs) {
            if (doc == null || doc.isNull() || doc.isEmpty()) {
                continue;
            }
            String kind = doc.path("kind").asText("");
            if ("Pod".equals(kind)) {
                out.add(Codecs.json().treeToValue(doc, Pod.class));
            } else if ("PodList".equals(kind) || "List".equals(kind)) {
                PodList list = Codecs.json().treeToValue(doc, PodList.class);
                out.addAll(list.getItems());
            } else {
                throw new IllegalArgumentException(origin + ": kind \"" + kind + "\" is not a Pod (static pod manifests hold pods)");
            }
        }
        return out;
    }

    /** Turns a manifest's pod into this node's static pod (name, namespace, UID, annotations, defaults). */
    public static Pod prepare(Pod pod, String nodeName, String source, String origin) {
        if (pod.getMetadata() == null || pod.getMetadata().getName() == null || pod.getMetadata().getName().isEmpty()) {
            throw new IllegalArgumentException(origin + ": a static pod needs metadata.name");
        }
        if (pod.getSpec() == null || pod.getSpec().getContainers() == null || pod.getSpec().getContainers().isEmpty()) {
            throw new IllegalArgumentException(origin + ": pod " + pod.getMetadata().getName() + " has no containers");
        }
        pod.setApiVersion("v1");
        pod.setKind("Pod");
        var meta = pod.getMetadata();
        meta.setName(meta.getName() + "-" + nodeName);
        if (meta.getNamespace() == null || meta.getNamespace().isEmpty()) {
            meta.setNamespace("default");
        }
        pod.getSpec().setNodeName(nodeName);
        pod.setStatus(null);
        Defaulting.apply((HasMetadata) pod);
        String hash = hash(pod, nodeName, source);
        meta.setUid(hash);
        Map<String, String> ann = new HashMap<>(meta.getAnnotations() == null ? Map.of() : meta.getAnnotations());
        ann.put(CONFIG_SOURCE, source);
        ann.put(CONFIG_HASH, hash);
        meta.setAnnotations(ann);
        meta.setResourceVersion(null);
        meta.setCreationTimestamp(null);
        return pod;
    }

    public static boolean isMirror(Pod pod) {
        var a = pod.getMetadata().getAnnotations();
        return a != null && a.containsKey(CONFIG_MIRROR);
    }

    public static boolean isStatic(Pod pod) {
        var a = pod.getMetadata().getAnnotations();
        String s = a == null ? null : a.get(CONFIG_SOURCE);
        return s != null && !s.equals(ApiServerPodSource.NAME);
    }

    private static String hash(Pod pod, String nodeName, String source) {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            md.update(Codecs.json().writeValueAsBytes(pod));
            md.update(nodeName.getBytes(StandardCharsets.UTF_8));
            md.update(source.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
