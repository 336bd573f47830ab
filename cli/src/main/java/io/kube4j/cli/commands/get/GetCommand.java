package io.kube4j.cli.commands.get;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.api.ApiResource;
import io.kube4j.cli.api.Discovery;
import io.kube4j.cli.api.ResourceArgs;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.command.UsageException;
import io.kube4j.cli.output.ObjectPrinter;
import io.kube4j.cli.output.OutputFormat;
import io.kube4j.cli.output.PrintOptions;
import io.kube4j.cli.output.ManagedFields;
import io.kube4j.cli.output.Table;
import io.kube4j.cli.output.WatchTable;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.ListOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.watch.WatchEvent;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import tools.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code k4j get}: kubectl's get — {@code TYPE[,TYPE] [NAME...]}, {@code TYPE/NAME...}, {@code all}; selectors,
 * {@code -A}, the output formats of {@link ObjectPrinter}, {@code --sort-by}, and {@code -w}/{@code --watch-only}
 * over the client's SSE watch. Objects not found are reported after the ones found, with exit code 1.
 */
@Component
public class GetCommand extends KubeCommand {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    public GetCommand() {
        super("get", "Display one or many resources");
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.string("-o, --output", "FORMAT", null, "Output format. One of: (json, yaml, name, wide, jsonpath=..., "
                + "jsonpath-file=..., custom-columns=..., custom-columns-file=...)");
        b.string("-l, --selector", "SELECTOR", null,
                "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2)");
        b.string("--field-selector", "SELECTOR", null,
                "Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. --field-selector key1=value1,key2=value2)");
        b.bool("-A, --all-namespaces", "If present, list the requested object(s) across all namespaces.");
        b.string("--sort-by", "JSONPATH", null, "If non-empty, sort list types using this field specification "
                + "(a JSONPath expression, e.g. '{.metadata.name}').");
        b.bool("--show-labels", "When printing, show all labels as the last column.");
        b.bool("--show-kind", "If present, list the resource type for the requested object(s).");
        b.repeated("-L, --label-columns", "KEY", "Accepts a comma separated list of labels that are going to be "
                + "presented as columns.");
        b.bool("--no-headers", "When using the default or custom-column output format, don't print headers.");
        b.bool("-w, --watch", "After listing/getting the requested object, watch for changes.");
        b.bool("--watch-only", "Watch for changes to the requested object(s), without listing/getting first.");
        b.bool("--output-watch-events", "Output watch event objects when --watch or --watch-only is used.");
        ManagedFields.declare(b);
        b.bool("--ignore-not-found", "If the requested object does not exist the command will return exit code 0.");
        b.positionals("TYPE[.VERSION][.GROUP] [NAME...] | TYPE[.VERSION][.GROUP]/NAME ...", "What to get");
    }

    @Override
    protected String examples() {
        return """
                  # List all pods in ps output format
                  k4j get pods

                  # List all pods in ps output format with more information (such as node name)
                  k4j get pods -o wide

                  # List deployments and services together, across all namespaces
                  k4j get deploy,svc -A

                  # Print the names of the pods, one per line, sorted by creation time
                  k4j get pods -o name --sort-by=.metadata.creationTimestamp

                  # Print the phase of one pod
                  k4j get pod web-1 -o jsonpath='{.status.phase}'

                  # Watch the pods of a deployment
                  k4j get pods -l app=web -w
                """;
    }

