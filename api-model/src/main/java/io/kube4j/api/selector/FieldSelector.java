package io.kube4j.api.selector;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A field selector with Kubernetes' semantics ({@code apimachinery/pkg/fields}): comma-separated
 * {@code field=value}, {@code field==value} and {@code field!=value} terms, all of which must hold.
 * Values escape {@code \}, {@code ,} and {@code =} with a backslash. Immutable.
 */
public final class FieldSelector {

    /** One term: {@code field=value} or, when {@code negated}, {@code field!=value}. */
    public record Term(String field, String value, boolean negated) {

        public boolean matches(Map<String, String> fields) {
            String actual = Objects.requireNonNullElse(fields.get(field), "");
            return negated != actual.equals(value);
        }

        @Override
        public String toString() {
            return field + (negated ? "!=" : "=") + escape(value);
        }
    }

    private static final FieldSelector EVERYTHING = new FieldSelector(List.of());

    private final List<Term> terms;

    private FieldSelector(List<Term> terms) {
        List<Term> sorted = new ArrayList<>(terms);
        sorted.sort(Comparator.comparing(Term::toString));
        this.terms = List.copyOf(sorted);
    }

    /** Parses {@code a=b,c!=d}; an empty string selects everything. */
    public static FieldSelector parse(String expr) {
        if (expr == null || expr.isEmpty()) {
            return EVERYTHING;
        }
        List<Term> terms = new ArrayList<>();
        for (String part : splitTerms(expr)) {
            if (part.isEmpty()) {
                continue;
            }
            Term t = splitTerm(part);
            if (t == null) {
                throw new IllegalArgumentException("invalid field selector: '" + expr + "'; can't understand '" + part + "'");
            }
            terms.add(t);
        }
        return new FieldSelector(terms);
    }

    public static FieldSelector everything() {
        return EVERYTHING;
    }

    /** Fields absent from {@code fields} have the value {@code ""}. */
    public boolean matches(Map<String, String> fields) {
        Map<String, String> f = fields == null ? Map.of() : fields;
        for (Term t : terms) {
            if (!t.matches(f)) {
                return false;
            }
        }
        return true;
    }

    public Set<String> fieldNames() {
        Set<String> out = new LinkedHashSet<>();
        terms.forEach(t -> out.add(t.field()));
        return out;
    }

    public boolean isEverything() {
        return terms.isEmpty();
    }

    /** The value this selector requires {@code field} to equal, if it has a {@code field=value} term. */
    public Optional<String> exactValue(String field) {
        return terms.stream().filter(t -> !t.negated() && t.field().equals(field)).map(Term::value).findFirst();
    }

    public List<Term> terms() {
        return terms;
    }

    /** The canonical form: terms sorted, {@code ==} written {@code =}, values escaped. */
    @Override
    public String toString() {
        return String.join(",", terms.stream().map(Term::toString).toList());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FieldSelector other && terms.equals(other.terms);
    }

    @Override
    public int hashCode() {
        return terms.hashCode();
    }

    static String escape(String value) {
        return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=");
    }

    /** Splits on commas not preceded by a backslash, keeping escapes for the value to unescape. */
    private static List<String> splitTerms(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean escaped = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (escaped) {
                cur.append(c);
                escaped = false;
            } else if (c == '\\') {
                cur.append(c);
                escaped = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    private static Term splitTerm(String term) {
        for (int i = 0; i < term.length(); i++) {
            String rest = term.substring(i);
            for (String op : List.of("!=", "==", "=")) {
                if (rest.startsWith(op)) {
                    return new Term(term.substring(0, i), unescape(term.substring(i + op.length())), op.equals("!="));
                }
            }
        }
        return null;
    }

    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        boolean inSlash = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inSlash) {
                if (c != '\\' && c != ',' && c != '=') {
                    throw new IllegalArgumentException("invalid field selector: invalid escape sequence: \\" + c);
                }
                b.append(c);
                inSlash = false;
            } else if (c == '\\') {
                inSlash = true;
            } else if (c == '=' || c == ',') {
                throw new IllegalArgumentException("invalid field selector: unescaped character in value: " + c);
            } else {
                b.append(c);
            }
        }
        if (inSlash) {
            throw new IllegalArgumentException("invalid field selector: invalid escape sequence: \\");
        }
        return b.toString();
    }
}
