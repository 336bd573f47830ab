package io.kube4j.cli.commands.delete;

import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.api.ApiResource;
import io.kube4j.cli.api.Manifests;
import io.kube4j.cli.api.ObjectRest;
import io.kube4j.cli.api.ResourceArgs;
import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.command.UsageException;
import io.kube4j.cli.commands.apply.Targets;
import io.kube4j.cli.commands.apply.WriteOutput;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.ListOptions;
import io.kube4j.client.watch.WatchEvent;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code k4j delete (TYPE NAME... | TYPE/NAME... | -f FILE | TYPE -l SELECTOR | TYPE --all [-A])}: deletes with
 * kubectl's options ({@code --grace-period}, {@code --now}, {@code --force}, {@code --cascade} as the propagation
 * policy), prints {@code pod "x" deleted}, and by default ({@code --wait}) waits until each object is really gone
 * (finalizers, graceful pod termination), watching it rather than polling.
 */
@Component
public class DeleteCommand extends KubeCommand {

    DeleteCommand() {
        super("delete", "Delete resources by file names, stdin, resources and names, or by resources and label selector");
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.repeated("-f, --filename", "FILE", "containing the resource to delete.");
        b.bool("-R, --recursive", "Process the directory used in -f, --filename recursively");
        b.string("-l, --selector", "SELECTOR", null, "Selector (label query) to filter on.");
        b.string("--field-selector", "SELECTOR", null, "Selector (field query) to filter on.");
        b.bool("--all", "Delete all resources, in the namespace of the specified resource types.");
        b.bool("-A, --all-namespaces", "If present, list the requested object(s) across all namespaces.");
        b.integer("--grace-period", "SECONDS", -1, "Period of time in seconds given to the resource to terminate "
                + "gracefully. Ignored if negative. Set to 1 for immediate shutdown. Can only be set to 0 when "
                + "--force is true (force deletion).");
        b.bool("--now", "If true, resources are signaled for immediate shutdown (same as --grace-period=1).");
        b.bool("--force", "If true, immediately remove resources from API and bypass graceful deletion.");
        b.string("--cascade", "STRATEGY", "background", "Must be \"background\", \"orphan\", or \"foreground\".");
        b.boolDefaultTrue("--wait", "If true, wait for resources to be gone before returning.");
        b.string("--timeout", "DURATION", "0s", "The length of time to wait before giving up on a delete, zero "
                + "means determine a timeout from the size of the object");
        b.bool("--ignore-not-found", "Treat \"resource not found\" as a successful delete.");
        WriteOutput.DryRun.declare(b);
        b.string("-o, --output", "FORMAT", null, "Output mode. Use \"-o name\" for shorter output (resource/name).");
        b.positionals("TYPE [NAME...]", "the resources to delete");
    }

    @Override
    protected String examples() {
        return """
                  # Delete a pod using the type and name specified in pod.json
                  k4j delete -f ./pod.json

                  # Delete pods and services with same names "baz" and "foo"
                  k4j delete pod,service baz foo

                  # Delete pods and services with label name=myLabel
                  k4j delete pods,services -l name=myLabel

                  # Delete a pod with minimal delay
                  k4j delete pod foo --now

                  # Force delete a pod on a dead node
                  k4j delete pod foo --force --grace-period=0

                  # Delete all pods
                  k4j delete pods --all
                """;
    }

    /** One object to delete. */
    private record Victim(ApiResource resource, String namespace, String name, String source) {
    }

