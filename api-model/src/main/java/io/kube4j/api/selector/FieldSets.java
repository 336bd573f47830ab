package io.kube4j.api.selector;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventSource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kube4j.api.registry.ResourceType;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The fields each resource can be selected by (its {@code GetAttrs}/field label conversion in
 * Kubernetes), and their values for an object. Absent strings are {@code ""}, booleans
 * {@code "true"}/{@code "false"}, counts their decimal value ({@code "0"} when unset).
 */
public final class FieldSets {

    private static final List<String> POD = List.of("spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
            "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName");
    private static final List<String> EVENT = List.of("involvedObject.kind", "involvedObject.namespace",
            "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
            "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type");

    private FieldSets() {
    }

    public static Set<String> supported(ResourceType type) {
        Set<String> out = new LinkedHashSet<>();
        out.add("metadata.name");
        if (type.namespaced()) {
            out.add("metadata.namespace");
        }
        switch (type.kind()) {
            case "Pod" -> out.addAll(POD);
            case "Event" -> out.addAll(EVENT);
            case "Node" -> out.add("spec.unschedulable");
            case "Secret" -> out.add("type");
            case "Namespace" -> out.add("status.phase");
            case "ReplicaSet" -> out.add("status.replicas");
            case "Job" -> out.add("status.successful");
            default -> {
            }
        }
        return out;
    }

    public static Map<String, String> of(ResourceType type, HasMetadata obj) {
        Map<String, String> f = new LinkedHashMap<>();
        ObjectMeta meta = obj.getMetadata() == null ? new ObjectMeta() : obj.getMetadata();
        f.put("metadata.name", s(meta.getName()));
        if (type.namespaced()) {
            f.put("metadata.namespace", s(meta.getNamespace()));
        }
        if (obj instanceof Pod p) {
            PodSpec spec = p.getSpec() == null ? new PodSpec() : p.getSpec();
            PodStatus st = p.getStatus() == null ? new PodStatus() : p.getStatus();
            f.put("spec.nodeName", s(spec.getNodeName()));
            f.put("spec.restartPolicy", s(spec.getRestartPolicy()));
            f.put("spec.schedulerName", s(spec.getSchedulerName()));
            f.put("spec.serviceAccountName", s(spec.getServiceAccountName()));
            f.put("spec.hostNetwork", b(spec.getHostNetwork()));
            f.put("status.phase", s(st.getPhase()));
            // Kubernetes selects by the first pod IP
            String podIP = st.getPodIP();
            if ((podIP == null || podIP.isEmpty()) && st.getPodIPs() != null && !st.getPodIPs().isEmpty()) {
                podIP = st.getPodIPs().get(0).getIp();
            }
            f.put("status.podIP", s(podIP));
            f.put("status.nominatedNodeName", s(st.getNominatedNodeName()));
        } else if (obj instanceof Event e) {
            ObjectReference ref = e.getInvolvedObject() == null ? new ObjectReference() : e.getInvolvedObject();
            f.put("involvedObject.kind", s(ref.getKind()));
            f.put("involvedObject.namespace", s(ref.getNamespace()));
            f.put("involvedObject.name", s(ref.getName()));
            f.put("involvedObject.uid", s(ref.getUid()));
            f.put("involvedObject.apiVersion", s(ref.getApiVersion()));
            f.put("involvedObject.resourceVersion", s(ref.getResourceVersion()));
            f.put("involvedObject.fieldPath", s(ref.getFieldPath()));
            f.put("reason", s(e.getReason()));
            f.put("reportingComponent", s(e.getReportingComponent()));
            EventSource src = e.getSource();
            f.put("source", src == null ? "" : s(src.getComponent()));
            f.put("type", s(e.getType()));
        } else if (obj instanceof Node n) {
            f.put("spec.unschedulable", b(n.getSpec() == null ? null : n.getSpec().getUnschedulable()));
        } else if (obj instanceof Secret sec) {
            f.put("type", s(sec.getType()));
        } else if (obj instanceof Namespace ns) {
            f.put("status.phase", ns.getStatus() == null ? "" : s(ns.getStatus().getPhase()));
        } else if (obj instanceof ReplicaSet rs) {
            f.put("status.replicas", n(rs.getStatus() == null ? null : rs.getStatus().getReplicas()));
        } else if (obj instanceof Job j) {
            f.put("status.successful", n(j.getStatus() == null ? null : j.getStatus().getSucceeded()));
        }
        return f;
    }

    private static String s(String v) {
        return Objects.requireNonNullElse(v, "");
    }

    private static String b(Boolean v) {
        return Boolean.TRUE.equals(v) ? "true" : "false";
    }

    private static String n(Integer v) {
        return v == null ? "0" : v.toString();
    }
}
