package io.kube4j.api.selector;

import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.kube4j.api.validation.NameRules;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A label selector with Kubernetes' semantics ({@code apimachinery/pkg/labels}): parsed from the
 * query-string syntax or built from a {@code metav1.LabelSelector}, and matched against label maps.
 * Immutable.
 */
public final class LabelSelector {

    /** The operator of one requirement. */
    public enum Operator {
        EQUALS("="), NOT_EQUALS("!="), IN("in"), NOT_IN("notin"), EXISTS(""), DOES_NOT_EXIST("!"), GREATER_THAN(">"),
        LESS_THAN("<");

        private final String symbol;

        Operator(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }
    }

    /** One requirement: a key, an operator and its (sorted) values. */
    public record Requirement(String key, Operator operator, List<String> values) {

        public Requirement {
            values = List.copyOf(new TreeSet<>(values));
        }

        public boolean matches(Map<String, String> labels) {
            boolean has = labels.containsKey(key);
            String v = labels.get(key);
            return switch (operator) {
                case EQUALS, IN -> has && values.contains(v);
                case NOT_EQUALS, NOT_IN -> !has || !values.contains(v);
                case EXISTS -> has;
                case DOES_NOT_EXIST -> !has;
                case GREATER_THAN, LESS_THAN -> {
                    if (!has) {
                        yield false;
                    }
                    try {
                        long actual = Long.parseLong(v);
                        long bound = Long.parseLong(values.get(0));
                        yield operator == Operator.GREATER_THAN ? actual > bound : actual < bound;
                    } catch (NumberFormatException e) {
                        yield false;
                    }
                }
            };
        }

        @Override
        public String toString() {
            return switch (operator) {
                case EXISTS -> key;
                case DOES_NOT_EXIST -> "!" + key;
                case IN, NOT_IN -> key + " " + operator.symbol + " (" + String.join(",", values) + ")";
                default -> key + operator.symbol + values.get(0);
            };
        }
    }

    private static final LabelSelector EVERYTHING = new LabelSelector(List.of(), false);
    private static final LabelSelector NOTHING = new LabelSelector(List.of(), true);

    private final List<Requirement> requirements;
    private final boolean nothing;

    private LabelSelector(List<Requirement> requirements, boolean nothing) {
        List<Requirement> sorted = new ArrayList<>(requirements);
        sorted.sort(Comparator.comparing(Requirement::key).thenComparing(Requirement::toString));
        this.requirements = List.copyOf(sorted);
        this.nothing = nothing;
    }

    /** Parses {@code a=b,c!=d,e in (f,g),h notin (i),j,!k,l>1}; an empty or blank string selects everything. */
    public static LabelSelector parse(String expr) {
        if (expr == null || expr.isBlank()) {
            return EVERYTHING;
        }
        return new LabelSelector(new LabelSelectorParser(expr).parse(), false);
    }

    /**
     * A {@code metav1.LabelSelector} as {@code LabelSelectorAsSelector} reads it: null selects nothing,
     * an empty one everything.
     */
    public static LabelSelector from(io.fabric8.kubernetes.api.model.LabelSelector s) {
        if (s == null) {
            return NOTHING;
        }
        Map<String, String> matchLabels = s.getMatchLabels() == null ? Map.of() : s.getMatchLabels();
        List<LabelSelectorRequirement> exprs = s.getMatchExpressions() == null ? List.of() : s.getMatchExpressions();
        if (matchLabels.isEmpty() && exprs.isEmpty()) {
            return EVERYTHING;
        }
        List<Requirement> reqs = new ArrayList<>();
        for (Map.Entry<String, String> e : new TreeMap<>(matchLabels).entrySet()) {
            reqs.add(requirement(e.getKey(), Operator.EQUALS, List.of(Objects.requireNonNullElse(e.getValue(), ""))));
        }
        for (LabelSelectorRequirement r : exprs) {
            List<String> values = r.getValues() == null ? List.of() : r.getValues();
            Operator op = switch (String.valueOf(r.getOperator())) {
                case "In" -> Operator.IN;
                case "NotIn" -> Operator.NOT_IN;
                case "Exists" -> Operator.EXISTS;
                case "DoesNotExist" -> Operator.DOES_NOT_EXIST;
                default -> throw new IllegalArgumentException(
                        "\"" + r.getOperator() + "\" is not a valid label selector operator");
            };
            reqs.add(requirement(r.getKey(), op, values));
        }
        return new LabelSelector(reqs, false);
    }

