package io.kube4j.cli.commands.nodes;

import io.kube4j.cli.command.CliException;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * kubectl's taint arithmetic ({@code kubectl taint}): parsing {@code key=value:Effect}, {@code key:Effect-},
 * {@code key-}, refusing to replace an existing key/effect without {@code --overwrite}, and computing the node's new
 * taints with the verb kubectl prints ({@code tainted}, {@code untainted}, {@code modified}).
 */
public final class Taints {

    static final Set<String> EFFECTS = Set.of("NoSchedule", "PreferNoSchedule", "NoExecute");
    private static final Pattern NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");

    private Taints() {
    }

    /** A node taint; {@code value} and {@code effect} are "" when absent. */
    public record Taint(String key, String value, String effect) {
        /** kubectl's {@code Taint.ToString}. */
        @Override
        public String toString() {
            if (effect.isEmpty()) {
                return value.isEmpty() ? key : key + "=" + value + ":";
            }
            return value.isEmpty() ? key + ":" + effect : key + "=" + value + ":" + effect;
        }

        boolean matches(Taint other) {
            return key.equals(other.key) && effect.equals(other.effect);
        }
    }

    /** The taints to add and to remove that a command line's specs ask for. */
    public record Changes(List<Taint> add, List<Taint> remove) {
    }

    /** The new taints and kubectl's verb for the change. */
    public record Result(List<Taint> taints, String operation) {
    }

    /** Whether a word is a taint spec rather than a resource (kubectl's test). */
    public static boolean isSpec(String word) {
        return word.contains("=") || word.contains(":") || word.endsWith("-");
    }

    public static Changes parse(List<String> specs) {
        List<Taint> add = new ArrayList<>();
        List<Taint> remove = new ArrayList<>();
        for (String spec : specs) {
            if (spec.endsWith("-")) {
                remove.add(parseOne(spec.substring(0, spec.length() - 1)));
                continue;
            }
            Taint t = parseOne(spec);
            if (t.effect().isEmpty()) {
                throw new CliException("unknown taint spec: " + spec);
            }
            for (Taint a : add) {
                if (a.matches(t)) {
                    throw new CliException("duplicated taints with the same key and effect: " + t);
                }
            }
            add.add(t);
        }
        for (Taint r : remove) {
            for (Taint a : add) {
                if (a.key().equals(r.key()) && (r.effect().isEmpty() || r.effect().equals(a.effect()))) {
                    throw new CliException("can not both modify and remove the following taint(s) in the same "
                            + "command: " + r);
                }
            }
        }
        return new Changes(add, remove);
    }

    static Taint parseOne(String spec) {
        String[] parts = spec.split(":", -1);
        String key;
        String value = "";
        String effect = "";
        if (parts.length == 1) {
            key = parts[0];
        } else if (parts.length == 2) {
            effect = parts[1];
            if (!EFFECTS.contains(effect)) {
                throw new CliException("invalid taint effect: " + effect + ", unsupported taint effect");
            }
            String[] kv = parts[0].split("=", -1);
            if (kv.length > 2) {
                throw new CliException("invalid taint spec: " + spec);
            }
            key = kv[0];
            if (kv.length == 2) {
                value = kv[1];
                if (value.length() > 63 || !VALUE.matcher(value).matches()) {
                    throw new CliException("invalid taint spec: " + spec + ", a valid label must be an empty string "
                            + "or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                            + "alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
                            + "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
                }
            }
        } else {
            throw new CliException("invalid taint spec: " + spec);
        }
        String name = key.contains("/") ? key.substring(key.indexOf('/') + 1) : key;
        if (name.isEmpty() || name.length() > 63 || !NAME.matcher(name).matches()) {
            throw new CliException("invalid taint spec: " + spec + ", name part must consist of alphanumeric "
                    + "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
                    + "'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
                    + "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
        }
        return new Taint(key, value, effect);
    }

    /** The node's new taints (kubectl's {@code reorganizeTaints}), after the --overwrite check. */
    public static Result apply(String node, List<Taint> old, Changes changes, boolean overwrite) {
        if (!overwrite) {
            List<String> existing = new ArrayList<>();
            for (Taint t : changes.add()) {
                for (Taint o : old) {
                    if (t.matches(o)) {
                        existing.add(t.key());
                    }
                }
            }
            if (!existing.isEmpty()) {
                throw new CliException("node " + node + " already has " + String.join(",", existing)
                        + " taint(s) with same effect(s) and --overwrite is false");
            }
        }
        List<Taint> result = new ArrayList<>(changes.add());
        for (Taint o : old) {
            if (result.stream().noneMatch(t -> t.matches(o))) {
                result.add(o);
            }
        }
        boolean added = old.size() != result.size();
        boolean deleted = false;
        List<String> errors = new ArrayList<>();
        for (Taint r : changes.remove()) {
            boolean removed = r.effect().isEmpty() ? result.removeIf(t -> t.key().equals(r.key()))
                    : result.removeIf(t -> t.matches(r));
            deleted = removed;
            if (!removed) {
                errors.add("taint \"" + r + "\" not found");
            }
        }
        if (!errors.isEmpty()) {
            throw new CliException(errors.size() == 1 ? errors.get(0) : "[" + String.join(", ", errors) + "]");
        }
        String op = (added && deleted) || overwrite ? "modified" : added ? "tainted" : "untainted";
        return new Result(result, op);
    }
}
