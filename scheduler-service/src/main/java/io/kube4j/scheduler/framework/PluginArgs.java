package io.kube4j.scheduler.framework;

import java.util.List;
import java.util.Map;

/**
 * A plugin's arguments as the profile configuration gives them (Kubernetes' {@code pluginConfig[].args}): a tree of
 * maps, lists and scalars. Getters fail with a message naming the plugin and key when a value has the wrong shape.
 */
public record PluginArgs(String plugin, Map<String, Object> values) {

    public PluginArgs {
        values = values == null ? Map.of() : Map.copyOf(values);
    }

    public static PluginArgs empty(String plugin) {
        return new PluginArgs(plugin, Map.of());
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    public String string(String key, String dflt) {
        Object v = values.get(key);
        return v == null ? dflt : v.toString();
    }

    public int integer(String key, int dflt) {
        Object v = values.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Number n) {
            return n.intValue();
        }
        try {
            return Integer.parseInt(v.toString().trim());
        } catch (NumberFormatException e) {
            throw invalid(key, "an integer", v);
        }
    }

    public boolean bool(String key, boolean dflt) {
        Object v = values.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        String s = v.toString().trim();
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(s);
        }
        throw invalid(key, "true or false", v);
    }

    /** A nested object ({@code key: {...}}), or an empty map. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> map(String key) {
        Object v = values.get(key);
        if (v == null) {
            return Map.of();
        }
        if (v instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw invalid(key, "an object", v);
    }

    /** A list ({@code key: [...]}), or an empty list. Spring binds YAML lists as maps keyed "0", "1", ...: both work. */
    @SuppressWarnings("unchecked")
    public List<Object> list(String key) {
        Object v = values.get(key);
        if (v == null) {
            return List.of();
        }
        if (v instanceof List<?> l) {
            return (List<Object>) l;
        }
        if (v instanceof Map<?, ?> m && m.keySet().stream().allMatch(k -> k.toString().matches("\\d+"))) {
            return m.entrySet().stream().sorted(java.util.Comparator.comparingInt(e -> Integer.parseInt(
                    e.getKey().toString()))).map(e -> (Object) e.getValue()).toList();
        }
        throw invalid(key, "a list", v);
    }

    /**
     * Fails when a key other than {@code known} is present, as Kubernetes decodes plugin args strictly; {@code path}
     * names a nested object these args were made of (null at the top).
     */
    public PluginArgs requireOnly(String path, String... known) {
        List<String> k = List.of(known);
        for (String key : values.keySet()) {
            if (!k.contains(key)) {
                throw new IllegalArgumentException("plugin " + plugin + ": unknown field args."
                        + (path == null ? "" : path + ".") + key + "; known: " + k);
            }
        }
        return this;
    }

    public IllegalArgumentException invalid(String key, String expected, Object got) {
        return new IllegalArgumentException("plugin " + plugin + ": args." + key + " must be " + expected + ", got "
                + got);
    }
}
