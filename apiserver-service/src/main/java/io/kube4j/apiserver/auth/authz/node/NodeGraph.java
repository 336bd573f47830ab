package io.kube4j.apiserver.auth.authz.node;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which objects each node may read, as Kubernetes' node authorizer graph: for every pod bound to a node, the
 * Secrets, ConfigMaps, PersistentVolumeClaims and ServiceAccount it references (volumes, projected sources,
 * env/envFrom of every container, imagePullSecrets), counted per reference so a Secret stays readable while any
 * pod of the node still uses it. Updated one pod at a time; read concurrently. It also holds each
 * PersistentVolumeClaim's bound volume ({@code spec.volumeName}), Kubernetes' pvc → pv edge, so a node may read the
 * PersistentVolume of a claim one of its pods uses.
 */
public final class NodeGraph {

    /** The kinds of objects a pod can reference. */
    public enum Kind { SECRET, CONFIGMAP, PVC, SERVICEACCOUNT }

    private record PodEntry(String node, Set<String> refs) {
    }

    private final Map<String, PodEntry> pods = new ConcurrentHashMap<>();
    private final Map<String, Integer> edges = new ConcurrentHashMap<>();
    /** "ns/claim" to the name of the PV it is bound to. */
    private final Map<String, String> claimVolumes = new ConcurrentHashMap<>();
    /** PV name to the claims ("ns/claim") bound to it (one, unless the objects disagree for a moment). */
    private final Map<String, Set<String>> volumeClaims = new ConcurrentHashMap<>();

    /** Adds or replaces a pod (one not yet bound to a node is only remembered as unbound). */
    public synchronized void put(Pod pod) {
        String key = podKey(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
        remove(key);
        String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        if (node == null || node.isEmpty()) {
            return;
        }
        Set<String> refs = new HashSet<>();
        collect(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), pod.getSpec(), refs, node);
        pods.put(key, new PodEntry(node, refs));
        for (String r : refs) {
            edges.merge(r, 1, Integer::sum);
        }
    }

    public synchronized void delete(String namespace, String name) {
        remove(podKey(namespace, name));
    }

    public synchronized void clear() {
        pods.clear();
        edges.clear();
    }

    /** Records that claim {@code namespace/name} is bound to PV {@code volumeName} (null or empty: unbound). */
    public synchronized void putClaim(String namespace, String name, String volumeName) {
        deleteClaim(namespace, name);
        if (volumeName != null && !volumeName.isEmpty()) {
            String key = podKey(namespace, name);
            claimVolumes.put(key, volumeName);
            volumeClaims.computeIfAbsent(volumeName, v -> ConcurrentHashMap.newKeySet()).add(key);
        }
    }

    public synchronized void deleteClaim(String namespace, String name) {
        String key = podKey(namespace, name);
        String old = claimVolumes.remove(key);
        if (old != null) {
            volumeClaims.computeIfPresent(old, (v, claims) -> {
                claims.remove(key);
                return claims.isEmpty() ? null : claims;
            });
        }
    }

    public synchronized void clearClaims() {
        claimVolumes.clear();
        volumeClaims.clear();
    }

    /** True when a pod bound to {@code node} uses a claim bound to PersistentVolume {@code volumeName}. */
    public boolean referencesVolume(String node, String volumeName) {
        Set<String> claims = volumeClaims.get(volumeName);
        if (claims == null) {
            return false;
        }
        for (String c : claims) {
            int slash = c.indexOf('/');
            if (references(node, Kind.PVC, c.substring(0, slash), c.substring(slash + 1))) {
                return true;
            }
        }
        return false;
    }

    /** The node a pod is bound to, or null (unknown pod, or not scheduled). */
    public String nodeOf(String namespace, String name) {
        PodEntry e = pods.get(podKey(namespace, name));
        return e == null ? null : e.node();
    }

    /** True when a pod bound to {@code node} references the object. */
    public boolean references(String node, Kind kind, String namespace, String name) {
        return edges.containsKey(edge(node, kind, namespace, name));
    }

    private void remove(String key) {
        PodEntry old = pods.remove(key);
        if (old != null) {
            for (String r : old.refs()) {
                edges.computeIfPresent(r, (k, n) -> n <= 1 ? null : n - 1);
            }
        }
    }

