package io.kube4j.cli.commands.rollout;

import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * kubectl's shape of {@code rollout pause|resume|restart}: for each named object compute a merge patch (or an error,
 * or nothing to do), send it, and print {@code deployment.apps/web paused}; errors are printed as
 * {@code error: deployments.apps "web" is already paused} after the others are done, and make the exit code 1.
 */
abstract class ObjectPatchCommand extends KubeCommand {

    private final String done;
    private final String nothingToDo;

    ObjectPatchCommand(String name, String description, String done, String nothingToDo) {
        super(name, description);
        this.done = done;
        this.nothingToDo = nothingToDo;
    }

    /** Refused: the reason kubectl gives after the resource and name. */
    static final class Refused extends RuntimeException {
        Refused(String reason) {
            super(reason);
        }
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.string("-l, --selector", "SELECTOR", null, "Selector (label query) to filter on");
        b.positionals("RESOURCE", "TYPE NAME, TYPE/NAME or TYPE -l SELECTOR");
    }

    /** The merge patch for {@code obj}, null when there is nothing to change; throws {@link Refused}. */
    protected abstract JsonNode patch(Workloads.Obj obj);

    @Override
    protected int run(Invocation inv) {
        List<String> errors = new ArrayList<>();
        for (Workloads.Obj o : Workloads.objects(inv, inv.args(), inv.flags().string("selector"), false)) {
            JsonNode patch;
            try {
                patch = patch(o);
            } catch (Refused r) {
                errors.add(o.resource().qualifiedName() + " \"" + o.name() + "\" " + r.getMessage());
                continue;
            }
            if (patch == null) {
                inv.out().println(o.ref() + " " + nothingToDo);
                continue;
            }
            Workloads.mergePatch(inv, o, patch);
            inv.out().println(o.ref() + " " + done);
        }
        inv.out().flush();
        errors.forEach(e -> inv.err().println("error: " + e));
        return errors.isEmpty() ? 0 : 1;
    }
}
