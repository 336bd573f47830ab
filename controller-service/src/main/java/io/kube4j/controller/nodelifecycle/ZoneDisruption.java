package io.kube4j.controller.nodelifecycle;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.NodeCondition;

/**
 * Kubernetes' {@code handleDisruption} as a decision: from each zone's Ready conditions after a monitor pass, the new
 * zone states and the tainting rate each zone's queue must switch to. When every zone is fully disrupted the
 * controller assumes the problem is its own (or the network's) rather than the nodes': all tainting stops and the
 * NoExecute taints come off; when some node is Ready again, the rates follow the zone states and the heartbeat
 * clocks restart.
 */
final class ZoneDisruption {

    /**
     * What one pass decided.
     *
     * @param enteredFullDisruption every zone is now fully disrupted: remove the NoExecute taints of every node
     * @param exitedFullDisruption  the cluster left full disruption: restart every node's heartbeat clock
     * @param rates                 zones whose queue must switch to a new rate (nodes per second; 0 stops it)
     */
    record Decision(boolean enteredFullDisruption, boolean exitedFullDisruption, Map<String, Double> rates) {
    }

    private final NodeLifecycleProperties props;
    private final Map<String, ZoneState> states = new HashMap<>();

    ZoneDisruption(NodeLifecycleProperties props) {
        this.props = props;
    }

    /** A zone seen for the first time starts {@link ZoneState#INITIAL}. */
    synchronized void seen(String zone) {
        states.putIfAbsent(zone, ZoneState.INITIAL);
    }

    synchronized ZoneState state(String zone) {
        return states.get(zone);
    }

    synchronized Map<String, ZoneState> states() {
        return Map.copyOf(states);
    }

    synchronized Decision update(Map<String, List<NodeCondition>> zoneToReady) {
        Map<String, ZoneState> newStates = new HashMap<>();
        boolean allAreFullyDisrupted = true;
        for (var e : zoneToReady.entrySet()) {
            ZoneState s = ZoneState.compute(e.getValue(), props.unhealthyZoneThreshold()).state();
            if (s != ZoneState.FULL_DISRUPTION) {
                allAreFullyDisrupted = false;
            }
            newStates.put(e.getKey(), s);
            states.putIfAbsent(e.getKey(), ZoneState.INITIAL);
        }
        boolean allWasFullyDisrupted = true;
        for (String zone : new ArrayList<>(states.keySet())) {
            if (!zoneToReady.containsKey(zone)) {
                states.remove(zone);
                continue;
            }
            if (states.get(zone) != ZoneState.FULL_DISRUPTION) {
                allWasFullyDisrupted = false;
            }
        }
        Map<String, Double> rates = new LinkedHashMap<>();
        if (allAreFullyDisrupted && allWasFullyDisrupted) {
            return new Decision(false, false, rates);
        }
        if (allAreFullyDisrupted) {
            for (String zone : states.keySet()) {
                rates.put(zone, 0.0);
                states.put(zone, ZoneState.FULL_DISRUPTION);
            }
            return new Decision(true, false, rates);
        }
        if (allWasFullyDisrupted) {
            for (String zone : states.keySet()) {
                ZoneState s = newStates.get(zone);
                rates.put(zone, s.evictionRate(zoneToReady.get(zone).size(), props));
                states.put(zone, s);
            }
            return new Decision(false, true, rates);
        }
        for (String zone : states.keySet()) {
            ZoneState s = newStates.get(zone);
            if (states.get(zone) != s) {
                rates.put(zone, s.evictionRate(zoneToReady.get(zone).size(), props));
                states.put(zone, s);
            }
        }
        return new Decision(false, false, rates);
    }
}
