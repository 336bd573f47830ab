package io.kube4j.controller.statefulset;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.kube4j.api.codec.Codecs;
import io.kube4j.controller.common.ApiPodControl;
import io.kube4j.controller.common.OwnerReferences;
import io.kube4j.controller.common.Pods;

/**
 * A StatefulSet pod's identity and storage, as Kubernetes' {@code stateful_set_utils.go}: pod {@code <set>-<ordinal>}
 * with hostname = its name, subdomain = the set's serviceName, the labels {@value #POD_NAME_LABEL} and
 * {@value #POD_INDEX_LABEL}, and for each volumeClaimTemplate a volume on claim {@code <template>-<set>-<ordinal>}.
 */
public final class StatefulSetPods {

    /** The pod's own name as a label, so a Service can select one replica. */
    public static final String POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
    /** The pod's ordinal as a label (Kubernetes' PodIndexLabel). */
    public static final String POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";
    /** The name of the ControllerRevision the pod was made from. */
    public static final String REVISION_LABEL = "controller-revision-hash";

    private static final Pattern NAME = Pattern.compile("(.*)-([0-9]+)$");

    private StatefulSetPods() {
    }

    /** The pod's ordinal, or -1 when its name is not {@code <parent>-<n>} ({@code getParentNameAndOrdinal}). */
    public static int ordinal(Pod pod) {
        return ordinal(pod.getMetadata().getName());
    }