    private static void collect(String ns, String podName, PodSpec spec, Set<String> refs, String node) {
        String sa = spec.getServiceAccountName() == null || spec.getServiceAccountName().isEmpty()
                ? "default" : spec.getServiceAccountName();
        refs.add(edge(node, Kind.SERVICEACCOUNT, ns, sa));
        for (LocalObjectReference r : nn(spec.getImagePullSecrets())) {
            addIf(refs, node, Kind.SECRET, ns, r.getName());
        }
        for (Volume v : nn(spec.getVolumes())) {
            if (v.getSecret() != null) {
                addIf(refs, node, Kind.SECRET, ns, v.getSecret().getSecretName());
            }
            if (v.getConfigMap() != null) {
                addIf(refs, node, Kind.CONFIGMAP, ns, v.getConfigMap().getName());
            }
            if (v.getPersistentVolumeClaim() != null) {
                addIf(refs, node, Kind.PVC, ns, v.getPersistentVolumeClaim().getClaimName());
            }
            if (v.getEphemeral() != null) {
                // a generic ephemeral volume's claim is named <pod>-<volume>
                addIf(refs, node, Kind.PVC, ns, podName + "-" + v.getName());
            }
            if (v.getProjected() != null) {
                for (VolumeProjection p : nn(v.getProjected().getSources())) {
                    if (p.getSecret() != null) {
                        addIf(refs, node, Kind.SECRET, ns, p.getSecret().getName());
                    }
                    if (p.getConfigMap() != null) {
                        addIf(refs, node, Kind.CONFIGMAP, ns, p.getConfigMap().getName());
                    }
                }
            }
            if (v.getAzureFile() != null) {
                addIf(refs, node, Kind.SECRET, ns, v.getAzureFile().getSecretName());
            }
            if (v.getCephfs() != null && v.getCephfs().getSecretRef() != null) {
                addIf(refs, node, Kind.SECRET, ns, v.getCephfs().getSecretRef().getName());
            }
            if (v.getCsi() != null && v.getCsi().getNodePublishSecretRef() != null) {
                addIf(refs, node, Kind.SECRET, ns, v.getCsi().getNodePublishSecretRef().getName());
            }
        }
        for (Container c : nn(spec.getContainers())) {
            env(refs, node, ns, c.getEnv(), c.getEnvFrom());
        }
        for (Container c : nn(spec.getInitContainers())) {
            env(refs, node, ns, c.getEnv(), c.getEnvFrom());
        }
        for (EphemeralContainer c : nn(spec.getEphemeralContainers())) {
            env(refs, node, ns, c.getEnv(), c.getEnvFrom());
        }
    }

    private static void env(Set<String> refs, String node, String ns, List<EnvVar> env, List<EnvFromSource> from) {
        for (EnvVar e : nn(env)) {
            if (e.getValueFrom() != null) {
                if (e.getValueFrom().getSecretKeyRef() != null) {
                    addIf(refs, node, Kind.SECRET, ns, e.getValueFrom().getSecretKeyRef().getName());
                }
                if (e.getValueFrom().getConfigMapKeyRef() != null) {
                    addIf(refs, node, Kind.CONFIGMAP, ns, e.getValueFrom().getConfigMapKeyRef().getName());
                }
            }
        }
        for (EnvFromSource f : nn(from)) {
            if (f.getSecretRef() != null) {
                addIf(refs, node, Kind.SECRET, ns, f.getSecretRef().getName());
            }
            if (f.getConfigMapRef() != null) {
                addIf(refs, node, Kind.CONFIGMAP, ns, f.getConfigMapRef().getName());
            }
        }
    }

    private static void addIf(Set<String> refs, String node, Kind kind, String ns, String name) {
        if (name != null && !name.isEmpty()) {
            refs.add(edge(node, kind, ns, name));
        }
    }

    private static String edge(String node, Kind kind, String ns, String name) {
        return node + "\0" + kind + "\0" + ns + "\0" + name;
    }

    private static String podKey(String ns, String name) {
        return ns + "/" + name;
    }

    private static <T> List<T> nn(List<T> l) {
        return l == null ? List.of() : l;
    }

    /** For tests and metrics: how many bound pods the graph holds. */
    public int size() {
        return pods.size();
    }
}
