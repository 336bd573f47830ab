package io.kube4j.apiserver.apply;

import io.kube4j.apiserver.apply.FieldSchema.ListType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Walks object trees by their {@link FieldSchema}, as structured-merge-diff's typed walkers: the field set of an
 * object ({@code ToFieldSet}), the comparison of two versions ({@code Compare}), the merge of an applied
 * configuration into a live object ({@code Merge}) and the removal of fields an applier gave up ({@code prune}).
 * Lists whose items cannot be keyed (a map item without its key, duplicate keys) are treated as atomic on live
 * objects; in an applied configuration they are the user's error ({@link #checkConfig}).
 */
public final class FieldWalker {

    /** Numbers equal by value whatever their JSON width (an int 30 and a long 30 are the same field value). */
    private static final Comparator<JsonNode> SAME = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    };

    private FieldWalker() {
    }

    /** What changed between two versions of an object; non-leaf nodes are added or removed, never modified. */
    public record Comparison(FieldSet added, FieldSet modified, FieldSet removed) {
        public boolean isEmpty() {
            return added.isEmpty() && modified.isEmpty() && removed.isEmpty();
        }
    }

    // ---------------------------------------------------------------- ToFieldSet

    /** The fields an object sets: leaves, list items and empty maps are members. */
    public static FieldSet fieldSet(JsonNode object, FieldSchema schema) {
        FieldSet set = new FieldSet();
        if (object != null && object.isObject()) {
            objectFields(object, schema, set);
        }
        return set;
    }

    private static void objectFields(JsonNode o, FieldSchema s, FieldSet into) {
        objectFields(o, s, into, false);
    }

    /** @param containers whether maps and lists are members too (a value that appeared or went, as a whole) */
    private static void objectFields(JsonNode o, FieldSchema s, FieldSet into, boolean containers) {
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            value(e.getValue(), s, e.getKey(), into.child("f:" + e.getKey()), containers);
        }
    }

    private static void value(JsonNode v, FieldSchema parent, String name, FieldSet node, boolean containers) {
        if (containers) {
            node.member(true);
        }
        if (v.isObject() && !v.isEmpty()) {
            objectFields(v, parent.field(name), node, containers);
        } else if (v.isArray()) {
            switch (listType(parent, name, v)) {
                case SET -> v.forEach(item -> node.child(valueElement(item)).member(true));
                case MAP -> {
                    List<String> keys = parent.keys(name);
                    FieldSchema items = parent.field(name);
                    for (JsonNode item : v) {
                        FieldSet c = node.child(keyElement(item, keys));
                        c.member(true);
                        objectFields(item, items, c, containers);
                    }
                }
                default -> node.member(true);
            }
        } else {
            node.member(true);
        }
    }

    /** The list type a list value can have: a map or set only when its items fit it. */
    static ListType listType(FieldSchema parent, String name, JsonNode list) {
        ListType declared = parent.listType(name);
        if (declared == ListType.SET) {
            Set<String> seen = new HashSet<>();
            for (JsonNode item : list) {
                if (item.isContainer() || !seen.add(valueElement(item))) {
                    return ListType.ATOMIC;
                }
            }
        } else if (declared == ListType.MAP) {
            List<String> keys = parent.keys(name);
            Set<String> seen = new HashSet<>();
            for (JsonNode item : list) {
                String k = item.isObject() ? keyElement(item, keys) : null;
                if (k == null || !seen.add(k)) {
                    return ListType.ATOMIC;
                }
            }
        }
        return declared;
    }

    static String valueElement(JsonNode item) {
        return "v:" + item.toString();
    }

    /** {@code k:{"containerPort":80,"protocol":"TCP"}}: the keys in name order, defaults for absent ones; null if unkeyable. */
    static String keyElement(JsonNode item, List<String> keys) {
        List<String> sorted = new ArrayList<>(keys);
        sorted.sort(null);
        ObjectNode k = JsonNodeFactory.instance.objectNode();
        for (String key : sorted) {
            JsonNode v = item.get(key);
            if (v == null || v.isNull()) {
                String d = FieldSchema.keyDefault(key);
                if (d == null) {
                    return null;
                }
                k.put(key, d);
            } else if (v.isContainer()) {
                return null;
            } else {
                k.set(key, v);
            }
        }
        return "k:" + k;
    }

    /** Rejects an applied configuration whose keyed lists cannot be merged (an item without its key, a key twice). */
    public static void checkConfig(JsonNode o, FieldSchema s, String path) {
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            JsonNode v = e.getValue();
            String p = path + "." + e.getKey();
            if (v.isObject()) {
                checkConfig(v, s.field(e.getKey()), p);
            } else if (v.isArray() && s.listType(e.getKey()) == ListType.MAP) {
                List<String> keys = s.keys(e.getKey());
                Set<String> seen = new HashSet<>();
                for (JsonNode item : v) {
                    String k = item.isObject() ? keyElement(item, keys) : null;
                    if (k == null) {
                        throw new IllegalArgumentException(p + ": associative list with keys has an element that"
                                + " omits key field " + keys);
                    }
                    if (!seen.add(k)) {
                        throw new IllegalArgumentException(p + ": duplicate entries for key " + k.substring(2));
                    }
                    checkConfig(item, s.field(e.getKey()), p + FieldSet.display(List.of(k)));
                }
            }
        }
    }

    // ---------------------------------------------------------------- Compare

    /** The comparison of {@code lhs} (before) and {@code rhs} (after), both objects. */
    public static Comparison compare(JsonNode lhs, JsonNode rhs, FieldSchema schema) {
        Comparison c = new Comparison(new FieldSet(), new FieldSet(), new FieldSet());
        compareObjects(lhs, rhs, schema, new ArrayList<>(), c);
        c.added().compact();
        c.modified().compact();
        c.removed().compact();
        return c;
    }

    private static void compareObjects(JsonNode l, JsonNode r, FieldSchema s, List<String> path, Comparison c) {
        Set<String> names = new LinkedHashSet<>(l.propertyNames());
        names.addAll(r.propertyNames());
        for (String n : names) {
            path.add("f:" + n);
            compareValues(l.get(n), r.get(n), s, n, path, c);
            path.remove(path.size() - 1);
        }
    }

    private static void compareValues(JsonNode lv, JsonNode rv, FieldSchema parent, String name, List<String> path,
                                      Comparison c) {
        if (lv == null) {
            whole(rv, parent, name, path, c.added());
        } else if (rv == null) {
            whole(lv, parent, name, path, c.removed());
        } else if (lv.isObject() && rv.isObject()) {
            compareObjects(lv, rv, parent.field(name), path, c);
        } else if (lv.isArray() && rv.isArray() && listType(parent, name, lv) != ListType.ATOMIC
                && listType(parent, name, lv) == listType(parent, name, rv)) {
            compareLists(lv, rv, parent, name, path, c);
        } else if (!lv.equals(SAME, rv)) {
            at(c.modified(), path).member(true);
        }
    }

    /** A value that appeared or went: the node itself and everything under it. */
    private static void whole(JsonNode v, FieldSchema parent, String name, List<String> path, FieldSet into) {
        value(v, parent, name, at(into, path), true);
    }

    private static FieldSet at(FieldSet root, List<String> path) {
        FieldSet n = root;
        for (String e : path) {
            n = n.child(e);
        }
        return n;
    }

    private static void compareLists(JsonNode l, JsonNode r, FieldSchema parent, String name, List<String> path,
                                     Comparison c) {
        if (listType(parent, name, l) == ListType.SET) {
            Set<String> left = new LinkedHashSet<>();
            l.forEach(i -> left.add(valueElement(i)));
            Set<String> right = new LinkedHashSet<>();
            r.forEach(i -> right.add(valueElement(i)));
            for (String v : left) {
                if (!right.contains(v)) {
                    at(c.removed(), path).child(v).member(true);
                }
            }
            for (String v : right) {
                if (!left.contains(v)) {
                    at(c.added(), path).child(v).member(true);
                }
            }
            return;
        }
        Map<String, JsonNode> left = byKey(l, parent.keys(name));
        Map<String, JsonNode> right = byKey(r, parent.keys(name));
        FieldSchema items = parent.field(name);
        Set<String> keys = new LinkedHashSet<>(left.keySet());
        keys.addAll(right.keySet());
        for (String k : keys) {
            JsonNode li = left.get(k);
            JsonNode ri = right.get(k);
            path.add(k);
            if (li == null || ri == null) {
                FieldSet node = at(li == null ? c.added() : c.removed(), path);
                node.member(true);
                objectFields(li == null ? ri : li, items, node, true);
            } else {
                compareObjects(li, ri, items, path, c);
            }
            path.remove(path.size() - 1);
        }
    }

    private static Map<String, JsonNode> byKey(JsonNode list, List<String> keys) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        list.forEach(i -> out.put(keyElement(i, keys), i));
        return out;
    }

    // ---------------------------------------------------------------- Merge

    /** The live object with the applied configuration merged in (a new tree; neither argument changes). */
    public static ObjectNode merge(JsonNode live, JsonNode config, FieldSchema schema) {
        ObjectNode out = live == null ? JsonNodeFactory.instance.objectNode() : (ObjectNode) live.deepCopy();
        mergeInto(out, config, schema);
        return out;
    }

    private static void mergeInto(ObjectNode out, JsonNode config, FieldSchema s) {
        for (Map.Entry<String, JsonNode> e : config.properties()) {
            String n = e.getKey();
            out.set(n, mergeValue(out.get(n), e.getValue(), s, n));
        }
    }

    private static JsonNode mergeValue(JsonNode lv, JsonNode cv, FieldSchema parent, String name) {
        if (lv == null || lv.isNull() || cv.isNull()) {
            return cv.deepCopy();
        }
        if (lv.isObject() && cv.isObject()) {
            ObjectNode out = (ObjectNode) lv.deepCopy();
            mergeInto(out, cv, parent.field(name));
            return out;
        }
        if (lv.isArray() && cv.isArray()) {
            ListType type = listType(parent, name, lv);
            if (type != ListType.ATOMIC && type == listType(parent, name, cv)) {
                return type == ListType.SET ? mergeSet(lv, cv) : mergeMap(lv, cv, parent, name);
            }
        }
        return cv.deepCopy();
    }

    private static JsonNode mergeSet(JsonNode l, JsonNode c) {
        ArrayNode out = (ArrayNode) l.deepCopy();
        Set<String> present = new HashSet<>();
        l.forEach(i -> present.add(valueElement(i)));
        c.forEach(i -> {
            if (present.add(valueElement(i))) {
                out.add(i.deepCopy());
            }
        });
        return out;
    }

    private static JsonNode mergeMap(JsonNode l, JsonNode c, FieldSchema parent, String name) {
        List<String> keys = parent.keys(name);
        FieldSchema items = parent.field(name);
        ArrayNode out = (ArrayNode) l.deepCopy();
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < out.size(); i++) {
            index.put(keyElement(out.get(i), keys), i);
        }
        for (JsonNode item : c) {
            Integer at = index.get(keyElement(item, keys));
            if (at == null) {
                out.add(item.deepCopy());
            } else {
                mergeInto((ObjectNode) out.get(at), item, items);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- prune

    /**
     * Removes from {@code object} (in place) the fields of {@code toPrune} — what an applier set before and no
     * manager owns now — keeping any field or item under which {@code owned} still has members, and dropping maps and
     * lists that pruning emptied.
     */
    public static void prune(ObjectNode object, FieldSet toPrune, FieldSet owned, FieldSchema schema) {
        pruneObject(object, toPrune, owned, schema);
    }

    private static void pruneObject(ObjectNode o, FieldSet p, FieldSet owned, FieldSchema s) {
        for (Map.Entry<String, FieldSet> e : p.children().entrySet()) {
            if (!e.getKey().startsWith("f:")) {
                continue;
            }
            String name = e.getKey().substring(2);
            JsonNode v = o.get(name);
            if (v == null) {
                continue;
            }
            FieldSet ownedChild = owned == null ? null : owned.get(e.getKey());
            FieldSet pc = e.getValue();
            if (v.isObject() && !pc.children().isEmpty()) {
                // fields under it that the applier never set (defaults, others' leftovers) stay, as Kubernetes'
                // addBackDanglingItems
                pruneObject((ObjectNode) v, pc, ownedChild, s.field(name));
                if (v.isEmpty() && (ownedChild == null || !ownedChild.member())) {
                    o.remove(name);
                }
            } else if (v.isArray() && !v.isEmpty() && !pc.children().isEmpty()
                    && listType(s, name, v) != ListType.ATOMIC) {
                pruneList((ArrayNode) v, pc, ownedChild, s, name);
                if (v.isEmpty()) {
                    o.remove(name);
                }
            } else if (ownedChild == null) {
                o.remove(name);
            }
        }
    }

    private static void pruneList(ArrayNode list, FieldSet p, FieldSet owned, FieldSchema parent, String name) {
        boolean set = listType(parent, name, list) == ListType.SET;
        List<String> keys = set ? List.of() : parent.keys(name);
        FieldSchema items = parent.field(name);
        for (int i = list.size() - 1; i >= 0; i--) {
            JsonNode item = list.get(i);
            String element = set ? valueElement(item) : keyElement(item, keys);
            FieldSet pc = p.get(element);
            if (pc == null) {
                continue;
            }
            FieldSet ownedItem = owned == null ? null : owned.get(element);
            if (ownedItem == null && pc.member()) {
                list.remove(i);
            } else if (!set && item.isObject()) {
                // an item someone still owns part of keeps its keys (Kubernetes adds owned items back whole)
                FieldSet fields = pc.copy();
                keys.forEach(k -> fields.children().remove("f:" + k));
                pruneObject((ObjectNode) item, fields, ownedItem, items);
            }
        }
    }
}
