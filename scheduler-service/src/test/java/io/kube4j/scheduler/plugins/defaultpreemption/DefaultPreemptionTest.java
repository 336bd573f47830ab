package io.kube4j.scheduler.plugins.defaultpreemption;

import static io.kube4j.scheduler.testsupport.TestObjects.node;
import static io.kube4j.scheduler.testsupport.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.kube4j.scheduler.framework.BindPlugin;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.FilterPlugin;
import io.kube4j.scheduler.framework.FitError;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.FrameworkHandle;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.Parallelizer;
import io.kube4j.scheduler.framework.Plugin;
import io.kube4j.scheduler.framework.PluginArgs;
import io.kube4j.scheduler.framework.PodKeys;
import io.kube4j.scheduler.framework.PreFilterExtensions;
import io.kube4j.scheduler.framework.PreFilterPlugin;
import io.kube4j.scheduler.framework.Profile;
import io.kube4j.scheduler.framework.Snapshot;
import io.kube4j.scheduler.framework.Status;
import io.kube4j.scheduler.plugins.noderesources.NodeResourcesFit;
import io.kube4j.scheduler.plugins.queuesort.PrioritySort;
import io.kube4j.scheduler.queue.Nominator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Victim selection, reprieve with PDBs, candidate order and eligibility, as Kubernetes' default_preemption_test. */
class DefaultPreemptionTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final Parallelizer parallelizer = new Parallelizer(2);

    @AfterEach
    void close() {
        parallelizer.close();
    }

    // ---- fixtures

    /** A pod requesting {@code cpu} with {@code priority}, started {@code startedSecondsAfterT0} after T0. */
    static Pod p(String name, String cpu, int priority, int startedSecondsAfterT0, String... labels) {
        Map<String, String> l = new HashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            l.put(labels[i], labels[i + 1]);
        }
        return pod(name, "cpu", cpu).editMetadata().withLabels(l).endMetadata().editSpec().withPriority(priority)
                .endSpec().withNewStatus().withPhase("Running")
                .withStartTime(T0.plusSeconds(startedSecondsAfterT0).toString()).endStatus().build();
    }

    static Pod on(String node, Pod pod) {
        pod.getSpec().setNodeName(node);
        return pod;
    }

    static NodeInfo nodeWith(String name, String cpu, Pod... pods) {
        NodeInfo n = NodeInfo.of(node(name, cpu, "8Gi").build());
        for (Pod pod : pods) {
            n.addPod(on(name, pod));
        }
        return n;
    }

    static PodDisruptionBudget pdb(String name, int disruptionsAllowed, String app, String... disruptedPods) {
        Map<String, String> disrupted = new HashMap<>();
        for (String d : disruptedPods) {
            disrupted.put(d, T0.toString());
        }
        return new PodDisruptionBudgetBuilder().withNewMetadata().withName(name).withNamespace("default")
                .endMetadata().withNewSpec().withSelector(new LabelSelectorBuilder().addToMatchLabels("app", app)
                        .build()).endSpec().withNewStatus().withDisruptionsAllowed(disruptionsAllowed)
                .withDisruptedPods(disrupted).endStatus().build();
    }

    private static final BindPlugin NOOP_BINDER = new BindPlugin() {
        @Override
        public String name() {
            return "NoopBinder";
        }

        @Override
        public Status bind(CycleState state, Pod pod, String nodeName) {
            return Status.success();
        }
    };

    private DefaultPreemption preemption(Map<String, Object> args) {
        return new DefaultPreemption(new PluginArgs(DefaultPreemption.NAME, args),
                FrameworkHandle.offline(parallelizer), new Random(7));
    }

    private Framework framework(DefaultPreemption pl, Plugin... more) {
        Profile.Builder b = Profile.builder("default-scheduler", new PrioritySort()).plugin(new NodeResourcesFit());
        for (Plugin x : more) {
            b.plugin(x);
        }
        return new Framework(b.plugin(pl).plugin(NOOP_BINDER).build(), parallelizer, new Random(1));
    }

    /** Schedules {@code pod} (which must not fit), then evaluates preemption over the real filter statuses. */
    private static DefaultPreemption.Evaluation evaluate(DefaultPreemption pl, Framework fw, Pod pod,
            List<NodeInfo> nodes, Map<String, Status> extraStatuses) {
        CycleState state = new CycleState();
        Map<String, Status> statuses = new HashMap<>();
        try {
            fw.schedule(state, pod, Snapshot.of(nodes));
            throw new AssertionError("the preemptor fits without preemption");
        } catch (FitError e) {
            statuses.putAll(e.nodeStatuses());
        }
        statuses.putAll(extraStatuses);
        return pl.evaluate(fw, state, pod, statuses);
    }

    private static List<String> names(List<Pod> pods) {
        return pods.stream().map(x -> x.getMetadata().getName()).toList();
    }

    // ---- candidates and the chosen node, table-driven

    static Stream<Arguments> candidateCases() {
        return Stream.of(
                Arguments.of("the node with fewer victims (same highest priority, smaller sum)",
                        List.of(nodeWith("a", "2", p("a1", "1", 100, 0), p("a2", "1", 100, 1)),
                                nodeWith("b", "2", p("b1", "2", 100, 2))),
                        p("hi", "2", 1000, 9), List.of(), "b", List.of("b1"), 0),
                Arguments.of("the node whose highest victim has the lowest priority",
                        List.of(nodeWith("a", "2", p("a1", "1", 200, 0), p("a2", "1", 200, 1)),
                                nodeWith("b", "2", p("b1", "1", 100, 0), p("b2", "1", 300, 1))),
                        p("hi", "1", 1000, 9), List.of(), "b", List.of("b1"), 0),
                Arguments.of("at equal highest priority, the smallest sum of priorities",
                        List.of(nodeWith("a", "2", p("a1", "1", 100, 0), p("a2", "1", 90, 0)),
                                nodeWith("b", "2", p("b1", "1", 100, 0), p("b2", "1", 50, 0))),
                        p("hi", "2", 1000, 9), List.of(), "b", List.of("b1", "b2"), 0),
                Arguments.of("at equal priorities and counts, the latest-started highest-priority victims",
                        List.of(nodeWith("a", "2", p("a1", "2", 100, 10)),
                                nodeWith("b", "2", p("b1", "2", 100, 20)),
                                nodeWith("c", "2", p("c1", "2", 100, 5))),
                        p("hi", "2", 1000, 30), List.of(), "b", List.of("b1"), 0),
                Arguments.of("a node without PDB violations beats one with lower-priority violating victims",
                        List.of(nodeWith("a", "2", p("a1", "2", 10, 0, "app", "guarded")),
                                nodeWith("b", "2", p("b1", "2", 500, 0))),
                        p("hi", "2", 1000, 9), List.of(pdb("guard", 0, "guarded")), "b", List.of("b1"), 0),
                Arguments.of("only violating candidates: still preempts, counting the violation",
                        List.of(nodeWith("a", "2", p("a1", "2", 10, 0, "app", "guarded"))),
                        p("hi", "2", 1000, 9), List.of(pdb("guard", 0, "guarded")), "a", List.of("a1"), 1),
                Arguments.of("lower-priority pods only are victims; higher ones stay even if evicting them is less",
                        List.of(nodeWith("a", "3", p("a1", "1", 2000, 0), p("a2", "1", 100, 0), p("a3", "1", 100, 1))),
                        p("hi", "2", 1000, 9), List.of(), "a", List.of("a2", "a3"), 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("candidateCases")
    void picksTheBestCandidate(String name, List<NodeInfo> nodes, Pod preemptor, List<PodDisruptionBudget> pdbs,
            String expectedNode, List<String> expectedVictims, int expectedViolations) {
        DefaultPreemption pl = preemption(Map.of());
        Framework fw = framework(pl);
        CycleState state = new CycleState();
        Map<String, Status> statuses = new HashMap<>();
        try {
            fw.schedule(state, preemptor, Snapshot.of(nodes));
            throw new AssertionError("fits without preemption");
        } catch (FitError e) {
            statuses.putAll(e.nodeStatuses());
        }
        List<DefaultPreemption.Candidate> candidates = pl.dryRunPreemption(fw, state, preemptor, nodes, pdbs, 0,
                nodes.size(), new HashMap<>());
        DefaultPreemption.Candidate best = DefaultPreemption.selectCandidate(candidates);
        assertThat(best.nodeName()).isEqualTo(expectedNode);
        assertThat(names(best.victims())).containsExactlyElementsOf(expectedVictims);
        assertThat(best.numPdbViolations()).isEqualTo(expectedViolations);
        // the dry run worked on copies: the snapshot's nodes still hold all their pods
        for (NodeInfo n : nodes) {
            assertThat(n.requested().milliCpu()).isEqualTo(n.pods().stream()
                    .mapToLong(e -> e.requests().milliCpu()).sum());
        }
    }

    // ---- victim selection and reprieve on one node

    @Test
    void reprievesTheHighestPriorityVictimsFirst() {
        DefaultPreemption pl = preemption(Map.of());
        Framework fw = framework(pl);
        NodeInfo n = nodeWith("a", "4", p("low", "1", 10, 0), p("mid", "1", 50, 0), p("high", "1", 90, 0),
                p("top", "1", 5000, 0));
        CycleState state = new CycleState();
        state.setSnapshot(Snapshot.of(List.of(n)));
        fw.runPreFilter(state, p("hi", "2", 1000, 0));
        DefaultPreemption.Victims v = DefaultPreemption.selectVictimsOnNode(fw, state, p("hi", "2", 1000, 0),
                n.copy(), List.of());
        assertThat(v.status().isSuccess()).isTrue();
        assertThat(names(v.pods())).containsExactly("mid", "low");
        assertThat(v.numPdbViolations()).isZero();
    }

    @Test
    void pdbViolatingVictimsAreReprievedFirst() {
        DefaultPreemption pl = preemption(Map.of());
        Framework fw = framework(pl);
        Pod guarded = p("guarded", "1", 100, 0, "app", "db");
        Pod plain = p("plain", "1", 200, 0);
        NodeInfo n = nodeWith("a", "2", guarded, plain);
        Pod hi = p("hi", "1", 1000, 0);
        CycleState state = new CycleState();
        state.setSnapshot(Snapshot.of(List.of(n)));
        fw.runPreFilter(state, hi);
        // without a budget the lower-priority pod goes
        assertThat(names(DefaultPreemption.selectVictimsOnNode(fw, state.copy(), hi, n.copy(), List.of()).pods()))
                .containsExactly("guarded");
        // with one that allows no disruption, the guarded pod is reprieved first and the other goes instead
        DefaultPreemption.Victims v = DefaultPreemption.selectVictimsOnNode(fw, state.copy(), hi, n.copy(),
                List.of(pdb("db", 0, "db")));
        assertThat(names(v.pods())).containsExactly("plain");
        assertThat(v.numPdbViolations()).isZero();
    }

    static Stream<Arguments> pdbCases() {
        return Stream.of(
                Arguments.of("no budgets", List.of(), List.of(), List.of("a", "b", "c")),
                Arguments.of("allows 0: every match violates", List.of(pdb("x", 0, "web")), List.of("a", "b"),
                        List.of("c")),
                Arguments.of("allows 1: the first match is spent, the next violates", List.of(pdb("x", 1, "web")),
                        List.of("b"), List.of("a", "c")),
                Arguments.of("a pod already disrupted is not counted again", List.of(pdb("x", 1, "web", "a")),
                        List.of(), List.of("a", "b", "c")),
                Arguments.of("another namespace's budget does not apply",
                        List.of(new PodDisruptionBudgetBuilder(pdb("x", 0, "web")).editMetadata()
                                .withNamespace("other").endMetadata().build()), List.of(), List.of("a", "b", "c")),
                Arguments.of("an empty selector matches nothing",
                        List.of(new PodDisruptionBudgetBuilder(pdb("x", 0, "web")).editSpec()
                                .withSelector(new LabelSelectorBuilder().build()).endSpec().build()),
                        List.of(), List.of("a", "b", "c")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pdbCases")
    void splitsVictimsByPdbViolation(String name, List<PodDisruptionBudget> pdbs, List<String> violating,
            List<String> nonViolating) {
        List<Pod> pods = List.of(p("a", "1", 1, 0, "app", "web"), p("b", "1", 1, 0, "app", "web"),
                p("c", "1", 1, 0));
        List<List<Pod>> split = DefaultPreemption.filterPodsWithPdbViolation(pods, pdbs);
        assertThat(names(split.get(0))).containsExactlyElementsOf(violating);
        assertThat(names(split.get(1))).containsExactlyElementsOf(nonViolating);
    }

    // ---- whole evaluation: eligibility, unresolvable nodes, no victims

    @Test
    void neverPreemptsPodsOfEqualOrHigherPriority() {
        DefaultPreemption pl = preemption(Map.of());
        Framework fw = framework(pl);
        var ev = evaluate(pl, fw, p("hi", "2", 1000, 9), List.of(nodeWith("a", "2", p("same", "2", 1000, 0)),
                nodeWith("b", "2", p("higher", "2", 1_000_000, 0))), Map.of());
        assertThat(ev.best()).isNull();
        assertThat(ev.result().nominatedNodeName()).isEmpty();
        assertThat(ev.result().status().message()).isEqualTo(
                "preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.");
    }

    @Test
    void nodesWherePreemptionCannotHelpAreSkipped() {
        DefaultPreemption pl = preemption(Map.of());
        Framework fw = framework(pl);
        var ev = evaluate(pl, fw, p("hi", "2", 1000, 9), List.of(nodeWith("a", "2", p("low", "2", 1, 0)),
                nodeWith("b", "1", p("tiny", "1", 1, 0))), Map.of("a", Status.unresolvable("node(s) didn't match Pod's node affinity")));
        assertThat(ev.best()).isNull();
        assertThat(ev.result().status().message()).isEqualTo("preemption: 0/2 nodes are available: 1 Insufficient"
                + " cpu, 1 Preemption is not helpful for scheduling.");
    }

    @Test
    void preemptionPolicyNeverIsNotEligible() {
        DefaultPreemption pl = preemption(Map.of());
        Framework fw = framework(pl);
        Pod never = p("never", "2", 1000, 9);
        never.getSpec().setPreemptionPolicy("Never");
        var ev = evaluate(pl, fw, never, List.of(nodeWith("a", "2", p("low", "2", 1, 0))), Map.of());
        assertThat(ev.best()).isNull();
        assertThat(ev.result().nominatedNodeName()).isNull();
        assertThat(ev.result().status().message()).isEqualTo(
                "preemption: not eligible due to preemptionPolicy=Never.");
        // the same pod with the default policy would preempt
        var ok = evaluate(pl, fw, p("hi", "2", 1000, 9), List.of(nodeWith("a", "2", p("low", "2", 1, 0))), Map.of());
        assertThat(ok.best().nodeName()).isEqualTo("a");
    }

    @Test
    void aNominatedPodWaitsWhileItsVictimsTerminate() {
        DefaultPreemption pl = preemption(Map.of());
        Framework fw = framework(pl);
        Pod terminating = p("low", "2", 1, 0);
        terminating.getMetadata().setDeletionTimestamp(T0.toString());
        Pod hi = p("hi", "2", 1000, 9);
        hi.getStatus().setNominatedNodeName("a");
        List<NodeInfo> nodes = List.of(nodeWith("a", "2", terminating), nodeWith("b", "2", p("other", "2", 1, 0)));
        var ev = evaluate(pl, fw, hi, nodes, Map.of());
        assertThat(ev.best()).isNull();
        assertThat(ev.result().nominatedNodeName()).isNull();
        assertThat(ev.result().status().message())
                .isEqualTo("preemption: not eligible due to a terminating pod on the nominated node.");
        // if the nominated node became unusable for it, it may preempt again
        var again = evaluate(pl, fw, hi, nodes, Map.of("a", Status.unresolvable("node(s) were unschedulable")));
        assertThat(again.best().nodeName()).isEqualTo("b");
    }

    // ---- candidate sampling and args

    @ParameterizedTest(name = "{0} nodes, {1}%, min {2} -> {3}")
    @CsvSource({"10, 10, 100, 10", "1000, 10, 100, 100", "5000, 10, 100, 500", "5000, 1, 10, 50",
            "5000, 0, 7, 7", "50, 100, 0, 50"})
    void numberOfCandidates(int nodes, int percentage, int absolute, int expected) {
        assertThat(preemption(Map.of("minCandidateNodesPercentage", percentage, "minCandidateNodesAbsolute",
                absolute)).numCandidates(nodes)).isEqualTo(expected);
    }

    @Test
    void dryRunStopsOnceEnoughCandidatesAreFound() {
        DefaultPreemption pl = preemption(Map.of("minCandidateNodesPercentage", 0, "minCandidateNodesAbsolute", 2));
        Framework fw = framework(pl);
        List<NodeInfo> nodes = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            nodes.add(nodeWith("n" + i, "1", p("v" + i, "1", 1, i)));
        }
        CycleState state = new CycleState();
        state.setSnapshot(Snapshot.of(nodes));
        Pod hi = p("hi", "1", 1000, 0);
        fw.runPreFilter(state, hi);
        var candidates = pl.dryRunPreemption(fw, state, hi, nodes, List.of(), 3, pl.numCandidates(10),
                new HashMap<>());
        // one thread below the parallel threshold: exactly the two nodes from the offset on
        assertThat(candidates).extracting(DefaultPreemption.Candidate::nodeName).containsExactly("n3", "n4");
    }

    @Test
    void invalidArgsAreClearErrors() {
        assertThatThrownBy(() -> preemption(Map.of("minCandidateNodesPercentage", 101)))
                .hasMessageContaining("minCandidateNodesPercentage must be in the range [0, 100]");
        assertThatThrownBy(() -> preemption(Map.of("minCandidateNodesAbsolute", -1)))
                .hasMessageContaining("minCandidateNodesAbsolute must be at least 0");
        assertThatThrownBy(() -> preemption(Map.of("minCandidateNodesPercentage", 0, "minCandidateNodesAbsolute",
                0))).hasMessageContaining("cannot both be zero");
        assertThatThrownBy(() -> preemption(Map.of("minCandidateNodesAbsolute", "many")))
                .hasMessageContaining("minCandidateNodesAbsolute must be an integer");
    }

    @Test
    void withoutAClientItRefusesToActInsteadOfPretending() {
        DefaultPreemption pl = preemption(Map.of());
        Framework fw = framework(pl);
        List<NodeInfo> nodes = List.of(nodeWith("a", "2", p("low", "2", 1, 0)));
        CycleState state = new CycleState();
        Map<String, Status> statuses;
        try {
            fw.schedule(state, p("hi", "2", 1000, 0), Snapshot.of(nodes));
            throw new AssertionError("fits");
        } catch (FitError e) {
            statuses = e.nodeStatuses();
        }
        var r = fw.runPostFilter(state, p("hi", "2", 1000, 0), statuses);
        assertThat(r.nominatedNodeName()).isNull();
        assertThat(r.status().code()).isEqualTo(Status.Code.ERROR);
    }

    // ---- pre-filter extensions: the dry run updates plugins' precomputed state on a copy

    /** Rejects nodes that host a pod labelled {@code exclusive=true}; precomputes those nodes in PreFilter. */
    static final class Exclusive implements PreFilterPlugin, FilterPlugin, PreFilterExtensions {
        static final String KEY = "PreFilterExclusive";

        /** The nodes hosting exclusive pods; copied for what-if runs. */
        record Hosts(Map<String, Integer> counts) implements CycleState.StateData {
            @Override
            public CycleState.StateData copy() {
                return new Hosts(new HashMap<>(counts));
            }
        }

        static boolean exclusive(Pod p) {
            return p.getMetadata().getLabels() != null && "true".equals(p.getMetadata().getLabels().get("exclusive"));
        }

        @Override
        public String name() {
            return "Exclusive";
        }

        @Override
        public Status preFilter(CycleState state, Pod pod) {
            Map<String, Integer> counts = new HashMap<>();
            for (NodeInfo n : state.snapshot().nodes()) {
                n.pods().stream().filter(e -> exclusive(e.pod())).forEach(e -> counts.merge(n.name(), 1, Integer::sum));
            }
            state.write(KEY, new Hosts(counts));
            return Status.success();
        }

        @Override
        public PreFilterExtensions preFilterExtensions() {
            return this;
        }

        @Override
        public Status filter(CycleState state, Pod pod, NodeInfo node) {
            return state.read(KEY, Hosts.class).counts().getOrDefault(node.name(), 0) > 0
                    ? Status.unschedulable("node(s) host an exclusive pod") : Status.success();
        }

        @Override
        public Status addPod(CycleState state, Pod podToSchedule, Pod podToAdd, NodeInfo node) {
            if (exclusive(podToAdd)) {
                state.read(KEY, Hosts.class).counts().merge(node.name(), 1, Integer::sum);
            }
            return Status.success();
        }

        @Override
        public Status removePod(CycleState state, Pod podToSchedule, Pod podToRemove, NodeInfo node) {
            if (exclusive(podToRemove)) {
                state.read(KEY, Hosts.class).counts().merge(node.name(), -1, Integer::sum);
            }
            return Status.success();
        }
    }

    @Test
    void victimsAreFoundThroughPreFilterExtensionsOnCopiesOfTheState() {
        DefaultPreemption pl = preemption(Map.of());
        Framework fw = framework(pl, new Exclusive());
        // room for the pod everywhere, but the exclusive pods keep it out; evicting one (not the other pod) helps
        List<NodeInfo> nodes = List.of(nodeWith("a", "4", p("excl", "1", 5, 0, "exclusive", "true"),
                p("bystander", "1", 1, 0)), nodeWith("b", "4", p("excl-high", "1", 5000, 0, "exclusive", "true")));
        CycleState state = new CycleState();
        Pod hi = p("hi", "1", 1000, 0);
        Map<String, Status> statuses;
        try {
            fw.schedule(state, hi, Snapshot.of(nodes));
            throw new AssertionError("fits");
        } catch (FitError e) {
            statuses = e.nodeStatuses();
        }
        var ev = pl.evaluate(fw, state, hi, statuses);
        assertThat(ev.best().nodeName()).isEqualTo("a");
        assertThat(names(ev.best().victims())).containsExactly("excl");
        // the cycle's own state was not touched by the what-if runs
        assertThat(state.read(Exclusive.KEY, Exclusive.Hosts.class).counts()).isEqualTo(Map.of("a", 1, "b", 1));
    }

    // ---- nominated pods in filters

    @Test
    void filtersCountNominatedPodsOfEqualOrHigherPriority() {
        DefaultPreemption pl = preemption(Map.of());
        Framework fw = framework(pl);
        Nominator nominator = new Nominator();
        fw.setNominator(nominator);
        NodeInfo a = nodeWith("a", "2");
        Snapshot snap = Snapshot.of(List.of(a));
        Pod nominated = p("nominated", "2", 1000, 0);
        nominated.getStatus().setNominatedNodeName("a");
        nominator.add(nominated, null);
        assertThat(nominator.nominatedPodsForNode("a")).extracting(PodKeys::key).containsExactly("default/nominated");

        // lower and equal priority pods must not take the room made for it
        for (int prio : new int[] {999, 1000}) {
            Pod other = p("other-" + prio, "1", prio, 0);
            assertThatThrownBy(() -> fw.schedule(new CycleState(), other, snap)).isInstanceOf(FitError.class)
                    .hasMessage("0/1 nodes are available: 1 Insufficient cpu.");
        }
        // a higher-priority pod ignores it (and may take the node)
        assertThat(fw.schedule(new CycleState(), p("higher", "1", 2000, 0), snap).suggestedHost()).isEqualTo("a");
        // the nominated pod itself is not counted against itself, and tries its nominated node first
        assertThat(fw.schedule(new CycleState(), nominated, snap).suggestedHost()).isEqualTo("a");
        // the node itself was never modified
        assertThat(a.pods()).isEmpty();
        // once the nomination is gone the node is free for anyone
        nominator.delete(nominated);
        assertThat(fw.schedule(new CycleState(), p("other", "1", 1, 0), snap).suggestedHost()).isEqualTo("a");
    }

    @Test
    void theSecondPassWithoutNominatedPodsMustPassToo() {
        // a filter that passes only with company (as pod affinity to a nominated pod would): the nominated pod may
        // never arrive, so the pass without it must succeed too
        Set<String> seen = new HashSet<>();
        FilterPlugin wantsCompany = new FilterPlugin() {
            @Override
            public String name() {
                return "WantsCompany";
            }

            @Override
            public Status filter(CycleState state, Pod pod, NodeInfo node) {
                seen.add(node.pods().size() + " pods");
                return node.pods().isEmpty() ? Status.unschedulable("node(s) empty") : Status.success();
            }
        };
        DefaultPreemption pl = preemption(Map.of());
        Framework fw = framework(pl, wantsCompany);
        Nominator nominator = new Nominator();
        fw.setNominator(nominator);
        NodeInfo a = nodeWith("a", "4");
        Pod nominated = p("nominated", "1", 1000, 0);
        nominated.getStatus().setNominatedNodeName("a");
        nominator.add(nominated, null);
        // the first pass (with the nominated pod) passes, the second (without) does not
        Status s = fw.runFiltersWithNominatedPods(new CycleState(), p("x", "1", 1, 0), a);
        assertThat(s.isSuccess()).isFalse();
        assertThat(s.reasons()).containsExactly("node(s) empty");
        assertThat(seen).containsExactlyInAnyOrder("1 pods", "0 pods");
        // a pod of higher priority than the nominated one gets a single plain pass
        seen.clear();
        assertThat(fw.runFiltersWithNominatedPods(new CycleState(), p("y", "1", 5000, 0), a).isSuccess()).isFalse();
        assertThat(seen).containsExactly("0 pods");
    }

    @Test
    void withoutNominatedPodsOfEnoughPriorityNothingIsCopied() {
        List<Object> seen = new ArrayList<>();
        FilterPlugin recorder = new FilterPlugin() {
            @Override
            public String name() {
                return "Recorder";
            }

            @Override
            public Status filter(CycleState state, Pod pod, NodeInfo node) {
                seen.add(state);
                seen.add(node);
                return Status.success();
            }
        };
        Framework fw = framework(preemption(Map.of()), recorder);
        NodeInfo a = nodeWith("a", "4");
        CycleState state = new CycleState();
        // no nominator at all, then one with only a lower-priority pod nominated here: one pass on the originals
        assertThat(fw.runFiltersWithNominatedPods(state, p("x", "1", 10, 0), a).isSuccess()).isTrue();
        Nominator nominator = new Nominator();
        fw.setNominator(nominator);
        Pod low = p("low", "1", 1, 0);
        low.getStatus().setNominatedNodeName("a");
        nominator.add(low, null);
        assertThat(fw.runFiltersWithNominatedPods(state, p("x", "1", 10, 0), a).isSuccess()).isTrue();
        assertThat(seen).hasSize(4);
        assertThat(seen).allSatisfy(o -> assertThat(o).isIn(state, a));
    }

    @Test
    void theNominatorFollowsPodUpdatesAndKeepsItsOwnNominationUntilTheStatusComesBack() {
        Nominator n = new Nominator();
        Pod pending = p("p", "1", 1000, 0);
        n.add(pending, "a");
        assertThat(n.nominatedNodeOf(pending)).isEqualTo("a");
        // an update that carries no nomination yet (our status write has not come back): kept
        n.update(pending, p("p", "1", 1000, 0));
        assertThat(n.nominatedNodeOf(pending)).isEqualTo("a");
        // the status write comes back with a different node: that wins
        Pod moved = p("p", "1", 1000, 0);
        moved.getStatus().setNominatedNodeName("b");
        n.update(pending, moved);
        assertThat(n.nominatedPodsForNode("a")).isEmpty();
        assertThat(n.nominatedPodsForNode("b")).hasSize(1);
        // cleared by the scheduler ("" override), and bound pods are never nominated
        n.add(moved, "");
        assertThat(n.size()).isZero();
        n.add(on("b", p("bound", "1", 1, 0)), "b");
        assertThat(n.size()).isZero();
    }
}
