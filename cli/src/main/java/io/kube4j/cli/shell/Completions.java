package io.kube4j.cli.shell;

import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.KubeCommand;
import org.springframework.shell.core.command.Command;
import org.springframework.shell.core.command.CommandRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the interactive shell offers on Tab, given the words before the cursor and the word being typed: the next word
 * of a (multi-word) command name, the command's flags, a flag's values (namespaces after {@code -n}, contexts after
 * {@code --context}, output formats after {@code -o}), resource types after {@code get}/{@code describe}/..., and
 * the names of live objects of the type typed ({@code get pods <Tab>}, {@code get pod/<Tab>}, {@code logs <Tab>}).
 * The cluster is reached through a {@link Source}, so that the logic is testable without one.
 */
public final class Completions {

    /** The live data completions draw on; {@code flags} are the global flags typed so far (namespace, context). */
    public interface Source {
        List<String> resourceTypes(Flags.Parsed flags);

        /** The names of the objects of {@code type} (as typed: plural, singular, short name) in the flags' namespace. */
        List<String> names(Flags.Parsed flags, String type);

        List<String> contexts(Flags.Parsed flags);
    }

    /** Commands whose arguments are {@code TYPE [NAME...]} or {@code TYPE/NAME}. */
    static final Set<String> TYPE_THEN_NAMES = Set.of("get", "describe", "delete", "edit", "label", "annotate",
            "patch", "scale", "autoscale", "tree", "expose", "set image", "set env", "rollout status", "rollout history",
            "rollout undo", "rollout restart", "rollout pause", "rollout resume", "wait", "top");
    /** Commands whose arguments are just a type. */
    static final Set<String> TYPE_ONLY = Set.of("explain", "api-resources");
    /** Commands whose first argument is a pod. */
    static final Set<String> POD_FIRST = Set.of("logs", "exec", "attach", "port-forward");
    /** Commands whose arguments are nodes. */
    static final Set<String> NODES = Set.of("cordon", "uncordon", "drain");
    /** Commands whose argument is a context. */
    static final Set<String> CONTEXT_ARG = Set.of("config use-context", "config delete-context",
            "config set-context", "config get-contexts");
    static final List<String> OUTPUTS = List.of("json", "yaml", "wide", "name", "jsonpath=", "custom-columns=");

    private final CommandRegistry registry;
    private final Source source;

    public Completions(CommandRegistry registry, Source source) {
        this.registry = registry;
        this.source = source;
    }

    /** The candidates for {@code current} (the word at the cursor, up to it) after {@code prior} words. */
    public List<String> complete(List<String> prior, String current) {
        Set<String> out = new TreeSet<>();
        CommandLine line = CommandLine.of(prior, registry);
        // the next word of a command name: "" -> get, config; "config" -> view, use-context, ...
        if (line.command() == null || line.args().isEmpty()) {
            String typed = String.join(" ", prior);
            for (Command c : registry.getCommands()) {
                if (c.isHidden()) {
                    continue;
                }
                String[] w = c.getName().split(" ");
                if (w.length > prior.size() && (prior.isEmpty()
                        || c.getName().startsWith(typed + " "))) {
                    out.add(w[prior.size()]);
                }
            }
        }
        if (line.command() instanceof KubeCommand k) {
            out.addAll(forCommand(k, line.name(), line.args(), current));
        }
        return out.stream().filter(s -> s.startsWith(current)).toList();
    }

    private List<String> forCommand(KubeCommand k, String name, List<String> args, String current) {
        Map<String, Boolean> flags = k.flagSpec().names();
        // a flag's value: "-n <Tab>", "--namespace=<Tab>"
        String flag = null;
        String prefix = "";
        if (!args.isEmpty() && current.isEmpty() || !args.isEmpty() && !current.startsWith("-")) {
            String last = args.get(args.size() - 1);
            if (Boolean.TRUE.equals(flags.get(last)) && !endsWithValue(args)) {
                flag = last;
            }
        }
        if (current.startsWith("-") && current.contains("=")) {
            flag = current.substring(0, current.indexOf('='));
            prefix = current.substring(0, current.indexOf('=') + 1);
        }
        Flags.Parsed parsed = parse(k, flag != null && prefix.isEmpty() ? args.subList(0, args.size() - 1) : args);
        if (flag != null) {
            String p = prefix;
            return flagValues(flag, parsed).stream().map(v -> p + v).toList();
        }
        if (current.startsWith("-")) {
            return List.copyOf(flags.keySet());
        }
        List<String> positionals = positionals(args, flags);
        if (TYPE_THEN_NAMES.contains(name)) {
            if (current.contains("/")) {
                String type = current.substring(0, current.indexOf('/'));
                return source.names(parsed, type).stream().map(n -> type + "/" + n).toList();
            }
            if (positionals.isEmpty()) {
                return source.resourceTypes(parsed);
            }
            String type = positionals.get(0);
            if (type.contains("/")) {
                return List.of();
            }
            List<String> names = new ArrayList<>(source.names(parsed, type.split(",")[0]));
            names.removeAll(positionals.subList(1, positionals.size()));
            return names;
        }
        if (TYPE_ONLY.contains(name)) {
            return positionals.isEmpty() ? source.resourceTypes(parsed) : List.of();
        }
        if (POD_FIRST.contains(name)) {
            return positionals.isEmpty() ? source.names(parsed, "pods") : List.of();
        }
        if (NODES.contains(name)) {
            return source.names(parsed, "nodes");
        }
        if (CONTEXT_ARG.contains(name)) {
            return positionals.isEmpty() ? source.contexts(parsed) : List.of();
        }
        return List.of();
    }

    private List<String> flagValues(String flag, Flags.Parsed parsed) {
        return switch (flag) {
            case "-n", "--namespace" -> source.names(parsed, "namespaces");
            case "--context" -> source.contexts(parsed);
            case "-o", "--output" -> OUTPUTS;
            default -> List.of();
        };
    }

    /** Whether the last word is a value-taking flag given as {@code --flag=value} (nothing left to complete). */
    private static boolean endsWithValue(List<String> args) {
        return args.get(args.size() - 1).contains("=");
    }

    /** The positional words among {@code args} (flags and their separate values skipped). */
    static List<String> positionals(List<String> args, Map<String, Boolean> flags) {
        List<String> p = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                break;
            }
            if (a.startsWith("-") && a.length() > 1) {
                if (!a.contains("=") && Boolean.TRUE.equals(flags.get(a))) {
                    i++;
                }
            } else {
                p.add(a);
            }
        }
        return p;
    }

    private static Flags.Parsed parse(KubeCommand k, List<String> args) {
        try {
            return k.flagSpec().parse(args);
        } catch (RuntimeException e) {
            return k.flagSpec().parse(List.of());
        }
    }
}
