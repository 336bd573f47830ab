package io.kube4j.apiserver.apply;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A set of field paths, as structured-merge-diff's {@code fieldpath.Set}: a tree whose edges are path elements
 * in their {@code FieldsV1} spelling ({@code f:spec}, {@code k:{"name":"app"}}, {@code v:"x"}, {@code i:0}) and
 * whose nodes may be members themselves ({@code "."} in FieldsV1). Keeping the FieldsV1 spelling as the key makes
 * reading and writing {@code managedFields} a plain tree copy.
 */
public final class FieldSet {

    /** Kubernetes' element order: field names, then keys, then values, then indexes; within a kind, by text. */
    static final Comparator<String> ORDER = Comparator.<String>comparingInt(FieldSet::rank)
            .thenComparing(FieldSet::indexOrText);

    private boolean member;
    private final TreeMap<String, FieldSet> children = new TreeMap<>(ORDER);

    private static int rank(String e) {
        return switch (e.charAt(0)) {
            case 'f' -> 0;
            case 'k' -> 1;
            case 'v' -> 2;
            default -> 3;
        };
    }

    private static String indexOrText(String e) {
        if (e.startsWith("i:")) {
            String n = e.substring(2);
            return "0".repeat(Math.max(0, 10 - n.length())) + n;
        }
        return e;
    }

    public boolean isEmpty() {
        return !member && children.isEmpty();
    }

    /** Whether this node is itself in the set. */
    public boolean member() {
        return member;
    }

    void member(boolean m) {
        member = m;
    }

    /** The children, keyed by path element. */
    public Map<String, FieldSet> children() {
        return children;
    }

    /** The child at {@code element}, created if absent. */
    public FieldSet child(String element) {
        return children.computeIfAbsent(element, e -> new FieldSet());
    }

    /** The child at {@code element}, or null. */
    public FieldSet get(String element) {
        return children.get(element);
    }

    /** Adds the path (a list of elements) as a member. */
    public FieldSet insert(String... path) {
        FieldSet n = this;
        for (String e : path) {
            n = n.child(e);
        }
        n.member = true;
        return this;
    }

    public boolean contains(String... path) {
        FieldSet n = this;
        for (String e : path) {
            n = n.children.get(e);
            if (n == null) {
                return false;
            }
        }
        return n.member;
    }

    public FieldSet copy() {
        FieldSet c = new FieldSet();
        c.member = member;
        children.forEach((k, v) -> c.children.put(k, v.copy()));
        return c;
    }

    /** Adds every member of {@code other} to this set (in place). */
    public FieldSet addAll(FieldSet other) {
        member |= other.member;
        other.children.forEach((k, v) -> child(k).addAll(v));
        return this;
    }

    public FieldSet union(FieldSet other) {
        return copy().addAll(other);
    }

    public FieldSet difference(FieldSet other) {
        FieldSet out = new FieldSet();
        out.member = member && (other == null || !other.member);
        children.forEach((k, v) -> {
            FieldSet o = other == null ? null : other.children.get(k);
            FieldSet d = o == null ? v.copy() : v.difference(o);
            if (!d.isEmpty()) {
                out.children.put(k, d);
            }
        });
        return out;
    }

    public FieldSet intersection(FieldSet other) {
        FieldSet out = new FieldSet();
        out.member = member && other.member;
        children.forEach((k, v) -> {
            FieldSet o = other.children.get(k);
            if (o != null) {
                FieldSet i = v.intersection(o);
                if (!i.isEmpty()) {
                    out.children.put(k, i);
                }
            }
        });
        return out;
    }

    /** Removes empty nodes left by in-place edits. */
    FieldSet compact() {
        children.values().removeIf(c -> c.compact().isEmpty());
        return this;
    }

    /** The member paths, each as its elements, in Kubernetes' order. */
    public List<List<String>> paths() {
        List<List<String>> out = new ArrayList<>();
        collect(new ArrayList<>(), out);
        return out;
    }

    private void collect(List<String> prefix, List<List<String>> out) {
        if (member) {
            out.add(List.copyOf(prefix));
        }
        children.forEach((k, v) -> {
            prefix.add(k);
            v.collect(prefix, out);
            prefix.remove(prefix.size() - 1);
        });
    }

    // ---------------------------------------------------------------- FieldsV1

    /** The set in Kubernetes' {@code FieldsV1} JSON form. */
    public ObjectNode toFieldsV1() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        if (member && !children.isEmpty()) {
            n.putObject(".");
        }
        children.forEach((k, v) -> n.set(k, v.toFieldsV1()));
        return n;
    }

    /** Reads a {@code FieldsV1} tree; anything but objects keyed by path elements is an {@link IllegalArgumentException}. */
    public static FieldSet fromFieldsV1(JsonNode fields) {
        FieldSet root = new FieldSet();
        read(fields, root);
        root.member = false;
        return root;
    }

    private static void read(JsonNode node, FieldSet into) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("expected an object in fieldsV1");
        }
        if (node.isEmpty()) {
            into.member = true;
            return;
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String k = e.getKey();
            if (k.equals(".")) {
                into.member = true;
            } else if (k.length() > 2 && k.charAt(1) == ':' && "fkvi".indexOf(k.charAt(0)) >= 0) {
                read(e.getValue(), into.child(k));
            } else {
                throw new IllegalArgumentException("unexpected path element \"" + k + "\" in fieldsV1");
            }
        }
    }

    // ---------------------------------------------------------------- display

    /** A path as Kubernetes prints it in conflicts: {@code .spec.template.spec.containers[name="app"].image}. */
    public static String display(List<String> path) {
        StringBuilder sb = new StringBuilder();
        for (String e : path) {
            String v = e.substring(2);
            switch (e.charAt(0)) {
                case 'f' -> sb.append('.').append(v);
                case 'v' -> sb.append("[=").append(v).append(']');
                case 'i' -> sb.append('[').append(v).append(']');
                default -> {
                    sb.append('[');
                    JsonNode key = io.kube4j.api.codec.Codecs.json().readTree(v);
                    boolean first = true;
                    for (Map.Entry<String, JsonNode> kv : key.properties()) {
                        if (!first) {
                            sb.append(',');
                        }
                        first = false;
                        sb.append(kv.getKey()).append('=').append(kv.getValue().toString());
                    }
                    sb.append(']');
                }
            }
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FieldSet f && f.member == member && f.children.equals(children);
    }

    @Override
    public int hashCode() {
        return Boolean.hashCode(member) * 31 + children.hashCode();
    }

    @Override
    public String toString() {
        return toFieldsV1().toString();
    }
}
