package io.kube4j.cli.commands.nodes;

import io.kube4j.api.codec.Codecs;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** kubectl's taint parsing and arithmetic, and drain's pod filters. */
class TaintsTest {

    private static final Taints.Taint DEDICATED = new Taints.Taint("dedicated", "a", "NoSchedule");

    @Test
    void parsesSpecs() {
        Taints.Changes c = Taints.parse(List.of("k=v:NoSchedule", "x:NoExecute-", "y-"));
        assertThat(c.add()).containsExactly(new Taints.Taint("k", "v", "NoSchedule"));
        assertThat(c.remove()).containsExactly(new Taints.Taint("x", "", "NoExecute"), new Taints.Taint("y", "", ""));
        assertThatThrownBy(() -> Taints.parse(List.of("k=v"))).hasMessageStartingWith("invalid taint spec: k=v, ");
        assertThatThrownBy(() -> Taints.parse(List.of("k")))
                .hasMessage("unknown taint spec: k");
        assertThatThrownBy(() -> Taints.parse(List.of("k=v:Never")))
                .hasMessage("invalid taint effect: Never, unsupported taint effect");
        assertThatThrownBy(() -> Taints.parse(List.of("a=b=c:NoSchedule"))).hasMessage(
                "invalid taint spec: a=b=c:NoSchedule");
    }

    @Test
    void addsOverwritesAndRemoves() {
        assertThat(Taints.apply("n", List.of(), Taints.parse(List.of("dedicated=a:NoSchedule")), false))
                .isEqualTo(new Taints.Result(List.of(DEDICATED), "tainted"));
        assertThatThrownBy(() -> Taints.apply("n", List.of(DEDICATED), Taints.parse(List.of("dedicated=b:NoSchedule")),
                false)).hasMessage("node n already has dedicated taint(s) with same effect(s) and --overwrite is false");
        assertThat(Taints.apply("n", List.of(DEDICATED), Taints.parse(List.of("dedicated=b:NoSchedule")), true))
                .isEqualTo(new Taints.Result(List.of(new Taints.Taint("dedicated", "b", "NoSchedule")), "modified"));
        assertThat(Taints.apply("n", List.of(DEDICATED), Taints.parse(List.of("dedicated-")), false))
                .isEqualTo(new Taints.Result(List.of(), "untainted"));
        assertThatThrownBy(() -> Taints.apply("n", List.of(), Taints.parse(List.of("gpu:NoExecute-")), false))
                .hasMessage("taint \"gpu:NoExecute\" not found");
        assertThat(Taints.apply("n", List.of(DEDICATED), Taints.parse(List.of("dedicated-", "x=1:NoSchedule")), false)
                .operation()).isEqualTo("modified");
    }

    private static ObjectNode pod(String json) {
        return (ObjectNode) Codecs.json().readTree(json.replace('\'', '"'));
    }

    @Test
    void drainFiltersAsKubectl() {
        ObjectNode bare = pod("{'metadata':{'name':'bare','namespace':'ns'}}");
        ObjectNode ds = pod("{'metadata':{'name':'agent','namespace':'ns','ownerReferences':[{'kind':'DaemonSet',"
                + "'controller':true}]}}");
        ObjectNode scratch = pod("{'metadata':{'name':'scratch','namespace':'ns','ownerReferences':[{'kind':"
                + "'ReplicaSet','controller':true}]},'spec':{'volumes':[{'name':'tmp','emptyDir':{}}]}}");
        ObjectNode done = pod("{'metadata':{'name':'done','namespace':'ns'},'status':{'phase':'Succeeded'}}");
        List<DrainCommand.Decision> strict = List.of(bare, ds, scratch, done).stream()
                .map(p -> DrainCommand.decide(p, false, false, false)).toList();
        assertThat(DrainCommand.grouped(strict, true)).isEqualTo("[cannot delete Pods declare no controller (use "
                + "--force to override): ns/bare, cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to "
                + "ignore): ns/agent, cannot delete Pods with local storage (use --delete-emptydir-data to override): "
                + "ns/scratch]");
        List<DrainCommand.Decision> lenient = List.of(bare, ds, scratch, done).stream()
                .map(p -> DrainCommand.decide(p, true, true, true)).toList();
        assertThat(DrainCommand.grouped(lenient, true)).isEmpty();
        assertThat(DrainCommand.grouped(lenient, false)).isEqualTo(
                "deleting Pods that declare no controller: ns/bare; ignoring DaemonSet-managed Pods: ns/agent");
        assertThat(lenient).extracting(DrainCommand.Decision::delete).containsExactly(true, false, true, true);
    }
}
