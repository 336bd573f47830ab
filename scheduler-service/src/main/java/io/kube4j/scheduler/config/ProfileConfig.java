package io.kube4j.scheduler.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.core.JacksonException;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Scheduler profiles as a Kubernetes {@code KubeSchedulerConfiguration} (kubescheduler.config.k8s.io/v1) states them:
 * {@code profiles[]} with {@code schedulerName}, {@code percentageOfNodesToScore}, {@code plugins} (per extension
 * point {@code enabled: [{name, weight}]} and {@code disabled: [{name}]}) and {@code pluginConfig: [{name, args}]}.
 * It is read from a configuration file or from the maps Spring binds under {@code kube4j.scheduler.profiles}; both
 * go through {@link #fromTree}, which checks the shape and names the offending field in its error.
 *
 * @param percentageOfNodesToScore the top-level default for profiles that do not set one (null: not set)
 * @param profiles                 the profiles in order; empty when the configuration names none
 */
public record ProfileConfig(Integer percentageOfNodesToScore, List<ProfileSpec> profiles) {

    /** The API version a configuration file may declare. */
    public static final String API_VERSION = "kubescheduler.config.k8s.io/v1";
    public static final String KIND = "KubeSchedulerConfiguration";

    /** KubeSchedulerConfiguration fields kube4j accepts in a file but takes from its own properties instead. */
    static final Set<String> IGNORED_TOP_LEVEL = Set.of("parallelism", "leaderElection", "clientConnection",
            "healthzBindAddress", "metricsBindAddress", "enableProfiling", "enableContentionProfiling",
            "podInitialBackoffSeconds", "podMaxBackoffSeconds", "extenders", "delayCacheUntilActive");

    public ProfileConfig {
        profiles = List.copyOf(profiles);
    }

    /**
     * One profile.
     *
     * @param pluginConfig args by plugin name, in the order given
     */
    public record ProfileSpec(String schedulerName, Integer percentageOfNodesToScore,
            Map<ExtensionPoint, PluginSet> plugins, Map<String, Map<String, Object>> pluginConfig) {

        public ProfileSpec {
            plugins = plugins.isEmpty() ? Map.of() : new EnumMap<>(plugins);
            pluginConfig = new LinkedHashMap<>(pluginConfig);
        }

        /** The set at {@code point}, empty when not configured. */
        public PluginSet at(ExtensionPoint point) {
            return plugins.getOrDefault(point, PluginSet.EMPTY);
        }
    }

    /** The plugins enabled (in order, with weights) and disabled ({@code "*"}: all defaults) at one point. */
    public record PluginSet(List<PluginRef> enabled, List<String> disabled) {
        public static final PluginSet EMPTY = new PluginSet(List.of(), List.of());

        public PluginSet {
            enabled = List.copyOf(enabled);
            disabled = List.copyOf(disabled);
        }
    }

    /** A plugin named in a set; {@code weight} 0 means not given (1 for score plugins, as Kubernetes). */
    public record PluginRef(String name, int weight) {
    }

    /** Reads a KubeSchedulerConfiguration YAML (or JSON) file. */
    public static ProfileConfig readFile(Path file) {
        Object tree;
        try {
            tree = YAMLMapper.builder().build().readValue(Files.readString(file), Object.class);
        } catch (IOException | JacksonException e) {
            throw new IllegalArgumentException("scheduler configuration " + file + " cannot be read: "
                    + e.getMessage(), e);
        }
        if (!(tree instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("scheduler configuration " + file + " must be a "
                    + KIND + " object");
        }
        Object apiVersion = m.get("apiVersion");
        if (apiVersion != null && !API_VERSION.equals(apiVersion)) {
            throw new IllegalArgumentException("scheduler configuration " + file + ": apiVersion must be "
                    + API_VERSION + ", got " + apiVersion);
        }
        Object kind = m.get("kind");
        if (kind != null && !KIND.equals(kind)) {
            throw new IllegalArgumentException("scheduler configuration " + file + ": kind must be " + KIND
                    + ", got " + kind);
        }
        try {
            return fromTree(m);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("scheduler configuration " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a configuration from a tree of maps, lists and scalars (a parsed file's top level). */
    public static ProfileConfig fromTree(Map<?, ?> top) {
        Integer pct = null;
        List<ProfileSpec> profiles = List.of();
        for (Map.Entry<?, ?> e : top.entrySet()) {
            String k = e.getKey().toString();
            switch (k) {
                case "apiVersion", "kind" -> {
                }
                case "percentageOfNodesToScore" -> pct = percentage(e.getValue(), k);
                case "profiles" -> profiles = profiles(e.getValue(), "profiles");
                default -> {
                    if (!IGNORED_TOP_LEVEL.contains(k)) {
                        throw new IllegalArgumentException("unknown field " + k);
                    }
                }
            }
        }
        return new ProfileConfig(pct, profiles);
    }

    /** Reads the profiles list alone (what {@code kube4j.scheduler.profiles} holds). */
    public static List<ProfileSpec> profiles(Object value, String path) {
        List<ProfileSpec> out = new ArrayList<>();
        List<Object> items = list(value, path);
        for (int i = 0; i < items.size(); i++) {
            out.add(profile(items.get(i), path + "[" + i + "]"));
        }
        return out;
    }

    private static ProfileSpec profile(Object value, String path) {
        Map<?, ?> m = map(value, path);
        String name = null;
        Integer pct = null;
        Map<ExtensionPoint, PluginSet> plugins = new EnumMap<>(ExtensionPoint.class);
        Map<String, Map<String, Object>> pluginConfig = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String k = e.getKey().toString();
            String p = path + "." + k;
            switch (k) {
                case "schedulerName" -> name = string(e.getValue(), p);
                case "percentageOfNodesToScore" -> pct = percentage(e.getValue(), p);
                case "plugins" -> {
                    for (Map.Entry<?, ?> pe : map(e.getValue(), p).entrySet()) {
                        String pk = pe.getKey().toString();
                        ExtensionPoint point = ExtensionPoint.byKey(pk);
                        if (point == null) {
                            throw new IllegalArgumentException(p + "." + pk + ": unknown extension point; known: "
                                    + java.util.Arrays.stream(ExtensionPoint.values()).map(ExtensionPoint::key)
                                            .toList());
                        }
                        plugins.put(point, pluginSet(pe.getValue(), p + "." + pk));
                    }
                }
                case "pluginConfig" -> {
                    List<Object> items = list(e.getValue(), p);
                    for (int i = 0; i < items.size(); i++) {
                        String ip = p + "[" + i + "]";
                        Map<?, ?> c = map(items.get(i), ip);
                        String plugin = string(c.get("name"), ip + ".name");
                        if (plugin == null || plugin.isBlank()) {
                            throw new IllegalArgumentException(ip + ".name is required");
                        }
                        for (Object ck : c.keySet()) {
                            if (!ck.equals("name") && !ck.equals("args")) {
                                throw new IllegalArgumentException(ip + ": unknown field " + ck);
                            }
                        }
                        Map<String, Object> args = new LinkedHashMap<>();
                        if (c.get("args") != null) {
                            map(c.get("args"), ip + ".args").forEach((ak, av) -> {
                                // A file's args may carry their own apiVersion/kind (e.g. kind: NodeResourcesFitArgs).
                                if (!ak.equals("apiVersion") && !ak.equals("kind") && av != null) {
                                    args.put(ak.toString(), normalize(av));
                                }
                            });
                        }
                        if (pluginConfig.put(plugin, args) != null) {
                            throw new IllegalArgumentException(p + ": plugin " + plugin + " configured twice");
                        }
                    }
                }
                default -> throw new IllegalArgumentException(path + ": unknown field " + k);
            }
        }
        return new ProfileSpec(name, pct, plugins, pluginConfig);
    }

    private static PluginSet pluginSet(Object value, String path) {
        if (value == null) {
            return PluginSet.EMPTY;
        }
        List<PluginRef> enabled = new ArrayList<>();
        List<String> disabled = new ArrayList<>();
        for (Map.Entry<?, ?> e : map(value, path).entrySet()) {
            String k = e.getKey().toString();
            List<Object> items = list(e.getValue(), path + "." + k);
            for (int i = 0; i < items.size(); i++) {
                String ip = path + "." + k + "[" + i + "]";
                Map<?, ?> m = map(items.get(i), ip);
                String name = string(m.get("name"), ip + ".name");
                if (name == null || name.isBlank()) {
                    throw new IllegalArgumentException(ip + ".name is required");
                }
                int weight = 0;
                for (Map.Entry<?, ?> f : m.entrySet()) {
                    String fk = f.getKey().toString();
                    if (fk.equals("weight") && k.equals("enabled")) {
                        weight = integer(f.getValue(), ip + ".weight");
                        if (weight < 0) {
                            throw new IllegalArgumentException(ip + ".weight must not be negative, got " + weight);
                        }
                    } else if (!fk.equals("name")) {
                        throw new IllegalArgumentException(ip + ": unknown field " + fk);
                    }
                }
                switch (k) {
                    case "enabled" -> enabled.add(new PluginRef(name, weight));
                    case "disabled" -> disabled.add(name);
                    default -> throw new IllegalArgumentException(path + ": unknown field " + k
                            + " (enabled or disabled)");
                }
            }
        }
        return new PluginSet(enabled, disabled);
    }

    private static Integer percentage(Object v, String path) {
        if (v == null) {
            return null;
        }
        int p = integer(v, path);
        if (p < 0 || p > 100) {
            throw new IllegalArgumentException(path + " must be within 0..100, got " + p);
        }
        return p;
    }

    private static int integer(Object v, String path) {
        if (v instanceof Integer || v instanceof Long || v instanceof Short) {
            return ((Number) v).intValue();
        }
        try {
            return Integer.parseInt(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(path + " must be an integer, got " + v);
        }
    }

    private static String string(Object v, String path) {
        if (v == null) {
            return null;
        }
        if (v instanceof Map || v instanceof List) {
            throw new IllegalArgumentException(path + " must be a string, got " + v);
        }
        return v.toString();
    }

    private static Map<?, ?> map(Object v, String path) {
        if (v == null) {
            return Map.of();
        }
        if (v instanceof Map<?, ?> m && !isIndexed(m)) {
            return m;
        }
        throw new IllegalArgumentException(path + " must be an object, got " + v);
    }

    /** A list; Spring binds YAML lists under a {@code Map<String, Object>} as maps keyed "0", "1", ...: both work. */
    private static List<Object> list(Object v, String path) {
        if (v == null) {
            return List.of();
        }
        Object n = normalize(v);
        if (n instanceof List<?> l) {
            return new ArrayList<>(l);
        }
        throw new IllegalArgumentException(path + " must be a list, got " + v);
    }

    private static boolean isIndexed(Map<?, ?> m) {
        if (m.isEmpty()) {
            return false;
        }
        for (Object k : m.keySet()) {
            if (!k.toString().matches("\\d+")) {
                return false;
            }
        }
        return true;
    }

    /** Turns Spring's index-keyed maps back into lists, recursively. */
    static Object normalize(Object v) {
        if (v instanceof Map<?, ?> m) {
            if (isIndexed(m)) {
                Object[] items = new Object[m.size()];
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    int i = Integer.parseInt(e.getKey().toString());
                    if (i >= items.length) {
                        throw new IllegalArgumentException("list index " + i + " out of order in " + m);
                    }
                    items[i] = normalize(e.getValue());
                }
                return new ArrayList<>(java.util.Arrays.asList(items));
            }
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, val) -> out.put(k.toString(), normalize(val)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(x -> out.add(normalize(x)));
            return out;
        }
        return v;
    }
}
