package io.kube4j.apiserver.registry;

import io.kube4j.api.codec.Codecs;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds keys repeated in one object of a request body. Jackson, like Go's decoder, keeps the last value and says
 * nothing; Kubernetes' strict decoding reports each repeat, which {@code fieldValidation} turns into a 400 or a
 * warning. The messages are Kubernetes': {@code duplicate field "spec.replicas"} for JSON (the sigs.k8s.io/json
 * decoder's path) and {@code line 7: key "replicas" already set in map} for YAML (the YAML decoder's).
 * Server-side apply bodies go through {@link #find} too.
 */
public final class DuplicateFields {

    private DuplicateFields() {
    }

    /** One object or array being read: its path, the keys seen (null for an array) and the next array index. */
    private static final class Frame {
        final String path;
        final Set<String> keys;
        int index;

        Frame(String path, boolean object) {
            this.path = path;
            this.keys = object ? new HashSet<>() : null;
        }
    }

    /**
     * The repeats in {@code body}, read as YAML when {@code yaml} (line numbers from 1) and as JSON otherwise, in
     * document order; empty for a body that does not parse (the decoder that runs next reports that).
     */
    public static List<String> find(byte[] body, boolean yaml) {
        List<String> out = new ArrayList<>();
        if (body == null || body.length == 0) {
            return out;
        }
        try (JsonParser p = yaml ? Codecs.yaml().createParser(body) : Codecs.json().createParser(body)) {
            Deque<Frame> stack = new ArrayDeque<>();
            String name = null;
            for (JsonToken tok = p.nextToken(); tok != null; tok = p.nextToken()) {
                switch (tok) {
                    case START_OBJECT, START_ARRAY -> {
                        stack.push(new Frame(childPath(stack.peek(), name), tok == JsonToken.START_OBJECT));
                        name = null;
                    }
                    case END_OBJECT, END_ARRAY -> {
                        stack.pop();
                        valueDone(stack.peek());
                        if (stack.isEmpty()) {
                            return out; // one document
                        }
                    }
                    case PROPERTY_NAME -> {
                        name = p.currentName();
                        Frame f = stack.peek();
                        if (f != null && f.keys != null && !f.keys.add(name)) {
                            out.add(yaml ? "line " + p.currentTokenLocation().getLineNr() + ": key \"" + name
                                    + "\" already set in map" : "duplicate field \"" + join(f.path, name) + "\"");
                        }
                    }
                    default -> {
                        name = null;
                        valueDone(stack.peek());
                    }
                }
            }
        } catch (JacksonException e) {
            // not well-formed: the body's decoder answers that with its own 400
        }
        return out;
    }

    private static String childPath(Frame parent, String name) {
        if (parent == null) {
            return "";
        }
        return parent.keys != null ? join(parent.path, name) : parent.path + "[" + parent.index + "]";
    }

    private static void valueDone(Frame parent) {
        if (parent != null && parent.keys == null) {
            parent.index++;
        }
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /**
     * The strict decoding errors of a body as Kubernetes words them in one message: YAML repeats gathered under
     * {@code yaml: unmarshal errors:}, then the others.
     */
    public static List<String> strictErrors(List<String> duplicates, boolean yaml, List<String> unknownPaths) {
        List<String> out = new ArrayList<>();
        if (!duplicates.isEmpty()) {
            if (yaml) {
                out.add("yaml: unmarshal errors:\n  " + String.join("\n  ", duplicates));
            } else {
                out.addAll(duplicates);
            }
        }
        unknownPaths.forEach(f -> out.add("unknown field \"" + f + "\""));
        return out;
    }

    /** The warnings of the same errors ({@code fieldValidation=Warn}): one per repeat or unknown field. */
    public static List<String> warnings(List<String> duplicates, List<String> unknownPaths) {
        List<String> out = new ArrayList<>(duplicates);
        unknownPaths.forEach(f -> out.add("unknown field \"" + f + "\""));
        return out;
    }
}