    static int ordinal(String podName) {
        Matcher m = NAME.matcher(podName == null ? "" : podName);
        if (!m.matches()) {
            return -1;
        }
        try {
            return Integer.parseInt(m.group(2));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static String parentName(Pod pod) {
        Matcher m = NAME.matcher(pod.getMetadata().getName());
        return m.matches() ? m.group(1) : "";
    }

    /** Whether the pod's name says it belongs to {@code set} ({@code isMemberOf}). */
    static boolean isMemberOf(StatefulSet set, Pod pod) {
        return parentName(pod).equals(set.getMetadata().getName());
    }

    static String podName(StatefulSet set, int ordinal) {
        return set.getMetadata().getName() + "-" + ordinal;
    }

    static String claimName(StatefulSet set, PersistentVolumeClaim template, int ordinal) {
        return template.getMetadata().getName() + "-" + set.getMetadata().getName() + "-" + ordinal;
    }

    /** {@code spec.ordinals.start} (0 when absent). */
    static int startOrdinal(StatefulSet set) {
        var o = set.getSpec().getOrdinals();
        return o == null || o.getStart() == null ? 0 : o.getStart();
    }

    static int replicas(StatefulSet set) {
        Integer r = set.getSpec().getReplicas();
        return r == null ? 1 : r;
    }

    /** The ordinals {@code [start, start+replicas)} the set should have. */
    static boolean inRange(StatefulSet set, int ordinal) {
        int start = startOrdinal(set);
        return ordinal >= start && ordinal < start + replicas(set);
    }

    /** {@code newVersionedStatefulSetPod}'s base: the template's pod with identity, storage and the revision label. */
    static Pod newPod(StatefulSet set, int ordinal, String revisionName) {
        Pod pod = ApiPodControl.podFromTemplate(set.getMetadata().getNamespace(), set.getSpec().getTemplate(), set,
                OwnerReferences.controllerRef(set, StatefulSetController.API_VERSION, StatefulSetController.KIND));
        pod.getMetadata().setGenerateName(null);
        pod.getMetadata().setName(podName(set, ordinal));
        updateIdentity(set, pod);
        updateStorage(set, pod);
        if (revisionName != null) {
            pod.getMetadata().getLabels().put(REVISION_LABEL, revisionName);
        }
        return pod;
    }

    /** Sets name-derived identity: labels, hostname, subdomain ({@code updateIdentity}). */
    static void updateIdentity(StatefulSet set, Pod pod) {
        ObjectMeta m = pod.getMetadata();
        m.setNamespace(set.getMetadata().getNamespace());
        Map<String, String> labels = m.getLabels() == null ? new HashMap<>() : new HashMap<>(m.getLabels());
        labels.put(POD_NAME_LABEL, m.getName());
        labels.put(POD_INDEX_LABEL, Integer.toString(ordinal(pod)));
        m.setLabels(labels);
        if (pod.getSpec() == null) {
            pod.setSpec(new PodSpec());
        }
        pod.getSpec().setHostname(m.getName());
        String svc = set.getSpec().getServiceName();
        pod.getSpec().setSubdomain(svc == null || svc.isEmpty() ? null : svc);
    }

    /** Whether the pod has its ordinal's identity ({@code identityMatches}). */
    static boolean identityMatches(StatefulSet set, Pod pod) {
        int ord = ordinal(pod);
        Map<String, String> l = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        String svc = set.getSpec().getServiceName();
        return ord >= 0 && isMemberOf(set, pod)
                && Objects.equals(set.getMetadata().getNamespace(), pod.getMetadata().getNamespace())
                && Objects.equals(l.get(POD_NAME_LABEL), pod.getMetadata().getName())
                && Objects.equals(l.get(POD_INDEX_LABEL), Integer.toString(ord))
                && pod.getSpec() != null && Objects.equals(pod.getSpec().getHostname(), pod.getMetadata().getName())
                && Objects.equals(emptyToNull(pod.getSpec().getSubdomain()), emptyToNull(svc));
    }

    /** The claims the pod's ordinal has, one per volumeClaimTemplate ({@code getPersistentVolumeClaims}). */
    static Map<String, PersistentVolumeClaim> claims(StatefulSet set, int ordinal) {
        Map<String, PersistentVolumeClaim> out = new LinkedHashMap<>();
        List<PersistentVolumeClaim> templates = set.getSpec().getVolumeClaimTemplates();
        if (templates == null) {
            return out;
        }
        Map<String, String> selectorLabels = set.getSpec().getSelector() == null
                || set.getSpec().getSelector().getMatchLabels() == null
                ? Map.of() : set.getSpec().getSelector().getMatchLabels();
        for (PersistentVolumeClaim t : templates) {
            PersistentVolumeClaim c = Codecs.fromJson(Codecs.toJson(t), PersistentVolumeClaim.class);
            if (c.getMetadata() == null) {
                c.setMetadata(new ObjectMeta());
            }
            c.getMetadata().setName(claimName(set, t, ordinal));
            c.getMetadata().setNamespace(set.getMetadata().getNamespace());
            Map<String, String> labels = c.getMetadata().getLabels() == null ? new HashMap<>()
                    : new HashMap<>(c.getMetadata().getLabels());
            labels.putAll(selectorLabels);
            c.getMetadata().setLabels(labels);
            c.setStatus(null);
            out.put(t.getMetadata().getName(), c);
        }
        return out;
    }

    /** Points a volume per claim template at the ordinal's claim, keeping the other volumes ({@code updateStorage}). */
    static void updateStorage(StatefulSet set, Pod pod) {
        Map<String, PersistentVolumeClaim> claims = claims(set, ordinal(pod));
        if (claims.isEmpty()) {
            return;
        }
        List<Volume> out = new ArrayList<>();
        claims.forEach((templateName, claim) -> out.add(new VolumeBuilder().withName(templateName)
                .withNewPersistentVolumeClaim().withClaimName(claim.getMetadata().getName()).withReadOnly(false)
                .endPersistentVolumeClaim().build()));
        List<Volume> current = pod.getSpec().getVolumes() == null ? List.of() : pod.getSpec().getVolumes();
        for (Volume v : current) {
            if (!claims.containsKey(v.getName())) {
                out.add(v);
            }
        }
        pod.getSpec().setVolumes(out);
    }

    /** Whether every claim template's volume of the pod names its ordinal's claim ({@code storageMatches}). */
    static boolean storageMatches(StatefulSet set, Pod pod) {
        int ord = ordinal(pod);
        if (ord < 0) {
            return false;
        }
        Map<String, PersistentVolumeClaim> claims = claims(set, ord);
        List<Volume> volumes = pod.getSpec() == null || pod.getSpec().getVolumes() == null ? List.of()
                : pod.getSpec().getVolumes();
        for (var e : claims.entrySet()) {
            Volume v = volumes.stream().filter(x -> e.getKey().equals(x.getName())).findFirst().orElse(null);
            if (v == null || v.getPersistentVolumeClaim() == null
                    || !e.getValue().getMetadata().getName().equals(v.getPersistentVolumeClaim().getClaimName())) {
                return false;
            }
        }
        return true;
    }

    /** The pod's revision label ({@code getPodRevision}), or null. */
    static String revision(Pod pod) {
        return pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get(REVISION_LABEL);
    }

    static boolean isCreated(Pod pod) {
        return pod.getMetadata().getUid() != null;
    }

    static boolean isTerminating(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() != null;
    }

    static boolean isFailed(Pod pod) {
        return pod.getStatus() != null && "Failed".equals(pod.getStatus().getPhase());
    }

    static boolean isSucceeded(Pod pod) {
        return pod.getStatus() != null && "Succeeded".equals(pod.getStatus().getPhase());
    }

    static boolean isRunningAndReady(Pod pod) {
        return pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase()) && Pods.isReady(pod);
    }

    static boolean isRunningAndAvailable(Pod pod, int minReadySeconds, java.time.Instant now) {
        return isRunningAndReady(pod) && Pods.isAvailable(pod, minReadySeconds, now);
    }

    /** Running, ready and not terminating ({@code isHealthy}). */
    static boolean isHealthy(Pod pod) {
        return isRunningAndReady(pod) && !isTerminating(pod);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
