package io.kube4j.cli.commands.rollout;

import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.command.CliException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** kubectl's status viewers on hand-made objects: each branch of rollout_status.go. */
class StatusViewerTest {

    private static JsonNode json(String s) {
        return Codecs.json().readTree(s.replace('\'', '"'));
    }

    private static JsonNode deployment(int generation, String status) {
        return json("{'metadata':{'name':'web','generation':" + generation
                + ",'annotations':{'deployment.kubernetes.io/revision':'2'}},'spec':{'replicas':3},'status':" + status
                + "}");
    }

    @Test
    void deploymentBranches() {
        assertThat(StatusViewer.status("Deployment", deployment(2, "{'observedGeneration':1}"), 0)).isEqualTo(
                new StatusViewer.Status("Waiting for deployment spec update to be observed...", false));
        assertThat(StatusViewer.status("Deployment", deployment(2, "{'observedGeneration':2,'updatedReplicas':1}"), 0)
                .message()).isEqualTo("Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have "
                + "been updated...");
        assertThat(StatusViewer.status("Deployment", deployment(2,
                "{'observedGeneration':2,'updatedReplicas':3,'replicas':4}"), 0).message())
                .isEqualTo("Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending termination...");
        assertThat(StatusViewer.status("Deployment", deployment(2,
                "{'observedGeneration':2,'updatedReplicas':3,'replicas':3,'availableReplicas':1}"), 0).message())
                .isEqualTo("Waiting for deployment \"web\" rollout to finish: 1 of 3 updated replicas are available...");
        assertThat(StatusViewer.status("Deployment", deployment(2,
                "{'observedGeneration':2,'updatedReplicas':3,'replicas':3,'availableReplicas':3}"), 2)).isEqualTo(
                new StatusViewer.Status("deployment \"web\" successfully rolled out", true));
        assertThatThrownBy(() -> StatusViewer.status("Deployment", deployment(2, "{'observedGeneration':2,"
                + "'conditions':[{'type':'Progressing','status':'False','reason':'ProgressDeadlineExceeded'}]}"), 0))
                .isInstanceOf(CliException.class).hasMessage("deployment \"web\" exceeded its progress deadline");
        assertThatThrownBy(() -> StatusViewer.status("Deployment", deployment(2, "{}"), 5))
                .hasMessage("desired revision (5) is different from the running revision (2)");
    }

    @Test
    void daemonSetAndStatefulSetBranches() {
        JsonNode ds = json("{'metadata':{'name':'agent','generation':1},'status':{'observedGeneration':1,"
                + "'desiredNumberScheduled':2,'updatedNumberScheduled':2,'numberAvailable':1}}");
        assertThat(StatusViewer.status("DaemonSet", ds, 0).message())
                .isEqualTo("Waiting for daemon set \"agent\" rollout to finish: 1 of 2 updated pods are available...");
        assertThatThrownBy(() -> StatusViewer.status("DaemonSet", json("{'metadata':{'name':'a'},'spec':"
                + "{'updateStrategy':{'type':'OnDelete'}}}"), 0))
                .hasMessage("rollout status is only available for RollingUpdate strategy type");
        JsonNode sts = json("{'metadata':{'name':'db','generation':1},'spec':{'replicas':2,'updateStrategy':"
                + "{'type':'RollingUpdate'}},'status':{'observedGeneration':1,'readyReplicas':2,'updatedReplicas':2,"
                + "'currentReplicas':2,'updateRevision':'db-1','currentRevision':'db-1'}}");
        assertThat(StatusViewer.status("StatefulSet", sts, 0)).isEqualTo(
                new StatusViewer.Status("statefulset rolling update complete 2 pods at revision db-1...", true));
        JsonNode partitioned = json("{'metadata':{'name':'db','generation':1},'spec':{'replicas':3,'updateStrategy':"
                + "{'type':'RollingUpdate','rollingUpdate':{'partition':1}}},'status':{'observedGeneration':1,"
                + "'readyReplicas':3,'updatedReplicas':1}}");
        assertThat(StatusViewer.status("StatefulSet", partitioned, 0).message()).isEqualTo(
                "Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated...");
    }

    @Test
    void theProgressBarShowsCountsAndTheCondition() {
        JsonNode d = deployment(2, "{'updatedReplicas':2,'readyReplicas':2,'availableReplicas':1,'conditions':"
                + "[{'type':'Progressing','status':'True','reason':'ReplicaSetUpdated'}]}");
        assertThat(ProgressBar.render(ProgressBar.counts("Deployment", d), io.kube4j.cli.output.Colors.NONE))
                .isEqualTo("[######======........] 2/3 updated  2/3 ready  1/3 available  ReplicaSetUpdated");
    }

    @Test
    void undoPicksThePreviousRevisionByDefault() {
        var rs1 = (tools.jackson.databind.node.ObjectNode) json("{'metadata':{'name':'a','annotations':"
                + "{'deployment.kubernetes.io/revision':'1'}}}");
        var rs3 = (tools.jackson.databind.node.ObjectNode) json("{'metadata':{'name':'c','annotations':"
                + "{'deployment.kubernetes.io/revision':'3'}}}");
        var rs2 = (tools.jackson.databind.node.ObjectNode) json("{'metadata':{'name':'b','annotations':"
                + "{'deployment.kubernetes.io/revision':'2'}}}");
        assertThat(RolloutUndoCommand.target(java.util.List.of(rs1, rs3, rs2), "web", 0)).isSameAs(rs2);
        assertThat(RolloutUndoCommand.target(java.util.List.of(rs1, rs3, rs2), "web", 1)).isSameAs(rs1);
        assertThatThrownBy(() -> RolloutUndoCommand.target(java.util.List.of(rs1), "web", 0))
                .hasMessage("no rollout history found for deployment \"web\"");
    }
}