    @Override
    protected int run(Invocation inv) throws Exception {
        Flags.Parsed f = inv.flags();
        OutputFormat format = OutputFormat.parse(f.string("output"), p -> inv.io().path(p));
        boolean all = f.bool("all-namespaces");
        String selector = f.string("selector");
        String fieldSelector = f.string("field-selector");
        Discovery discovery = inv.discovery();
        List<ResourceArgs.Target> targets = ResourceArgs.parse(inv.args(), discovery);
        boolean named = targets.stream().anyMatch(t -> t.name() != null);
        if (named && (selector != null || fieldSelector != null)) {
            throw new UsageException("name cannot be provided when a selector is specified");
        }
        if (named && all) {
            throw new UsageException("a resource cannot be retrieved by name across all namespaces");
        }
        Set<ApiResource> types = new LinkedHashSet<>();
        targets.forEach(t -> types.add(t.resource()));
        boolean multipleTypes = types.size() > 1 || inv.args().get(0).equals("all");
        List<String> labelColumns = new ArrayList<>();
        for (String l : f.repeated("label-columns")) {
            for (String k : l.split(",")) {
                if (!k.isBlank()) {
                    labelColumns.add(k.trim());
                }
            }
        }
        PrintOptions options = new PrintOptions(format, f.bool("no-headers"), f.bool("show-labels"), labelColumns,
                all, multipleTypes || f.bool("show-kind"), f.string("sort-by"), inv.colors());
        String namespace = inv.namespace();
        if (f.bool("watch") || f.bool("watch-only")) {
            if (types.size() != 1) {
                throw new UsageException("you may only specify a single resource type");
            }
            if (targets.stream().filter(t -> t.name() != null).count() > 1) {
                throw new UsageException("watch is only supported on individual resources and resource collections, "
                        + "but " + targets.size() + " resources were found");
            }
            return watch(inv, targets.get(0), options, all ? null : namespace, selector, fieldSelector);
        }

        List<ObjectPrinter.Group> groups = new ArrayList<>();
        List<ApiStatusException> errors = new ArrayList<>();
        ListOptions listOptions = ListOptions.all().withLabelSelector(blankToNull(selector))
                .withFieldSelector(blankToNull(fieldSelector));
        for (ResourceArgs.Target t : targets) {
            ResourceClient<GenericKubernetesResource> client = inv.client().dynamic(t.resource().toResourceType());
            List<ObjectNode> objects = new ArrayList<>();
            if (t.name() != null) {
                try {
                    objects.add(tree(client.get(namespace, t.name()).block(TIMEOUT), t.resource(),
                            f.bool(ManagedFields.FLAG)));
                } catch (RuntimeException e) {
                    ApiStatusException a = statusOf(e);
                    if (a == null || a.code() != 404) {
                        throw e;
                    }
                    if (!f.bool("ignore-not-found")) {
                        errors.add(a);
                    }
                }
            } else {
                KubernetesResourceList<GenericKubernetesResource> list = client.list(
                        t.resource().namespaced() && !all ? namespace : null, listOptions).block(TIMEOUT);
                for (GenericKubernetesResource o : list.getItems()) {
                    objects.add(tree(o, t.resource(), f.bool(ManagedFields.FLAG)));
                }
            }
            ObjectPrinter.Group last = groups.isEmpty() ? null : groups.get(groups.size() - 1);
            if (last != null && last.resource().equals(t.resource())) {
                last.objects().addAll(objects);
            } else {
                groups.add(new ObjectPrinter.Group(t.resource(), objects));
            }
        }
        boolean single = targets.size() == 1 && targets.get(0).name() != null;
        boolean empty = groups.stream().allMatch(g -> g.objects().isEmpty());
        // kubectl prints nothing for an empty table (a message follows), a missing single object, or nothing found
        // with --ignore-not-found; an empty List otherwise
        if (!empty || !(format.isTable() || single || f.bool("ignore-not-found"))) {
            new ObjectPrinter(options).print(groups, single, inv.out());
        }
        inv.out().flush();
        for (ApiStatusException e : errors) {
            inv.err().println(serverError(e));
        }
        if (!errors.isEmpty()) {
            return 1;
        }
        if (empty && format.isTable() && !f.bool("ignore-not-found")) {
            boolean allNamespaced = !all && types.stream().allMatch(ApiResource::namespaced);
            inv.err().println(allNamespaced ? "No resources found in " + namespace + " namespace."
                    : "No resources found");
        }
        return 0;
    }

