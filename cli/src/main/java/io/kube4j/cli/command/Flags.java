package io.kube4j.cli.command;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParseResult;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A command's flags, parsed as kubectl (pflag) parses them: {@code --name value}, {@code --name=value}, {@code -n value},
 * {@code -nvalue}, {@code -n=value}, booleans with an optional {@code =true|false}, clustered short booleans
 * ({@code -it}), flags and arguments in any order, and everything after {@code --} kept verbatim for the command to
 * run ({@code exec POD -- sh -c '...'}). Built on picocli's programmatic model.
 *
 * <p>Names are given as {@code "-n, --namespace"} or {@code "--field-selector"}; a parsed value is looked up by its
 * long name without dashes ({@code namespace}).
 */
public final class Flags {

    private final String command;
    private final Builder declarations;

    private Flags(String command, Builder declarations) {
        this.command = command;
        this.declarations = declarations;
    }

    public static Builder builder(String command) {
        return new Builder(command);
    }

    /** Declares flags; every {@code add} with a name that is already declared replaces the earlier one. */
    public static final class Builder {
        private final String command;
        private final Map<String, java.util.function.Supplier<OptionSpec>> options = new LinkedHashMap<>();
        private String positionalLabel = "ARGS";
        private String positionalDescription = "";

        private Builder(String command) {
            this.command = command;
        }

        /** A flag with a value ({@code -o yaml}); {@code defaultValue} may be null. */
        public Builder string(String names, String label, String defaultValue, String description) {
            return add(() -> OptionSpec.builder(split(names)).paramLabel(label).type(String.class).arity("1")
                    .defaultValue(defaultValue).description(description).build());
        }

        /** A boolean flag ({@code --watch}, {@code --watch=false}, {@code -w}). */
        public Builder bool(String names, String description) {
            return add(() -> OptionSpec.builder(split(names)).type(boolean.class).arity("0..1")
                    .defaultValue("false").description(description).build());
        }

        /** A boolean flag that is on unless turned off ({@code --validate=false}). */
        public Builder boolDefaultTrue(String names, String description) {
            return add(() -> OptionSpec.builder(split(names)).type(boolean.class).arity("0..1")
                    .defaultValue("true").fallbackValue("true").description(description).build());
        }

        /** An integer flag; {@code defaultValue} may be null (absent). */
        public Builder integer(String names, String label, Integer defaultValue, String description) {
            return add(() -> OptionSpec.builder(split(names)).paramLabel(label).type(Integer.class).arity("1")
                    .defaultValue(defaultValue == null ? null : defaultValue.toString()).description(description)
                    .build());
        }

        /** A flag that may be given several times ({@code --from-literal a=b --from-literal c=d}). */
        public Builder repeated(String names, String label, String description) {
            return add(() -> OptionSpec.builder(split(names)).paramLabel(label).type(List.class)
                    .auxiliaryTypes(String.class).arity("1").description(description).build());
        }

        /** How the positional arguments are named in the help. */
        public Builder positionals(String label, String description) {
            this.positionalLabel = label;
            this.positionalDescription = description;
            return this;
        }

        private Builder add(java.util.function.Supplier<OptionSpec> o) {
            options.put(key(o.get()), o);
            return this;
        }

        public Flags build() {
            spec(new LinkedHashMap<>()); // fails now, not at the first parse, on a bad declaration
            return new Flags(command, this);
        }

        /**
         * A fresh picocli model: picocli keeps parsed values in the option specs, so every parse gets its own (the
         * interactive shell and tests may run commands concurrently, e.g. a {@code get -w} beside others).
         */
        CommandSpec spec(Map<String, OptionSpec> byName) {
            CommandSpec spec = CommandSpec.create().name("k4j " + command);
            spec.parser().posixClusteredShortOptionsAllowed(true);
            spec.parser().caseInsensitiveEnumValuesAllowed(true);
            spec.parser().toggleBooleanFlags(false);
            spec.parser().overwrittenOptionsAllowed(true);
            spec.parser().unmatchedOptionsArePositionalParams(false);
            for (java.util.function.Supplier<OptionSpec> f : options.values()) {
                OptionSpec o = f.get();
                spec.addOption(o);
                byName.put(key(o), o);
            }
            spec.addPositional(PositionalParamSpec.builder().arity("0..*").type(List.class)
                    .auxiliaryTypes(String.class).paramLabel(positionalLabel).description(positionalDescription)
                    .build());
            return spec;
        }

