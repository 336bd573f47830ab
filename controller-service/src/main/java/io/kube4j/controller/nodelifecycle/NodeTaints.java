package io.kube4j.controller.nodelifecycle;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Taint;

/**
 * The taints the node lifecycle controller owns and how it changes them (Kubernetes' taint templates,
 * {@code TaintNodesByCondition} map and {@code SwapNodeControllerTaint}). Two taints are the same taint when key and
 * effect match, as Kubernetes' {@code Taint.MatchTaint}.
 */
public final class NodeTaints {

    public static final String NOT_READY = "node.kubernetes.io/not-ready";
    public static final String UNREACHABLE = "node.kubernetes.io/unreachable";
    public static final String UNSCHEDULABLE = "node.kubernetes.io/unschedulable";
    public static final String MEMORY_PRESSURE = "node.kubernetes.io/memory-pressure";
    public static final String DISK_PRESSURE = "node.kubernetes.io/disk-pressure";
    public static final String PID_PRESSURE = "node.kubernetes.io/pid-pressure";
    public static final String NETWORK_UNAVAILABLE = "node.kubernetes.io/network-unavailable";
    public static final String NO_EXECUTE = "NoExecute";
    public static final String NO_SCHEDULE = "NoSchedule";

    static final Taint NOT_READY_NO_EXECUTE = taint(NOT_READY, NO_EXECUTE);
    static final Taint UNREACHABLE_NO_EXECUTE = taint(UNREACHABLE, NO_EXECUTE);

    /** Condition type → condition status → the NoSchedule taint key it means ({@code nodeConditionToTaintKeyStatusMap}). */
    static final Map<String, Map<String, String>> CONDITION_TAINTS = Map.of(
            "Ready", Map.of("False", NOT_READY, "Unknown", UNREACHABLE),
            "MemoryPressure", Map.of("True", MEMORY_PRESSURE),
            "DiskPressure", Map.of("True", DISK_PRESSURE),
            "NetworkUnavailable", Map.of("True", NETWORK_UNAVAILABLE),
            "PIDPressure", Map.of("True", PID_PRESSURE));

    private static final List<String> CONDITION_TAINT_KEYS = List.of(NOT_READY, UNREACHABLE, MEMORY_PRESSURE,
            DISK_PRESSURE, NETWORK_UNAVAILABLE, PID_PRESSURE);

    private NodeTaints() {
    }

    static Taint taint(String key, String effect) {
        Taint t = new Taint();
        t.setKey(key);
        t.setEffect(effect);
        return t;
    }

    static List<Taint> of(Node node) {
        List<Taint> t = node.getSpec() == null ? null : node.getSpec().getTaints();
        return t == null ? List.of() : t;
    }

    static boolean matches(Taint a, Taint b) {
        return Objects.equals(a.getKey(), b.getKey()) && Objects.equals(a.getEffect(), b.getEffect());
    }

    static boolean exists(List<Taint> taints, Taint template) {
        return taints.stream().anyMatch(t -> matches(t, template));
    }

    /** The node's NoExecute taints (what the taint manager acts on). */
    static List<Taint> noExecute(Node node) {
        return of(node).stream().filter(t -> NO_EXECUTE.equals(t.getEffect())).toList();
    }

    /**
     * The NoSchedule taints the node should have from its conditions and {@code spec.unschedulable}
     * ({@code doNoScheduleTaintingPass}).
     */
    static List<Taint> desiredNoSchedule(Node node) {
        List<Taint> out = new ArrayList<>();
        List<NodeCondition> conditions = node.getStatus() == null || node.getStatus().getConditions() == null
                ? List.of() : node.getStatus().getConditions();
        for (NodeCondition c : conditions) {
            Map<String, String> byStatus = CONDITION_TAINTS.get(c.getType());
            String key = byStatus == null ? null : byStatus.get(c.getStatus());
            if (key != null) {
                out.add(taint(key, NO_SCHEDULE));
            }
        }
        if (node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable())) {
            out.add(taint(UNSCHEDULABLE, NO_SCHEDULE));
        }
        return out;
    }

    /** The node's NoSchedule taints that this controller manages (condition taints and unschedulable). */
    static List<Taint> managedNoSchedule(Node node) {
        return of(node).stream().filter(t -> NO_SCHEDULE.equals(t.getEffect())
                && (UNSCHEDULABLE.equals(t.getKey()) || CONDITION_TAINT_KEYS.contains(t.getKey()))).toList();
    }

    /** The taints of {@code want} that {@code have} lacks (by key and effect). */
    static List<Taint> missing(List<Taint> want, List<Taint> have) {
        return want.stream().filter(w -> !exists(have, w)).toList();
    }

    /**
     * {@code taints} with {@code remove} removed and {@code add} added (replacing a taint of the same key and effect;
     * {@code timeAdded} stamped on NoExecute ones, as Kubernetes does); null when that changes nothing.
     */
    static List<Taint> swap(List<Taint> taints, List<Taint> add, List<Taint> remove, Instant now) {
        Map<String, Taint> out = new LinkedHashMap<>();
        for (Taint t : taints) {
            out.put(t.getKey() + ":" + t.getEffect(), t);
        }
        boolean changed = false;
        for (Taint r : remove) {
            changed |= out.remove(r.getKey() + ":" + r.getEffect()) != null;
        }
        for (Taint a : add) {
            String id = a.getKey() + ":" + a.getEffect();
            Taint existing = out.get(id);
            if (existing != null && Objects.equals(existing.getValue(), a.getValue())) {
                continue;
            }
            Taint copy = taint(a.getKey(), a.getEffect());
            copy.setValue(a.getValue());
            if (NO_EXECUTE.equals(a.getEffect())) {
                copy.setTimeAdded(NodeHealthTracker.time(now));
            }
            out.put(id, copy);
            changed = true;
        }
        return changed ? new ArrayList<>(out.values()) : null;
    }
}
