package io.kube4j.cli.commands.rollout;

import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code k4j rollout history deployment/NAME [--revision=N]}: the revisions of a Deployment from its ReplicaSets'
 * {@code deployment.kubernetes.io/revision} and {@code kubernetes.io/change-cause} annotations (of a StatefulSet or
 * DaemonSet from its ControllerRevisions' numbers and change-cause annotations), or one revision's pod template,
 * printed as kubectl prints them.
 */
@Component
public class RolloutHistoryCommand extends KubeCommand {

    public RolloutHistoryCommand() {
        super("rollout history", "View rollout history");
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.integer("--revision", "N", 0, "See the details, including podTemplate of the revision specified");
        b.string("-l, --selector", "SELECTOR", null, "Selector (label query) to filter on");
        b.positionals("(TYPE NAME | TYPE/NAME)", "deployments");
    }

    @Override
    protected String examples() {
        return "  # View the rollout history of a deployment\n  k4j rollout history deployment/abc\n\n"
                + "  # View the details of deployment revision 3\n  k4j rollout history deployment/abc --revision=3";
    }

    @Override
    protected int run(Invocation inv) {
        long revision = inv.flags().integer("revision");
        if (revision < 0) {
            throw new io.kube4j.cli.command.UsageException("revision must be a positive integer: " + revision);
        }
        List<Workloads.Obj> objs = Workloads.objects(inv, inv.args(), inv.flags().string("selector"), false);
        for (Workloads.Obj o : objs) {
            if (!Workloads.isKind(o, "apps", "Deployment") && !Workloads.hasControllerRevisions(o)) {
                throw new CliException("no history viewer has been implemented for " + Workloads.groupKind(
                        o.resource()));
            }
        }
        for (Workloads.Obj o : objs) {
            // a Deployment's revisions are its ReplicaSets; a StatefulSet's or DaemonSet's its ControllerRevisions
            boolean revisions = Workloads.hasControllerRevisions(o);
            Map<Long, ObjectNode> byRevision = new TreeMap<>();
            for (ObjectNode rs : revisions ? Workloads.controllerRevisionsOf(inv, o) : Workloads.replicaSetsOf(inv, o)) {
                byRevision.put(revisions ? rs.path("revision").asLong(0) : Workloads.revision(rs), rs);
            }
            String info;
            if (byRevision.isEmpty()) {
                info = "No rollout history found.";
            } else if (revision > 0) {
                ObjectNode rs = byRevision.get(revision);
                if (rs == null) {
                    throw new CliException("unable to find the specified revision");
                }
                if (revisions) {
                    info = PodTemplates.describe(Workloads.revisionTemplate(rs), "");
                } else {
                    String cause = changeCause(rs);
                    info = PodTemplates.describe(rs.path("spec").path("template"),
                            cause.equals("<none>") ? "" : cause);
                }
            } else {
                // kubectl's tabbedString: a tabwriter with padding 2
                int width = Math.max("REVISION".length(),
                        byRevision.keySet().stream().mapToInt(r -> String.valueOf(r).length()).max().orElse(0)) + 2;
                StringBuilder t = new StringBuilder(pad("REVISION", width)).append("CHANGE-CAUSE\n");
                byRevision.forEach((rev, rs) -> t.append(pad(String.valueOf(rev), width)).append(changeCause(rs))
                        .append('\n'));
                info = t.toString();
            }
            String with = revision > 0 ? "with revision #" + revision : "";
            inv.out().println(o.ref() + " " + with + "\n" + info);
        }
        return 0;
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(width - s.length());
    }

    /**
     * The ReplicaSet's (or ControllerRevision's) change-cause (kubectl reads the revision's annotation), {@code <none>}
     * when absent.
     */
    static String changeCause(JsonNode rs) {
        String c = rs.path("metadata").path("annotations").path(Workloads.CHANGE_CAUSE).asString("");
        return c.isEmpty() ? "<none>" : c;
    }
}
