package io.kube4j.scheduler.plugins.podtopologyspread;

import static io.kube4j.scheduler.testsupport.TestObjects.node;
import static io.kube4j.scheduler.testsupport.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.kube4j.client.informer.Indexer;
import io.kube4j.client.informer.Lister;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.PluginArgs;
import io.kube4j.scheduler.framework.Snapshot;
import io.kube4j.scheduler.framework.Status;
import io.kube4j.scheduler.plugins.helper.DefaultSelector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Filter and Score cases after Kubernetes' podtopologyspread filtering_test.go and scoring_test.go. */
class PodTopologySpreadTest {

    static final String ZONE = "zone";
    static final String HOST = PodTopologySpread.LABEL_HOSTNAME;
    static final String OK = "ok";
    static final String SKEW = "skew";
    static final String NOLABEL = "nolabel";

    // ---- builders

    static Node n(String name, String... kv) {
        Map<String, String> labels = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            labels.put(kv[i], kv[i + 1]);
        }
        return node(name, "4", "8Gi").editMetadata().withLabels(labels).endMetadata().build();
    }

    /** Nodes a, b in zone1 and x, y in zone2, each with its hostname label. */
    static List<Node> fourNodes() {
        return List.of(n("node-a", ZONE, "zone1", HOST, "node-a"), n("node-b", ZONE, "zone1", HOST, "node-b"),
                n("node-x", ZONE, "zone2", HOST, "node-x"), n("node-y", ZONE, "zone2", HOST, "node-y"));
    }

    static PodBuilder p(String name, String... kv) {
        Map<String, String> labels = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            labels.put(kv[i], kv[i + 1]);
        }
        return pod(name).editMetadata().withLabels(labels).endMetadata();
    }

    /** An existing pod with label foo="" on {@code node}. */
    static Pod on(String name, String node) {
        return p(name, "foo", "").editSpec().withNodeName(node).endSpec().build();
    }

    static TopologySpreadConstraintBuilder c(int maxSkew, String key, String when) {
        return new TopologySpreadConstraintBuilder().withMaxSkew(maxSkew).withTopologyKey(key)
                .withWhenUnsatisfiable(when).withLabelSelector(new LabelSelectorBuilder().addNewMatchExpression()
                        .withKey("foo").withOperator("Exists").endMatchExpression().build());
    }

    static Pod incoming(TopologySpreadConstraint... cs) {
        return p("p", "foo", "").editSpec().withTopologySpreadConstraints(cs).endSpec().build();
    }

    static Snapshot snapshot(List<Node> nodes, List<Pod> pods) {
        Map<String, NodeInfo> infos = new LinkedHashMap<>();
        for (Node node : nodes) {
            infos.put(node.getMetadata().getName(), NodeInfo.of(node));
        }
        for (Pod pod : pods) {
            infos.get(pod.getSpec().getNodeName()).addPod(pod);
        }
        return Snapshot.of(new ArrayList<>(infos.values()));
    }

    /** Runs PreFilter and Filter on every node: node name to ok / skew / nolabel / prefilter reason. */
    static Map<String, String> filter(PodTopologySpread pl, Pod pod, Snapshot snap) {
        CycleState state = new CycleState();
        state.setSnapshot(snap);
        Status pre = pl.preFilter(state, pod);
        Map<String, String> out = new LinkedHashMap<>();
        for (NodeInfo n : snap.nodes()) {
            out.put(n.name(), pre.isRejected() ? pre.message() : outcome(pl.filter(state, pod, n)));
        }
        return out;
    }

    static String outcome(Status s) {
        if (s.isSuccess()) {
            return OK;
        }
        if (s.code() == Status.Code.UNSCHEDULABLE
                && s.reasons().equals(List.of(PodTopologySpread.ERR_REASON_CONSTRAINTS_NOT_MATCH))) {
            return SKEW;
        }
        if (s.code() == Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE
                && s.reasons().equals(List.of(PodTopologySpread.ERR_REASON_NODE_LABEL_NOT_MATCH))) {
            return NOLABEL;
        }
        return s.code() + ": " + s.message();
    }

    static Map<String, String> expect(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    static List<Pod> pods(Object... nameNode) {
        List<Pod> out = new ArrayList<>();
        for (int i = 0; i < nameNode.length; i += 2) {
            out.add(on((String) nameNode[i], (String) nameNode[i + 1]));
        }
        return out;
    }

    // ---- Filter

    static Stream<Arguments> filterCases() {
        List<Node> four = fourNodes();
        return Stream.of(
                Arguments.of("no existing pods", incoming(c(1, ZONE, "DoNotSchedule").build()), four, List.of(),
                        expect("node-a", OK, "node-b", OK, "node-x", OK, "node-y", OK)),
                Arguments.of("no existing pods, incoming pod doesn't match itself",
                        p("p").editSpec().withTopologySpreadConstraints(c(1, ZONE, "DoNotSchedule").build())
                                .endSpec().build(), four, List.of(),
                        expect("node-a", OK, "node-b", OK, "node-x", OK, "node-y", OK)),
                Arguments.of("existing pods in a different namespace do not count",
                        incoming(c(1, ZONE, "DoNotSchedule").build()), four,
                        List.of(p("a1", "foo", "").editMetadata().withNamespace("ns1").endMetadata().editSpec()
                                .withNodeName("node-a").endSpec().build(), on("x1", "node-x"), on("x2", "node-x")),
                        expect("node-a", OK, "node-b", OK, "node-x", SKEW, "node-y", SKEW)),
                Arguments.of("pods spread across zones as 3/3, all nodes fit",
                        incoming(c(1, ZONE, "DoNotSchedule").build()), four,
                        pods("a1", "node-a", "a2", "node-a", "b1", "node-b", "y1", "node-y", "y2", "node-y",
                                "y3", "node-y"),
                        expect("node-a", OK, "node-b", OK, "node-x", OK, "node-y", OK)),
                Arguments.of("pods spread across zones as 1/2 due to absence of label 'zone' on node-b",
                        incoming(c(1, ZONE, "DoNotSchedule").build()),
                        List.of(n("node-a", ZONE, "zone1", HOST, "node-a"), n("node-b", HOST, "node-b"),
                                n("node-x", ZONE, "zone2", HOST, "node-x"), n("node-y", ZONE, "zone2", HOST, "node-y")),
                        pods("a1", "node-a", "b1", "node-b", "x1", "node-x", "y1", "node-y"),
                        expect("node-a", OK, "node-b", NOLABEL, "node-x", SKEW, "node-y", SKEW)),
                Arguments.of("no node has label 'rack'", incoming(c(1, "rack", "DoNotSchedule").build()), four,
                        List.of(), expect("node-a", NOLABEL, "node-b", NOLABEL, "node-x", NOLABEL, "node-y",
                                NOLABEL)),
                Arguments.of("pods spread across nodes as 2/1/0/3, only node-x fits",
                        incoming(c(1, HOST, "DoNotSchedule").build()), four,
                        pods("a1", "node-a", "a2", "node-a", "b1", "node-b", "y1", "node-y", "y2", "node-y",
                                "y3", "node-y"),
                        expect("node-a", SKEW, "node-b", SKEW, "node-x", OK, "node-y", SKEW)),
                Arguments.of("pods spread across nodes as 2/1/0/3, maxSkew is 2, node-b and node-x fit",
                        incoming(c(2, HOST, "DoNotSchedule").build()), four,
                        pods("a1", "node-a", "a2", "node-a", "b1", "node-b", "y1", "node-y", "y2", "node-y",
                                "y3", "node-y"),
                        expect("node-a", SKEW, "node-b", OK, "node-x", OK, "node-y", SKEW)),
                Arguments.of("terminating pods do not count",
                        incoming(c(1, HOST, "DoNotSchedule").build()), four,
                        List.of(on("a1", "node-a"), terminating(on("b1", "node-b")), on("x1", "node-x"),
                                on("y1", "node-y")),
                        expect("node-a", SKEW, "node-b", OK, "node-x", SKEW, "node-y", SKEW)),
                Arguments.of("ScheduleAnyway constraints do not filter",
                        incoming(c(1, HOST, "ScheduleAnyway").build()), four,
                        pods("a1", "node-a", "a2", "node-a"),
                        expect("node-a", OK, "node-b", OK, "node-x", OK, "node-y", OK)),
                Arguments.of("two constraints: zone and hostname, only node-x fits",
                        incoming(c(1, ZONE, "DoNotSchedule").build(), c(1, HOST, "DoNotSchedule").build()), four,
                        pods("a1", "node-a", "b1", "node-b", "y1", "node-y", "y2", "node-y"),
                        // zone1 2, zone2 2; hosts a1 b1 x0 y2: a, b and y exceed the host skew
                        expect("node-a", SKEW, "node-b", SKEW, "node-x", OK, "node-y", SKEW)),
                Arguments.of("minDomains 3 > 2 domains: the global minimum is 0",
                        incoming(c(2, ZONE, "DoNotSchedule").withMinDomains(3).build()), four,
                        pods("a1", "node-a", "a2", "node-a", "x1", "node-x"),
                        expect("node-a", SKEW, "node-b", SKEW, "node-x", OK, "node-y", OK)),
                Arguments.of("minDomains 2 = 2 domains: the global minimum is the smallest domain",
                        incoming(c(2, ZONE, "DoNotSchedule").withMinDomains(2).build()), four,
                        pods("a1", "node-a", "a2", "node-a", "x1", "node-x"),
                        expect("node-a", OK, "node-b", OK, "node-x", OK, "node-y", OK)),
                Arguments.of("nodeAffinityPolicy Honor (default): zone2, excluded by the nodeSelector, is no domain",
                        p("p", "foo", "").editSpec().withNodeSelector(Map.of(ZONE, "zone1"))
                                .withTopologySpreadConstraints(c(1, ZONE, "DoNotSchedule").build()).endSpec().build(),
                        four, pods("a1", "node-a", "a2", "node-a"),
                        expect("node-a", OK, "node-b", OK, "node-x", OK, "node-y", OK)),
                Arguments.of("nodeAffinityPolicy Ignore: zone2 with 0 pods is the minimum",
                        p("p", "foo", "").editSpec().withNodeSelector(Map.of(ZONE, "zone1"))
                                .withTopologySpreadConstraints(c(1, ZONE, "DoNotSchedule")
                                        .withNodeAffinityPolicy("Ignore").build()).endSpec().build(),
                        four, pods("a1", "node-a", "a2", "node-a"),
                        expect("node-a", SKEW, "node-b", SKEW, "node-x", OK, "node-y", OK)),
                Arguments.of("nodeTaintsPolicy Honor: the tainted zone3 node is no domain",
                        incoming(c(1, ZONE, "DoNotSchedule").withNodeTaintsPolicy("Honor").build()),
                        List.of(n("node-a", ZONE, "zone1", HOST, "node-a"), n("node-x", ZONE, "zone2", HOST, "node-x"),
                                tainted(n("node-t", ZONE, "zone3", HOST, "node-t"))),
                        pods("a1", "node-a", "x1", "node-x"),
                        expect("node-a", OK, "node-x", OK, "node-t", OK)),
                Arguments.of("nodeTaintsPolicy Ignore (default): the tainted zone3 node is the minimum",
                        incoming(c(1, ZONE, "DoNotSchedule").build()),
                        List.of(n("node-a", ZONE, "zone1", HOST, "node-a"), n("node-x", ZONE, "zone2", HOST, "node-x"),
                                tainted(n("node-t", ZONE, "zone3", HOST, "node-t"))),
                        pods("a1", "node-a", "x1", "node-x"),
                        expect("node-a", SKEW, "node-x", SKEW, "node-t", OK)),
                Arguments.of("matchLabelKeys: only pods of the same revision count",
                        p("p", "foo", "", "rev", "2").editSpec().withTopologySpreadConstraints(
                                c(1, HOST, "DoNotSchedule").withMatchLabelKeys("rev").build()).endSpec().build(),
                        four,
                        List.of(p("a1", "foo", "", "rev", "1").editSpec().withNodeName("node-a").endSpec().build(),
                                p("a2", "foo", "", "rev", "1").editSpec().withNodeName("node-a").endSpec().build(),
                                p("b1", "foo", "", "rev", "2").editSpec().withNodeName("node-b").endSpec().build()),
                        expect("node-a", OK, "node-b", SKEW, "node-x", OK, "node-y", OK)));
    }

    static Pod terminating(Pod pod) {
        return new PodBuilder(pod).editMetadata().withDeletionTimestamp(Instant.now().toString()).endMetadata()
                .build();
    }

    static Node tainted(Node node) {
        node.getSpec().setTaints(List.of(io.kube4j.scheduler.testsupport.TestObjects.taint("k", "v", "NoSchedule")));
        return node;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filterCases")
    void filter(String name, Pod pod, List<Node> nodes, List<Pod> existing, Map<String, String> expected) {
        assertThat(filter(new PodTopologySpread(), pod, snapshot(nodes, existing))).isEqualTo(expected);
    }

    // ---- PreFilterExtensions

    @Test
    void addPodAndRemovePodUpdateACopyOfTheCounts() {
        PodTopologySpread pl = new PodTopologySpread();
        Pod pod = incoming(c(1, HOST, "DoNotSchedule").build());
        Snapshot snap = snapshot(fourNodes(), pods("a1", "node-a", "b1", "node-b", "x1", "node-x"));
        CycleState state = new CycleState();
        state.setSnapshot(snap);
        assertThat(pl.preFilter(state, pod).isSuccess()).isTrue();
        NodeInfo a = snap.get("node-a");
        NodeInfo y = snap.get("node-y");
        assertThat(pl.filter(state, pod, a).isSuccess()).isFalse();
        assertThat(pl.filter(state, pod, y).isSuccess()).isTrue();

        // What if a1 were evicted: node-a has 0, like node-y.
        CycleState whatIf = state.copy();
        pl.removePod(whatIf, pod, on("a1", "node-a"), a);
        assertThat(pl.filter(whatIf, pod, a).isSuccess()).isTrue();
        // ... and a pod were added to node-y: node-y has 1, the minimum is 0 (node-a): 1 + 1 - 0 > 1.
        pl.addPod(whatIf, pod, on("y1", "node-y"), y);
        assertThat(pl.filter(whatIf, pod, y).isSuccess()).isFalse();
        assertThat(pl.filter(whatIf, pod, a).isSuccess()).isTrue();
        pl.removePod(whatIf, pod, on("y1", "node-y"), y);
        assertThat(pl.filter(whatIf, pod, y).isSuccess()).isTrue();
        // A pod that does not match the selector changes nothing.
        pl.addPod(whatIf, pod, p("other").editSpec().withNodeName("node-a").endSpec().build(), a);
        assertThat(pl.filter(whatIf, pod, a).isSuccess()).isTrue();

        // The original state is intact.
        assertThat(pl.filter(state, pod, a).isSuccess()).isFalse();
        assertThat(pl.filter(state, pod, y).isSuccess()).isTrue();
    }

    // ---- Score

    static Map<String, Long> score(PodTopologySpread pl, Pod pod, Snapshot snap, List<String> feasibleNames) {
        CycleState state = new CycleState();
        state.setSnapshot(snap);
        List<NodeInfo> feasible = feasibleNames.stream().map(snap::get).toList();
        Status s = pl.preScore(state, pod, feasible);
        assertThat(s.isSuccess() || s.isSkip()).isTrue();
        long[] scores = new long[feasible.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = pl.score(state, pod, feasible.get(i));
        }
        pl.normalizeScores(state, pod, scores);
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < scores.length; i++) {
            out.put(feasibleNames.get(i), scores[i]);
        }
        return out;
    }

    static Stream<Arguments> scoreCases() {
        List<String> all = List.of("node-a", "node-b", "node-x", "node-y");
        return Stream.of(
                // No matching pods: every node gets the same raw score, normalized to 100.
                Arguments.of("one constraint, no existing pods", incoming(c(1, HOST, "ScheduleAnyway").build()),
                        List.of(), all, Map.of("node-a", 100L, "node-b", 100L, "node-x", 100L, "node-y", 100L)),
                // hostname, 4 feasible nodes: weight ln(6)=1.79; raw a=round(2*1.79)=4, b=2, x=y=0;
                // normalized 100*(max+min-s)/max: a=0, b=50, x=y=100.
                Arguments.of("hostname: fewer matching pods score higher",
                        incoming(c(1, HOST, "ScheduleAnyway").build()),
                        pods("a1", "node-a", "a2", "node-a", "b1", "node-b"), all,
                        Map.of("node-a", 0L, "node-b", 50L, "node-x", 100L, "node-y", 100L)),
                // zone: 2 domains, weight ln(4)=1.386; zone1 has 3 -> raw 4, zone2 has 1 -> raw 1;
                // normalized: zone1 100*(4+1-4)/4=25, zone2 100*(4+1-1)/4=100.
                Arguments.of("zone: nodes in the less loaded zone score higher",
                        incoming(c(1, ZONE, "ScheduleAnyway").build()),
                        pods("a1", "node-a", "a2", "node-a", "b1", "node-b", "y1", "node-y"), all,
                        Map.of("node-a", 25L, "node-b", 25L, "node-x", 100L, "node-y", 100L)),
                // maxSkew adds maxSkew-1 to every raw score: zone1 round(3*1.386+1)=5, zone2 round(1.386+1)=2;
                // normalized zone1 100*(5+2-5)/5=40, zone2 100*(5+2-2)/5=100.
                Arguments.of("zone with maxSkew 2",
                        incoming(c(2, ZONE, "ScheduleAnyway").build()),
                        pods("a1", "node-a", "a2", "node-a", "b1", "node-b", "y1", "node-y"), all,
                        Map.of("node-a", 40L, "node-b", 40L, "node-x", 100L, "node-y", 100L)),
                // A feasible node without the topology key is ignored (score 0).
                Arguments.of("node without the key gets 0",
                        incoming(c(1, "rack", "ScheduleAnyway").build()),
                        List.of(), all, Map.of("node-a", 0L, "node-b", 0L, "node-x", 0L, "node-y", 0L)),
                // Only domains of feasible nodes count: zone2 pods are ignored when only zone1 nodes are feasible.
                Arguments.of("only feasible nodes' domains are counted",
                        incoming(c(1, HOST, "ScheduleAnyway").build()),
                        pods("a1", "node-a", "y1", "node-y", "y2", "node-y"), List.of("node-a", "node-b"),
                        Map.of("node-a", 0L, "node-b", 100L)),
                Arguments.of("DoNotSchedule constraints do not score",
                        incoming(c(1, HOST, "DoNotSchedule").build()),
                        pods("a1", "node-a"), all, Map.of("node-a", 0L, "node-b", 0L, "node-x", 0L, "node-y", 0L)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scoreCases")
    void score(String name, Pod pod, List<Pod> existing, List<String> feasible, Map<String, Long> expected) {
        assertThat(score(new PodTopologySpread(), pod, snapshot(fourNodes(), existing), feasible))
                .isEqualTo(expected);
    }

    // ---- default constraints

    static Lister<Service> services(Service... s) {
        Indexer<Service> idx = new Indexer<>();
        for (Service x : s) {
            idx.add(x);
        }
        return new Lister<>(idx);
    }

    @Test
    void systemDefaultsSpreadByTheServiceSelector() {
        Service svc = new ServiceBuilder().withNewMetadata().withName("web").withNamespace("default").endMetadata()
                .withNewSpec().withSelector(Map.of("app", "web")).endSpec().build();
        PodTopologySpread pl = new PodTopologySpread(PluginArgs.empty(PodTopologySpread.NAME), null,
                new DefaultSelector(services(svc), null, null));
        Pod pod = p("p", "app", "web").build();
        List<Pod> existing = List.of(
                p("w1", "app", "web").editSpec().withNodeName("node-a").endSpec().build(),
                p("w2", "app", "web").editSpec().withNodeName("node-a").endSpec().build(),
                p("o1", "app", "other").editSpec().withNodeName("node-x").endSpec().build());
        Map<String, Long> scores = score(pl, pod, snapshot(fourNodes(), existing),
                List.of("node-a", "node-b", "node-x", "node-y"));
        // node-a holds both web pods: lowest; the other web-free nodes tie at the top.
        assertThat(scores.get("node-a")).isLessThan(scores.get("node-b"));
        assertThat(scores.get("node-b")).isEqualTo(scores.get("node-y"));
        // System defaults are ScheduleAnyway only: filtering lets every node through.
        assertThat(filter(pl, pod, snapshot(fourNodes(), existing)).values()).containsOnly(OK);
        // A pod no Service selects has no default constraints.
        Map<String, Long> none = score(pl, p("q", "app", "db").build(), snapshot(fourNodes(), existing),
                List.of("node-a", "node-b"));
        assertThat(none).containsValues(0L, 0L);
    }

    @Test
    void listDefaultsWithReplicaSetSelectorFilter() {
        ReplicaSet rs = new ReplicaSetBuilder().withNewMetadata().withName("rs").withNamespace("default")
                .endMetadata().withNewSpec().withSelector(new LabelSelectorBuilder()
                        .withMatchLabels(Map.of("app", "web")).build()).endSpec().build();
        Indexer<ReplicaSet> idx = new Indexer<>();
        idx.add(rs);
        PluginArgs args = new PluginArgs(PodTopologySpread.NAME, Map.of("defaultingType", "List",
                "defaultConstraints", List.of(Map.of("maxSkew", 1, "topologyKey", HOST,
                        "whenUnsatisfiable", "DoNotSchedule"))));
        PodTopologySpread pl = new PodTopologySpread(args, null, new DefaultSelector(null, new Lister<>(idx), null));
        Pod pod = p("p", "app", "web").editMetadata().withOwnerReferences(new OwnerReferenceBuilder()
                .withApiVersion("apps/v1").withKind("ReplicaSet").withName("rs").withUid("u").withController(true)
                .build()).endMetadata().build();
        List<Pod> existing = List.of(p("w1", "app", "web").editSpec().withNodeName("node-a").endSpec().build());
        assertThat(filter(pl, pod, snapshot(fourNodes(), existing)))
                .isEqualTo(expect("node-a", SKEW, "node-b", OK, "node-x", OK, "node-y", OK));
        // Without an owner, no selector: no constraint.
        assertThat(filter(pl, p("q", "app", "web").build(), snapshot(fourNodes(), existing)).values())
                .containsOnly(OK);
    }

    static Stream<Arguments> invalidArgs() {
        return Stream.of(
                Arguments.of(Map.of("defaultingType", "Sometimes"), "defaultingType"),
                Arguments.of(Map.of("defaultConstraints", List.of(Map.of("maxSkew", 1, "topologyKey", ZONE,
                        "whenUnsatisfiable", "DoNotSchedule"))), "empty when defaultingType is System"),
                Arguments.of(Map.of("defaultingType", "List", "defaultConstraints", List.of(Map.of("maxSkew", 0,
                        "topologyKey", ZONE, "whenUnsatisfiable", "DoNotSchedule"))), "maxSkew"),
                Arguments.of(Map.of("defaultingType", "List", "defaultConstraints", List.of(Map.of("maxSkew", 1,
                        "whenUnsatisfiable", "DoNotSchedule"))), "topologyKey"),
                Arguments.of(Map.of("defaultingType", "List", "defaultConstraints", List.of(Map.of("maxSkew", 1,
                        "topologyKey", ZONE, "whenUnsatisfiable", "Maybe"))), "whenUnsatisfiable"),
                Arguments.of(Map.of("defaultingType", "List", "defaultConstraints", List.of(Map.of("maxSkew", 1,
                        "topologyKey", ZONE, "whenUnsatisfiable", "DoNotSchedule", "labelSelector", Map.of()))),
                        "labelSelector"),
                Arguments.of(Map.of("defaultingType", "List", "defaultConstraints", List.of(
                        Map.of("maxSkew", 1, "topologyKey", ZONE, "whenUnsatisfiable", "DoNotSchedule"),
                        Map.of("maxSkew", 2, "topologyKey", ZONE, "whenUnsatisfiable", "DoNotSchedule"))),
                        "unique"));
    }

    @ParameterizedTest
    @MethodSource("invalidArgs")
    void invalidArgsAreRejectedWithTheKey(Map<String, Object> args, String mentioned) {
        assertThatThrownBy(() -> new PodTopologySpread(new PluginArgs(PodTopologySpread.NAME, args), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(mentioned);
    }
}
