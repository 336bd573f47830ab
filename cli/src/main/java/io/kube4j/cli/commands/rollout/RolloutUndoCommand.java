package io.kube4j.cli.commands.rollout;

import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.client.PatchType;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Set;

/**
 * {@code k4j rollout undo deployment/NAME [--to-revision=N]}: kubectl's rollback — the pod template of the
 * ReplicaSet of the wanted revision (the previous one by default), without its {@code pod-template-hash} label, and
 * that ReplicaSet's annotations are written into the Deployment with one JSON patch; the deployment controller then
 * rolls it out as a new revision. For a StatefulSet or DaemonSet the wanted ControllerRevision's data (a strategic
 * merge patch restoring the template) is applied as is.
 */
@Component
public class RolloutUndoCommand extends KubeCommand {

    /** The Deployment's own annotations kubectl keeps (and the ReplicaSet's it does not copy). */
    static final Set<String> ANNOTATIONS_TO_SKIP = Set.of("kubectl.kubernetes.io/last-applied-configuration",
            Workloads.REVISION, "deployment.kubernetes.io/revision-history", "deployment.kubernetes.io/desired-replicas",
            "deployment.kubernetes.io/max-replicas", "deprecated.deployment.rollback.to");

    public RolloutUndoCommand() {
        super("rollout undo", "Undo a previous rollout");
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.integer("--to-revision", "N", 0, "The revision to rollback to. Default to 0 (last revision).");
        b.string("-l, --selector", "SELECTOR", null, "Selector (label query) to filter on");
        b.positionals("(TYPE NAME | TYPE/NAME)", "deployments");
    }

    @Override
    protected String examples() {
        return "  # Roll back to the previous deployment\n  k4j rollout undo deployment/abc\n\n"
                + "  # Roll back to revision 3\n  k4j rollout undo deployment/abc --to-revision=3";
    }

    @Override
    protected int run(Invocation inv) {
        long toRevision = inv.flags().integer("to-revision");
        if (toRevision < 0) {
            throw new io.kube4j.cli.command.UsageException("revision must be a positive integer: " + toRevision);
        }
        for (Workloads.Obj d : Workloads.objects(inv, inv.args(), inv.flags().string("selector"), false)) {
            if (Workloads.hasControllerRevisions(d)) {
                inv.out().println(d.ref() + " " + rollbackToControllerRevision(inv, d, toRevision));
                continue;
            }
            if (!Workloads.isKind(d, "apps", "Deployment")) {
                throw new CliException("no rollbacker has been implemented for " + Workloads.groupKind(d.resource()));
            }
            inv.out().println(d.ref() + " " + rollback(inv, d, toRevision));
        }
        return 0;
    }

    private String rollback(Invocation inv, Workloads.Obj d, long toRevision) {
        if (d.tree().path("spec").path("paused").asBoolean(false)) {
            throw new CliException("you cannot rollback a paused deployment; resume it first with 'k4j rollout "
                    + "resume' and try again");
        }
        List<ObjectNode> all = Workloads.replicaSetsOf(inv, d);
        ObjectNode rs = target(all, d.name(), toRevision);
        ObjectNode template = withoutHash(rs.path("spec").path("template"));
        if (template.equals(withoutHash(d.tree().path("spec").path("template")))) {
            return "skipped rollback (current template already matches revision " + Workloads.revision(rs) + ")";
        }
        ObjectNode annotations = Codecs.json().createObjectNode();
        d.tree().path("metadata").path("annotations").properties().forEach(e -> {
            if (ANNOTATIONS_TO_SKIP.contains(e.getKey())) {
                annotations.set(e.getKey(), e.getValue());
            }
        });
        rs.path("metadata").path("annotations").properties().forEach(e -> {
            if (!ANNOTATIONS_TO_SKIP.contains(e.getKey())) {
                annotations.set(e.getKey(), e.getValue());
            }
        });
        ArrayNode patch = Codecs.json().createArrayNode();
        patch.addObject().put("op", "replace").put("path", "/spec/template").set("value", template);
        patch.addObject().put("op", "replace").put("path", "/metadata/annotations").set("value", annotations);
        Workloads.client(inv, d.resource()).patch(d.namespace(), d.name(), PatchType.JSON, patch.toString())
                .block(Workloads.CALL);
        return "rolled back";
    }

    /**
     * kubectl's StatefulSet and DaemonSet rollbacker: the ControllerRevision of {@code toRevision} (0: the one before
     * the newest) is applied to the object as the strategic merge patch it holds; the controller then rolls the
     * restored template out, renumbering that revision as the newest.
     */
    private String rollbackToControllerRevision(Invocation inv, Workloads.Obj o, long toRevision) {
        List<ObjectNode> history = Workloads.controllerRevisionsOf(inv, o);
        if (toRevision == 0 && history.size() <= 1) {
            throw new CliException("no last revision to roll back to");
        }
        ObjectNode target = null;
        if (toRevision == 0) {
            target = history.get(history.size() - 2);
        } else {
            for (ObjectNode r : history) {
                if (r.path("revision").asLong(0) == toRevision) {
                    target = r;
                }
            }
        }
        if (target == null) {
            throw new CliException("unable to find specified revision " + toRevision + " in history");
        }
        long revision = target.path("revision").asLong(0);
        if (Workloads.revisionTemplate(target).equals(o.tree().path("spec").path("template"))) {
            return "skipped rollback (current template already matches revision " + revision + ")";
        }
        try {
            Workloads.client(inv, o.resource()).patch(o.namespace(), o.name(), PatchType.STRATEGIC,
                    target.path("data").toString()).block(Workloads.CALL);
        } catch (RuntimeException e) {
            throw new CliException("failed restoring revision " + revision + ": " + e.getMessage());
        }
        return "rolled back";
    }

    /** The ReplicaSet of {@code toRevision}, or (0) of the revision before the latest. */
    static ObjectNode target(List<ObjectNode> replicaSets, String name, long toRevision) {
        if (toRevision > 0) {
            return replicaSets.stream().filter(rs -> Workloads.revision(rs) == toRevision).findFirst()
                    .orElseThrow(() -> new CliException("unable to find specified revision " + toRevision
                            + " in history"));
        }
        ObjectNode previous = null;
        ObjectNode latest = null;
        long previousRevision = 0;
        long maxRevision = 0;
        for (ObjectNode rs : replicaSets) {
            long v = Workloads.revision(rs);
            if (v > maxRevision) {
                previousRevision = maxRevision;
                previous = latest;
                maxRevision = v;
                latest = rs;
            } else if (v > previousRevision) {
                previousRevision = v;
                previous = rs;
            }
        }
        if (previous == null) {
            throw new CliException("no rollout history found for deployment \"" + name + "\"");
        }
        return previous;
    }

    static ObjectNode withoutHash(JsonNode template) {
        ObjectNode t = (ObjectNode) template.deepCopy();
        JsonNode labels = t.path("metadata").path("labels");
        if (labels instanceof ObjectNode l) {
            l.remove(Workloads.POD_TEMPLATE_HASH);
        }
        return t;
    }
}