    public static LabelSelector everything() {
        return EVERYTHING;
    }

    /** The selector that matches no object (what a null {@code metav1.LabelSelector} means). */
    public static LabelSelector nothing() {
        return NOTHING;
    }

    /** Builds a requirement, checking it as {@code labels.NewRequirement} does. */
    static Requirement requirement(String key, Operator op, List<String> values) {
        String k = key == null ? "" : key;
        List<String> keyErrors = NameRules.qualifiedName(k);
        if (!keyErrors.isEmpty()) {
            throw new IllegalArgumentException("invalid label key \"" + k + "\": " + String.join("; ", keyErrors));
        }
        switch (op) {
            case IN, NOT_IN -> {
                if (values.isEmpty()) {
                    throw new IllegalArgumentException("for 'in', 'notin' operators, values set can't be empty");
                }
            }
            case EQUALS, NOT_EQUALS -> {
                if (values.size() != 1) {
                    throw new IllegalArgumentException("exact-match compatibility requires one single value");
                }
            }
            case EXISTS, DOES_NOT_EXIST -> {
                if (!values.isEmpty()) {
                    throw new IllegalArgumentException("values set must be empty for exists and does not exist");
                }
            }
            case GREATER_THAN, LESS_THAN -> {
                if (values.size() != 1) {
                    throw new IllegalArgumentException("for 'Gt', 'Lt' operators, exactly one value is required");
                }
                try {
                    Long.parseLong(values.get(0));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                            "for 'Gt', 'Lt' operators, the value must be an integer, not \"" + values.get(0) + "\"");
                }
            }
        }
        for (String v : values) {
            String value = v == null ? "" : v;
            List<String> errs = NameRules.labelValue(value);
            if (!errs.isEmpty()) {
                throw new IllegalArgumentException("invalid label value \"" + value + "\" for key \"" + k + "\": "
                        + String.join("; ", errs));
            }
        }
        return new Requirement(k, op, values.stream().map(v -> v == null ? "" : v).toList());
    }

    /** Labels match when every requirement holds; null labels are empty. */
    public boolean matches(Map<String, String> labels) {
        if (nothing) {
            return false;
        }
        Map<String, String> l = labels == null ? Map.of() : labels;
        for (Requirement r : requirements) {
            if (!r.matches(l)) {
                return false;
            }
        }
        return true;
    }

    public boolean isEverything() {
        return !nothing && requirements.isEmpty();
    }

    public boolean isNothing() {
        return nothing;
    }

    /** The requirements, sorted by key. */
    public List<Requirement> requirements() {
        return requirements;
    }

    /**
     * The canonical form (requirements sorted by key, values sorted, {@code ==} written {@code =}); it
     * parses back to an equal selector. Everything is {@code ""}; nothing, which has no string form, is
     * {@code "<none>"}, which does not parse.
     */
    @Override
    public String toString() {
        if (nothing) {
            return "<none>";
        }
        StringBuilder b = new StringBuilder();
        for (Requirement r : requirements) {
            if (!b.isEmpty()) {
                b.append(',');
            }
            b.append(r);
        }
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelSelector other && nothing == other.nothing && requirements.equals(other.requirements);
    }

    @Override
    public int hashCode() {
        return Objects.hash(requirements, nothing);
    }
}