        private static String[] split(String names) {
            return names.replace(" ", "").split(",");
        }
    }

    private static String key(OptionSpec o) {
        String longest = o.longestName();
        return longest.replaceFirst("^-+", "");
    }

    /** Parses {@code args}; arguments after the first {@code --} are kept apart, unparsed. */
    public Parsed parse(List<String> args) {
        int dd = args.indexOf("--");
        List<String> before = dd < 0 ? args : args.subList(0, dd);
        List<String> after = dd < 0 ? List.of() : List.copyOf(args.subList(dd + 1, args.size()));
        Map<String, OptionSpec> byName = new LinkedHashMap<>();
        CommandLine cl = new CommandLine(declarations.spec(byName));
        try {
            ParseResult pr = cl.parseArgs(before.toArray(String[]::new));
            return new Parsed(pr, byName, dd >= 0, after);
        } catch (CommandLine.ParameterException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** The flags' help, picocli's usage text. */
    public String usage() {
        return new CommandLine(declarations.spec(new LinkedHashMap<>())).getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    public String command() {
        return command;
    }

    /**
     * Every declared flag name ({@code -n}, {@code --namespace}, ...) mapped to whether it takes a value (a boolean
     * flag does not): what the interactive shell completes.
     */
    public Map<String, Boolean> names() {
        Map<String, Boolean> names = new LinkedHashMap<>();
        for (OptionSpec o : declarations.spec(new LinkedHashMap<>()).options()) {
            boolean value = o.type() != boolean.class && o.type() != Boolean.class;
            for (String n : o.names()) {
                names.put(n, value);
            }
        }
        return names;
    }

    /** One command line, parsed. */
    public static final class Parsed {
        private final ParseResult result;
        private final Map<String, OptionSpec> byName;
        private final boolean dashDash;
        private final List<String> afterDashDash;

        Parsed(ParseResult result, Map<String, OptionSpec> byName, boolean dashDash, List<String> afterDashDash) {
            this.result = result;
            this.byName = byName;
            this.dashDash = dashDash;
            this.afterDashDash = afterDashDash;
        }

        private OptionSpec spec(String name) {
            OptionSpec o = byName.get(name);
            if (o == null) {
                throw new IllegalArgumentException("no flag --" + name + " is declared");
            }
            return o;
        }

        /** Whether the user gave the flag (as opposed to its default applying). */
        public boolean given(String name) {
            return result.hasMatchedOption(spec(name));
        }

        /** The flag's value, or its default (null if none). */
        public String string(String name) {
            return result.matchedOptionValue(spec(name).longestName(), (String) spec(name).getValue());
        }

        public boolean bool(String name) {
            Object v = result.matchedOptionValue(spec(name).longestName(), spec(name).getValue());
            return v instanceof Boolean b ? b : Boolean.parseBoolean(String.valueOf(v));
        }

        /** The flag's value, or its default (null if none). */
        public Integer integer(String name) {
            return result.matchedOptionValue(spec(name).longestName(), (Integer) spec(name).getValue());
        }

        public List<String> repeated(String name) {
            List<String> v = result.matchedOptionValue(spec(name).longestName(), List.<String>of());
            return v == null ? List.of() : List.copyOf(v);
        }

        /** The positional arguments before {@code --}. */
        public List<String> args() {
            List<String> v = result.matchedPositionalValue(0, List.<String>of());
            return v == null ? List.of() : List.copyOf(new ArrayList<>(v));
        }

        /** Whether a {@code --} was given. */
        public boolean dashDash() {
            return dashDash;
        }

        /** The words after {@code --}, verbatim. */
        public List<String> afterDashDash() {
            return afterDashDash;
        }
    }
}
