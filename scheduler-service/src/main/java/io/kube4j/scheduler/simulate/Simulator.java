package io.kube4j.scheduler.simulate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.FitError;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.Plugin;
import io.kube4j.scheduler.framework.PreScorePlugin;
import io.kube4j.scheduler.framework.ScorePlugin;
import io.kube4j.scheduler.framework.Snapshot;
import io.kube4j.scheduler.framework.Status;
import io.kube4j.scheduler.simulate.SimulationResult.NodeResult;
import io.kube4j.scheduler.simulate.SimulationResult.PluginScore;

/**
 * The what-if of {@code POST /simulate}: runs a profile's pre-filter, filter, pre-score and score plugins for a pod
 * over <em>every</em> node of a snapshot (no {@code percentageOfNodesToScore}, no round-robin start) and reports why
 * each node was filtered, each plugin's raw, normalized and weighted score, and the node the scheduler would pick.
 * Nothing is assumed, reserved or bound. It runs on the caller's thread on its own snapshot and its own
 * {@link CycleState}, through the framework's stateless entry points only, so it never races with the scheduling
 * thread.
 */
public final class Simulator {

    private final Function<String, Framework> profiles;
    private final Supplier<Snapshot> snapshots;

    /**
     * @param profiles  the framework serving a {@code schedulerName}, or null when none does
     * @param snapshots a fresh copy of the cluster as the scheduler sees it, per simulation
     */
    public Simulator(Function<String, Framework> profiles, Supplier<Snapshot> snapshots) {
        this.profiles = Objects.requireNonNull(profiles);
        this.snapshots = Objects.requireNonNull(snapshots);
    }

    /** Thrown when no profile serves the pod's {@code schedulerName}. */
    public static final class UnknownProfileException extends RuntimeException {
        public UnknownProfileException(String schedulerName) {
            super("no scheduler profile serves schedulerName \"" + schedulerName + "\"");
        }
    }

    /** Simulates scheduling {@code pod}, whose {@code schedulerName} picks the profile. */
    public SimulationResult simulate(Pod pod) {
        String schedulerName = pod.getSpec().getSchedulerName();
        Framework fw = profiles.apply(schedulerName);
        if (fw == null) {
            throw new UnknownProfileException(schedulerName);
        }
        return simulate(fw, pod, snapshots.get());
    }

    static SimulationResult simulate(Framework fw, Pod pod, Snapshot snapshot) {
        String profile = fw.profile().schedulerName();
        String podKey = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        List<NodeInfo> all = snapshot.nodes();
        CycleState state = new CycleState();
        state.setSnapshot(snapshot);
        Status pre = fw.runPreFilter(state, pod);
        if (pre.code() == Status.Code.ERROR) {
            throw new IllegalStateException("pre-filter " + pre.plugin() + ": " + pre.message());
        }
        Map<String, Status> rejected = new LinkedHashMap<>();
        List<NodeInfo> feasible = new ArrayList<>();
        for (NodeInfo n : all) {
            Status s = pre.isSuccess() ? fw.runFiltersWithNominatedPods(state, pod, n) : pre;
            if (s.isSuccess()) {
                feasible.add(n);
            } else if (s.code() == Status.Code.ERROR) {
                throw new IllegalStateException("filter " + s.plugin() + " on node " + n.name() + ": " + s.message());
            } else {
                rejected.put(n.name(), s);
            }
        }
        Map<String, List<PluginScore>> scores = new LinkedHashMap<>();
        Map<String, Long> totals = new LinkedHashMap<>();
        feasible.forEach(n -> {
            scores.put(n.name(), new ArrayList<>());
            totals.put(n.name(), 0L);
        });
        if (feasible.size() > 1) {
            // As the scheduler, which skips scoring when a single node fits; here every feasible node is scored.
            score(fw, state, pod, feasible, scores, totals);
        }
        String selected = null;
        long best = Long.MIN_VALUE;
        List<String> tied = new ArrayList<>();
        for (NodeInfo n : feasible) {
            long t = totals.get(n.name());
            if (t > best) {
                best = t;
                selected = n.name();
                tied.clear();
                tied.add(n.name());
            } else if (t == best) {
                tied.add(n.name());
            }
        }
        List<NodeResult> nodes = new ArrayList<>(all.size());
        for (NodeInfo n : all) {
            Status s = rejected.get(n.name());
            if (s == null) {
                nodes.add(new NodeResult(n.name(), true, null, null, List.of(), scores.get(n.name()),
                        totals.get(n.name())));
            } else {
                nodes.add(new NodeResult(n.name(), false, s.plugin(), codeLabel(s.code()), s.reasons(), List.of(),
                        null));
            }
        }
        String message = feasible.isEmpty()
                ? new FitError(all.size(), rejected, java.util.Set.of(), null).getMessage() : null;
        return new SimulationResult("SimulationResult", podKey, profile, all.size(), feasible.size(), selected,
                tied.size() > 1 ? List.copyOf(tied) : List.of(), message, nodes);
    }

    private static void score(Framework fw, CycleState state, Pod pod, List<NodeInfo> feasible,
            Map<String, List<PluginScore>> scores, Map<String, Long> totals) {
        List<Plugin> plugins = fw.profile().plugins();
        for (Plugin p : plugins) {
            if (p instanceof PreScorePlugin ps) {
                Status s = ps.preScore(state, pod, feasible);
                if (!s.isSuccess() && !s.isSkip()) {
                    throw new IllegalStateException("pre-score " + p.name() + ": " + s.message());
                }
            }
        }
        for (Plugin p : plugins) {
            if (!(p instanceof ScorePlugin sp)) {
                continue;
            }
            long[] raw = new long[feasible.size()];
            for (int i = 0; i < raw.length; i++) {
                raw[i] = sp.score(state, pod, feasible.get(i));
            }
            long[] normalized = raw.clone();
            sp.normalizeScores(state, pod, normalized);
            int weight = fw.profile().weight(p.name());
            for (int i = 0; i < raw.length; i++) {
                String node = feasible.get(i).name();
                long weighted = normalized[i] * weight;
                scores.get(node).add(new PluginScore(p.name(), raw[i], normalized[i], weight, weighted));
                totals.merge(node, weighted, Long::sum);
            }
        }
    }

    static String codeLabel(Status.Code code) {
        StringBuilder b = new StringBuilder();
        for (String part : code.name().split("_")) {
            b.append(part.charAt(0)).append(part.substring(1).toLowerCase(java.util.Locale.ROOT));
        }
        return b.toString();
    }
}