    /** {@code -w}: the list (unless --watch-only), then a row (or object) per event until timeout or interrupt. */
    private int watch(Invocation inv, ResourceArgs.Target target, PrintOptions options, String namespace,
                      String selector, String fieldSelector) {
        Flags.Parsed f = inv.flags();
        ApiResource r = target.resource();
        ResourceClient<GenericKubernetesResource> client = inv.client().dynamic(r.toResourceType());
        String ns = r.namespaced() ? namespace : null;
        String fields = blankToNull(fieldSelector);
        List<ObjectNode> initial = new ArrayList<>();
        String rv;
        if (target.name() != null) {
            GenericKubernetesResource o = client.get(ns, target.name()).block(TIMEOUT);
            initial.add(tree(o, r, f.bool(ManagedFields.FLAG)));
            rv = o.getMetadata().getResourceVersion();
            fields = "metadata.name=" + target.name();
        } else {
            KubernetesResourceList<GenericKubernetesResource> list = client.list(ns, ListOptions.all()
                    .withLabelSelector(blankToNull(selector)).withFieldSelector(fields)).block(TIMEOUT);
            for (GenericKubernetesResource o : list.getItems()) {
                initial.add(tree(o, r, f.bool(ManagedFields.FLAG)));
            }
            rv = list.getMetadata() == null ? null : list.getMetadata().getResourceVersion();
        }
        boolean events = f.bool("output-watch-events");
        Watcher w = new Watcher(inv, r, new ObjectPrinter(options), events);
        if (!f.bool("watch-only")) {
            w.print(initial, "ADDED");
        }
        ListOptions watchOptions = ListOptions.all().withLabelSelector(target.name() == null ? blankToNull(selector)
                : null).withFieldSelector(fields);
        Flux<WatchEvent<GenericKubernetesResource>> flux = client.watch(ns, watchOptions, rv)
                .filter(e -> e.type() != WatchEvent.Type.BOOKMARK);
        String timeout = f.string("request-timeout");
        if (timeout != null && !timeout.isBlank() && !timeout.equals("0")) {
            flux = flux.take(Invocation.Durations.parse(timeout));
        }
        try {
            boolean managed = f.bool(ManagedFields.FLAG);
            flux.doOnNext(e -> w.print(List.of(tree(e.object(), r, managed)), e.type().name())).blockLast();
        } catch (RuntimeException e) {
            if (Thread.currentThread().isInterrupted() || e.getCause() instanceof InterruptedException) {
                return 0;
            }
            throw e;
        }
        return 0;
    }

    /** Prints watch output: the header once, rows aligned across events; other formats object by object. */
    private static final class Watcher {
        private final Invocation inv;
        private final ApiResource resource;
        private final ObjectPrinter printer;
        private final boolean events;
        private final WatchTable table = new WatchTable();
        private boolean headerPrinted;
        private int printed;

        Watcher(Invocation inv, ApiResource resource, ObjectPrinter printer, boolean events) {
            this.inv = inv;
            this.resource = resource;
            this.printer = printer;
            this.events = events;
        }

        synchronized void print(List<ObjectNode> objects, String type) {
            if (objects.isEmpty()) {
                return;
            }
            PrintOptions o = printer.options();
            PrintStream out = inv.out();
            if (o.format().isTable()) {
                Table t = printer.table(new ObjectPrinter.Group(resource, new ArrayList<>(objects)),
                        !headerPrinted && !o.noHeaders());
                List<List<String>> rows = new ArrayList<>();
                boolean first = true;
                for (List<String> row : t.rows()) {
                    List<String> r = new ArrayList<>(row);
                    if (events) {
                        r.add(0, first && !headerPrinted && !o.noHeaders() ? "EVENT" : type);
                    }
                    first = false;
                    rows.add(r);
                }
                headerPrinted = true;
                out.print(table.render(rows));
            } else {
                for (ObjectNode obj : objects) {
                    ObjectNode toPrint = obj;
                    if (events) {
                        toPrint = Codecs.json().createObjectNode();
                        toPrint.put("type", type);
                        toPrint.set("object", obj);
                    }
                    if (o.format().type() == OutputFormat.Type.YAML && printed > 0) {
                        out.print("---\n");
                    }
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    PrintStream ps = new PrintStream(b, true, StandardCharsets.UTF_8);
                    printer.printObject(toPrint, resource, ps);
                    out.print(b.toString(StandardCharsets.UTF_8));
                    printed++;
                }
            }
            out.flush();
        }
    }

    /**
     * The object as a JSON tree, with the apiVersion and kind a list's items may lack; without
     * {@code metadata.managedFields} unless {@code showManagedFields}, as kubectl's OmitManagedFieldsPrinter (the
     * table columns never read them).
     */
    static ObjectNode tree(GenericKubernetesResource o, ApiResource r, boolean showManagedFields) {
        ObjectNode n = ManagedFields.omitUnless(showManagedFields, (ObjectNode) Codecs.json().valueToTree(o));
        if (!n.hasNonNull("apiVersion") || n.path("apiVersion").asString("").isEmpty()) {
            n.put("apiVersion", r.apiVersion());
        }
        if (!n.hasNonNull("kind") || n.path("kind").asString("").isEmpty()) {
            n.put("kind", r.kind());
        }
        return n;
    }

    private static ApiStatusException statusOf(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof ApiStatusException a) {
                return a;
            }
        }
        return null;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