    @Override
    protected int run(Invocation inv) {
        Flags.Parsed f = inv.flags();
        String output = f.string("output");
        if (output != null && !output.equals("name")) {
            throw new UsageException("unexpected -o output mode: " + output + ". We only support '-o name'");
        }
        WriteOutput.DryRun dry = WriteOutput.DryRun.of(inv);
        ObjectNode options = deleteOptions(inv);
        boolean ignoreNotFound = f.bool("ignore-not-found");
        List<Victim> victims = new ArrayList<>();
        boolean failed = false;
        boolean listed = false;
        ObjectRest rest = WriteOutput.rest(inv);
        List<String> files = f.repeated("filename");
        if (!files.isEmpty()) {
            if (!inv.args().isEmpty()) {
                throw new UsageException("cannot specify both resource(s) and -f/--filename");
            }
            for (Manifests.Document doc : Manifests.read(files, f.bool("recursive"), inv.io())) {
                try {
                    ApiResource r = Targets.resourceOf(inv, doc);
                    victims.add(new Victim(r, Targets.namespaceOf(inv, r, doc), doc.name(), doc.source()));
                } catch (CliException e) {
                    inv.err().println("error: " + e.getMessage());
                    failed = true;
                }
            }
        } else {
            if (inv.args().isEmpty()) {
                throw new UsageException("You must provide one or more resources by argument or filename.\n"
                        + "Example resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n"
                        + "   '<resource> <name>'\n   '<resource>'");
            }
            String selector = f.string("selector");
            String fields = f.string("field-selector");
            boolean all = f.bool("all");
            boolean allNamespaces = f.bool("all-namespaces");
            List<ResourceArgs.Target> targets = ResourceArgs.parse(inv.args(), inv.discovery());
            boolean named = targets.stream().anyMatch(t -> t.name() != null);
            if (named && (all || selector != null || fields != null)) {
                throw new UsageException("name cannot be provided when a selector or --all is specified");
            }
            if (!named && !all && selector == null && fields == null) {
                throw new UsageException("resource(s) were provided, but no name was specified");
            }
            for (ResourceArgs.Target t : targets) {
                String ns = t.resource().namespaced() ? (allNamespaces ? null : inv.namespace()) : null;
                if (t.name() != null) {
                    victims.add(new Victim(t.resource(), ns, t.name(), null));
                    continue;
                }
                listed = true;
                for (JsonNode item : rest.list(t.resource(), ns, selector, fields).path("items")) {
                    victims.add(new Victim(t.resource(), item.path("metadata").path("namespace").asString(null),
                            item.path("metadata").path("name").asString(), null));
                }
            }
        }
        if (options.path("gracePeriodSeconds").asInt(-1) == 0 && f.bool("force")) {
            inv.err().println("Warning: Immediate deletion does not wait for confirmation that the running resource "
                    + "has been terminated. The resource may continue to run on the cluster indefinitely.");
        }
        List<ObjectNode> pending = new ArrayList<>();
        List<Victim> pendingVictims = new ArrayList<>();
        for (Victim v : victims) {
            try {
                ObjectNode answer;
                if (dry == WriteOutput.DryRun.CLIENT) {
                    answer = rest.require(v.resource(), v.namespace(), v.name());
                } else {
                    answer = rest.delete(v.resource(), v.namespace(), v.name(), options, dry.query());
                }
                if (output != null) {
                    inv.out().println(v.resource().qualifiedKind() + "/" + v.name());
                } else {
                    inv.out().println(v.resource().qualifiedKind() + " \"" + v.name() + "\" deleted" + dry.suffix());
                }
                if (dry == WriteOutput.DryRun.NONE) {
                    pending.add(answer);
                    pendingVictims.add(v);
                }
            } catch (ApiStatusException.NotFound e) {
                if (!ignoreNotFound) {
                    inv.err().println(WriteOutput.errorWhen(e, "deleting", v.source()));
                    failed = true;
                }
            } catch (ApiStatusException e) {
                inv.err().println(WriteOutput.errorWhen(e, "deleting", v.source()));
                failed = true;
            }
        }
        if (listed && victims.isEmpty() && !ignoreNotFound) {
            inv.out().println("No resources found");
        }
        if (f.bool("wait") && dry == WriteOutput.DryRun.NONE) {
            Duration timeout = Invocation.Durations.parse(f.string("timeout"));
            for (int i = 0; i < pending.size(); i++) {
                if (!waitUntilGone(inv, rest, pendingVictims.get(i), pending.get(i), timeout)) {
                    failed = true;
                }
            }
        }
        return failed ? 1 : 0;
    }

    private static ObjectNode deleteOptions(Invocation inv) {
        Flags.Parsed f = inv.flags();
        int grace = f.integer("grace-period");
        if (f.bool("now")) {
            if (grace >= 0) {
                throw new UsageException("--now and --grace-period cannot be specified together");
            }
            grace = 1;
        }
        if (grace == 0 && !f.bool("force")) {
            // kubectl: --grace-period=0 without --force means "immediately" = 1 second.
            grace = 1;
        }
        if (f.bool("force") && grace < 0) {
            grace = 0;
        }
        String policy = switch (f.string("cascade")) {
            case "background", "true" -> "Background";
            case "foreground" -> "Foreground";
            case "orphan", "false" -> "Orphan";
            default -> throw new UsageException("invalid cascade value (" + f.string("cascade")
                    + "). Must be \"background\", \"foreground\", or \"orphan\"");
        };
        ObjectNode o = Codecs.json().createObjectNode();
        o.put("kind", "DeleteOptions");
        o.put("apiVersion", "v1");
        if (grace >= 0) {
            o.put("gracePeriodSeconds", grace);
        }
        o.put("propagationPolicy", policy);
        return o;
    }

    /**
     * Waits until the object {@code answer} describes is gone: at once if the answer is a Status or the object no
     * longer exists, else by watching it from the version read for its DELETED event (or its replacement by a new
     * object of the same name, another uid). False (with kubectl's message) on timeout.
     */
    private static boolean waitUntilGone(Invocation inv, ObjectRest rest, Victim v, ObjectNode answer,
                                         Duration timeout) {
        String uid = answer.path("metadata").path("uid").asString(null);
        if (uid == null) {
            return true;
        }
        Optional<ObjectNode> now = rest.get(v.resource(), v.namespace(), v.name());
        if (now.isEmpty() || !uid.equals(now.get().path("metadata").path("uid").asString(null))) {
            return true;
        }
        String rv = now.get().path("metadata").path("resourceVersion").asString(null);
        Duration limit = timeout.isZero() ? Duration.ofDays(7) : timeout;
        try {
            WatchEvent<?> end = inv.client().dynamic(v.resource().toResourceType())
                    .watch(v.namespace(), ListOptions.all().withFieldSelector("metadata.name=" + v.name()), rv)
                    .filter(e -> e.type() == WatchEvent.Type.DELETED
                            || e.object() != null && !uid.equals(e.object().getMetadata().getUid()))
                    .next()
                    .timeout(limit)
                    .block();
            return end != null || rest.get(v.resource(), v.namespace(), v.name()).isEmpty();
        } catch (RuntimeException e) {
            if (rest.get(v.resource(), v.namespace(), v.name()).isEmpty()) {
                return true;
            }
            inv.err().println("error: timed out waiting for the condition on " + v.resource().qualifiedName() + "/"
                    + v.name());
            return false;
        }
    }
}
