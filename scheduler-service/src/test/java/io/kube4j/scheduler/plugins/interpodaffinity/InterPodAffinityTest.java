package io.kube4j.scheduler.plugins.interpodaffinity;

import static io.kube4j.scheduler.testsupport.TestObjects.node;
import static io.kube4j.scheduler.testsupport.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodAffinityTermBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;
import io.kube4j.client.informer.Indexer;
import io.kube4j.client.informer.Lister;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.PluginArgs;
import io.kube4j.scheduler.framework.Snapshot;
import io.kube4j.scheduler.framework.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Filter and Score cases after Kubernetes' interpodaffinity filtering_test.go and scoring_test.go. */
class InterPodAffinityTest {

    static final String REGION = "region";
    static final String HOST = "kubernetes.io/hostname";
    static final String OK = "ok";
    static final String AFFINITY = "affinity";
    static final String ANTI = "anti";
    static final String EXISTING_ANTI = "existing-anti";

    // ---- builders

    static Node n(String name, String... kv) {
        Map<String, String> labels = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            labels.put(kv[i], kv[i + 1]);
        }
        labels.put(HOST, name);
        return node(name, "4", "8Gi").editMetadata().withLabels(labels).endMetadata().build();
    }

    /** node1, node2 in region r1; node3 in r2. */
    static List<Node> threeNodes() {
        return List.of(n("node1", REGION, "r1"), n("node2", REGION, "r1"), n("node3", REGION, "r2"));
    }

    static PodBuilder p(String name, String... kv) {
        Map<String, String> labels = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            labels.put(kv[i], kv[i + 1]);
        }
        return pod(name).editMetadata().withLabels(labels).endMetadata();
    }

    static Pod at(PodBuilder b, String node) {
        return b.editSpec().withNodeName(node).endSpec().build();
    }

    static LabelSelector sel(String key, String op, String... values) {
        return new LabelSelectorBuilder().addNewMatchExpression().withKey(key).withOperator(op).withValues(values)
                .endMatchExpression().build();
    }

    static PodAffinityTerm term(LabelSelector s, String topologyKey) {
        return new PodAffinityTermBuilder().withLabelSelector(s).withTopologyKey(topologyKey).build();
    }

    static PodBuilder affinity(PodBuilder b, PodAffinityTerm... terms) {
        return b.editSpec().editOrNewAffinity().editOrNewPodAffinity()
                .addToRequiredDuringSchedulingIgnoredDuringExecution(terms).endPodAffinity().endAffinity().endSpec();
    }

    static PodBuilder anti(PodBuilder b, PodAffinityTerm... terms) {
        return b.editSpec().editOrNewAffinity().editOrNewPodAntiAffinity()
                .addToRequiredDuringSchedulingIgnoredDuringExecution(terms).endPodAntiAffinity().endAffinity()
                .endSpec();
    }

    static PodBuilder preferred(PodBuilder b, int weight, PodAffinityTerm t) {
        return b.editSpec().editOrNewAffinity().editOrNewPodAffinity()
                .addToPreferredDuringSchedulingIgnoredDuringExecution(new WeightedPodAffinityTerm(t, weight))
                .endPodAffinity().endAffinity().endSpec();
    }

    static PodBuilder preferredAnti(PodBuilder b, int weight, PodAffinityTerm t) {
        return b.editSpec().editOrNewAffinity().editOrNewPodAntiAffinity()
                .addToPreferredDuringSchedulingIgnoredDuringExecution(new WeightedPodAffinityTerm(t, weight))
                .endPodAntiAffinity().endAffinity().endSpec();
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

    static Map<String, String> filter(InterPodAffinity pl, Pod pod, Snapshot snap) {
        CycleState state = new CycleState();
        state.setSnapshot(snap);
        Status pre = pl.preFilter(state, pod);
        Map<String, String> out = new LinkedHashMap<>();
        for (NodeInfo n : snap.nodes()) {
            out.put(n.name(), pre.isRejected() ? pre.code() + ": " + pre.message()
                    : outcome(pl.filter(state, pod, n)));
        }
        return out;
    }

    static String outcome(Status s) {
        if (s.isSuccess()) {
            return OK;
        }
        if (s.code() == Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE
                && s.reasons().equals(List.of(InterPodAffinity.ERR_REASON_AFFINITY_RULES_NOT_MATCH))) {
            return AFFINITY;
        }
        if (s.code() == Status.Code.UNSCHEDULABLE
                && s.reasons().equals(List.of(InterPodAffinity.ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH))) {
            return ANTI;
        }
        if (s.code() == Status.Code.UNSCHEDULABLE
                && s.reasons().equals(List.of(InterPodAffinity.ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH))) {
            return EXISTING_ANTI;
        }
        return s.code() + ": " + s.message();
    }

    static Map<String, String> expect(String n1, String n2, String n3) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("node1", n1);
        m.put("node2", n2);
        m.put("node3", n3);
        return m;
    }

    static Lister<Namespace> namespaces(Namespace... ns) {
        Indexer<Namespace> idx = new Indexer<>();
        for (Namespace n : ns) {
            idx.add(n);
        }
        return new Lister<>(idx);
    }

    static Namespace ns(String name, String... kv) {
        Map<String, String> labels = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            labels.put(kv[i], kv[i + 1]);
        }
        return new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata().build();
    }

    // ---- Filter

    static Stream<Arguments> filterCases() {
        PodBuilder secscan = p("e", "service", "securityscan");
        return Stream.of(
                Arguments.of("no affinity: any node", p("p").build(), List.of(), expect(OK, OK, OK)),
                Arguments.of("affinity In matches the existing pod's region",
                        affinity(p("p"), term(sel("service", "In", "securityscan", "value2"), REGION)).build(),
                        List.of(at(p("e", "service", "securityscan"), "node1")), expect(OK, OK, AFFINITY)),
                Arguments.of("affinity In value2 matches neither the existing pod nor the pod itself",
                        affinity(p("p"), term(sel("service", "In", "value2"), REGION)).build(),
                        List.of(at(secscan, "node1")), expect(AFFINITY, AFFINITY, AFFINITY)),
                Arguments.of("affinity NotIn: no existing pod matches but the pod matches itself (first pod)",
                        affinity(p("p"), term(sel("service", "NotIn", "securityscan"), REGION)).build(),
                        List.of(at(secscan, "node1")), expect(OK, OK, OK)),
                Arguments.of("affinity Exists matches only in a region with a matching pod",
                        affinity(p("p"), term(sel("service", "Exists"), REGION)).build(),
                        List.of(at(p("e", "service", "x"), "node3")), expect(AFFINITY, AFFINITY, OK)),
                Arguments.of("the first pod of a group with affinity to itself goes anywhere with the key",
                        affinity(p("p", "service", "securityscan"), term(sel("service", "In", "securityscan"),
                                REGION)).build(), List.of(), expect(OK, OK, OK)),
                Arguments.of("first-pod exception needs the topology key on the node",
                        affinity(p("p", "service", "securityscan"), term(sel("service", "In", "securityscan"),
                                "zone")).build(), List.of(), expect(AFFINITY, AFFINITY, AFFINITY)),
                Arguments.of("first-pod exception not when another pod matches elsewhere",
                        affinity(p("p", "service", "securityscan"), term(sel("service", "In", "securityscan"),
                                HOST)).build(), List.of(at(secscan, "node2")), expect(AFFINITY, OK, AFFINITY)),
                Arguments.of("affinity does not match pods of another namespace",
                        affinity(p("p"), term(sel("service", "Exists"), REGION)).build(),
                        List.of(at(p("e", "service", "x").editMetadata().withNamespace("other").endMetadata(),
                                "node1")), expect(AFFINITY, AFFINITY, AFFINITY)),
                Arguments.of("affinity with namespaces matches pods of the named namespace",
                        affinity(p("p"), new PodAffinityTermBuilder().withLabelSelector(sel("service", "Exists"))
                                .withTopologyKey(REGION).withNamespaces("other").build()).build(),
                        List.of(at(p("e", "service", "x").editMetadata().withNamespace("other").endMetadata(),
                                "node1")), expect(OK, OK, AFFINITY)),
                Arguments.of("anti-affinity on hostname keeps the pod off the node of a matching pod",
                        anti(p("p"), term(sel("service", "In", "securityscan"), HOST)).build(),
                        List.of(at(secscan, "node1")), expect(ANTI, OK, OK)),
                Arguments.of("anti-affinity on region keeps the pod out of the region",
                        anti(p("p"), term(sel("service", "In", "securityscan"), REGION)).build(),
                        List.of(at(secscan, "node1")), expect(ANTI, ANTI, OK)),
                Arguments.of("existing pod's anti-affinity matching the incoming pod",
                        p("p", "app", "web").build(),
                        List.of(at(anti(p("e"), term(sel("app", "In", "web"), REGION)), "node1")),
                        expect(EXISTING_ANTI, EXISTING_ANTI, OK)),
                Arguments.of("existing pod's anti-affinity not matching the incoming pod",
                        p("p", "app", "db").build(),
                        List.of(at(anti(p("e"), term(sel("app", "In", "web"), REGION)), "node1")),
                        expect(OK, OK, OK)),
                Arguments.of("affinity satisfied but anti-affinity violated on the same node",
                        anti(affinity(p("p"), term(sel("service", "In", "securityscan"), REGION)),
                                term(sel("service", "In", "securityscan"), HOST)).build(),
                        List.of(at(secscan, "node1")), expect(ANTI, OK, AFFINITY)),
                Arguments.of("several affinity terms must all match the same pods",
                        affinity(p("p"), term(sel("service", "In", "securityscan"), REGION),
                                term(sel("team", "In", "sec"), REGION)).build(),
                        List.of(at(secscan, "node1"), at(p("t", "team", "sec"), "node3")),
                        expect(AFFINITY, AFFINITY, AFFINITY)),
                Arguments.of("an invalid selector rejects the pod",
                        affinity(p("p"), term(sel("service", "In"), REGION)).build(), List.of(),
                        expect("UNSCHEDULABLE_AND_UNRESOLVABLE: parsing pod: for 'in', 'notin' operators, values set"
                                + " can't be empty", "UNSCHEDULABLE_AND_UNRESOLVABLE: parsing pod: for 'in', 'notin'"
                                + " operators, values set can't be empty", "UNSCHEDULABLE_AND_UNRESOLVABLE: parsing"
                                + " pod: for 'in', 'notin' operators, values set can't be empty")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filterCases")
    void filter(String name, Pod pod, List<Pod> existing, Map<String, String> expected) {
        assertThat(filter(new InterPodAffinity(), pod, snapshot(threeNodes(), existing))).isEqualTo(expected);
    }

    @Test
    void namespaceSelectorsResolveThroughTheNamespaceLister() {
        InterPodAffinity pl = new InterPodAffinity(1, null, namespaces(ns("default", "team", "a"),
                ns("other", "team", "b")));
        Pod inOther = at(p("e", "service", "x").editMetadata().withNamespace("other").endMetadata(), "node1");
        Pod selectsTeamB = affinity(p("p"), new PodAffinityTermBuilder().withLabelSelector(sel("service", "Exists"))
                .withTopologyKey(REGION).withNamespaceSelector(sel("team", "In", "b")).build()).build();
        assertThat(filter(pl, selectsTeamB, snapshot(threeNodes(), List.of(inOther))))
                .isEqualTo(expect(OK, OK, AFFINITY));
        // An empty namespace selector selects every namespace.
        Pod selectsAll = affinity(p("p"), new PodAffinityTermBuilder().withLabelSelector(sel("service", "Exists"))
                .withTopologyKey(REGION).withNamespaceSelector(new LabelSelector()).build()).build();
        assertThat(filter(pl, selectsAll, snapshot(threeNodes(), List.of(inOther))))
                .isEqualTo(expect(OK, OK, AFFINITY));
        // An existing pod's anti-affinity with a namespace selector is matched against the incoming pod's
        // namespace labels (default has team=a).
        Pod existingAnti = at(anti(p("e").editMetadata().withNamespace("other").endMetadata(),
                new PodAffinityTermBuilder().withLabelSelector(sel("app", "In", "web")).withTopologyKey(HOST)
                        .withNamespaceSelector(sel("team", "In", "a")).build()), "node2");
        assertThat(filter(pl, p("p", "app", "web").build(), snapshot(threeNodes(), List.of(existingAnti))))
                .isEqualTo(expect(OK, EXISTING_ANTI, OK));
    }

    @Test
    void addPodAndRemovePodUpdateACopyOfTheCounts() {
        InterPodAffinity pl = new InterPodAffinity();
        Pod pod = anti(p("p", "app", "web"), term(sel("app", "In", "web"), HOST)).build();
        Pod replica = at(anti(p("r1", "app", "web"), term(sel("app", "In", "web"), HOST)), "node1");
        Snapshot snap = snapshot(threeNodes(), List.of(replica));
        CycleState state = new CycleState();
        state.setSnapshot(snap);
        assertThat(pl.preFilter(state, pod).isSuccess()).isTrue();
        NodeInfo node1 = snap.get("node1");
        NodeInfo node2 = snap.get("node2");
        assertThat(outcome(pl.filter(state, pod, node1))).isEqualTo(ANTI);

        CycleState whatIf = state.copy();
        pl.removePod(whatIf, pod, replica, node1);
        assertThat(outcome(pl.filter(whatIf, pod, node1))).isEqualTo(OK);
        pl.addPod(whatIf, pod, at(anti(p("r2", "app", "web"), term(sel("app", "In", "web"), HOST)), "node2"), node2);
        assertThat(outcome(pl.filter(whatIf, pod, node2))).isEqualTo(ANTI);
        // An added pod whose anti-affinity selects the incoming pod blocks its topology too.
        pl.addPod(whatIf, pod, at(anti(p("x", "other", "1"), term(sel("app", "In", "web"), REGION)), "node1"),
                node1);
        assertThat(outcome(pl.filter(whatIf, pod, node1))).isEqualTo(EXISTING_ANTI);

        assertThat(outcome(pl.filter(state, pod, node1))).isEqualTo(ANTI);
        assertThat(outcome(pl.filter(state, pod, node2))).isEqualTo(OK);
    }

    // ---- Score

    static Map<String, Long> score(InterPodAffinity pl, Pod pod, Snapshot snap) {
        CycleState state = new CycleState();
        state.setSnapshot(snap);
        List<NodeInfo> feasible = snap.nodes();
        Status s = pl.preScore(state, pod, feasible);
        assertThat(s.isSuccess() || s.isSkip()).as(s.message()).isTrue();
        long[] scores = new long[feasible.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = pl.score(state, pod, feasible.get(i));
        }
        pl.normalizeScores(state, pod, scores);
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < scores.length; i++) {
            out.put(feasible.get(i).name(), scores[i]);
        }
        return out;
    }

    static Map<String, Long> scores(long n1, long n2, long n3) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("node1", n1);
        m.put("node2", n2);
        m.put("node3", n3);
        return m;
    }

    static Stream<Arguments> scoreCases() {
        PodBuilder secscan = p("e", "security", "S1");
        return Stream.of(
                Arguments.of("no affinity anywhere: all 0", p("p").build(), List.of(at(secscan, "node1")), 1,
                        scores(0, 0, 0)),
                Arguments.of("preferred affinity: the matching pod's region scores highest",
                        preferred(p("p"), 5, term(sel("security", "In", "S1"), REGION)).build(),
                        List.of(at(secscan, "node1")), 1, scores(100, 100, 0)),
                Arguments.of("preferred affinity by weight: heavier term's topology wins",
                        preferred(preferred(p("p"), 8, term(sel("security", "In", "S1"), REGION)), 2,
                                term(sel("security", "In", "S2"), HOST)).build(),
                        List.of(at(secscan, "node1"), at(p("e2", "security", "S2"), "node3")), 1,
                        // node1, node2 = 8; node3 = 2 -> (v-2)/6
                        scores(100, 100, 0)),
                Arguments.of("preferred anti-affinity: the matching pod's region scores lowest",
                        preferredAnti(p("p"), 5, term(sel("security", "In", "S1"), REGION)).build(),
                        List.of(at(secscan, "node1")), 1, scores(0, 0, 100)),
                Arguments.of("affinity and anti-affinity combine: 5 - 3 on node1's region, -3 on node3's host",
                        preferredAnti(preferred(p("p"), 5, term(sel("security", "In", "S1"), REGION)), 3,
                                term(sel("security", "Exists"), HOST)).build(),
                        List.of(at(secscan, "node1"), at(p("e2", "security", "S2"), "node3")), 1,
                        // node1 5-3=2, node2 5, node3 -3 -> min -3, max 5: node1 62, node2 100, node3 0
                        scores(62, 100, 0)),
                Arguments.of("existing pod's required affinity attracts at hardPodAffinityWeight",
                        p("p", "app", "web").build(),
                        List.of(at(affinity(p("e"), term(sel("app", "In", "web"), REGION)), "node3")), 1,
                        scores(0, 0, 100)),
                Arguments.of("hardPodAffinityWeight 0 ignores existing pods' required affinity",
                        p("p", "app", "web").build(),
                        List.of(at(affinity(p("e"), term(sel("app", "In", "web"), REGION)), "node3")), 0,
                        scores(0, 0, 0)),
                Arguments.of("existing pod's preferred anti-affinity repels",
                        p("p", "app", "web").build(),
                        List.of(at(preferredAnti(p("e"), 10, term(sel("app", "In", "web"), HOST)), "node2")), 1,
                        scores(100, 0, 100)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scoreCases")
    void score(String name, Pod pod, List<Pod> existing, int hardWeight, Map<String, Long> expected) {
        InterPodAffinity pl = new InterPodAffinity(new PluginArgs(InterPodAffinity.NAME,
                Map.of("hardPodAffinityWeight", hardWeight)), null);
        assertThat(score(pl, pod, snapshot(threeNodes(), existing))).isEqualTo(expected);
    }

    @Test
    void hardPodAffinityWeightOutOfRangeIsRejected() {
        assertThatThrownBy(() -> new InterPodAffinity(new PluginArgs(InterPodAffinity.NAME,
                Map.of("hardPodAffinityWeight", 101)), null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hardPodAffinityWeight");
    }
}
