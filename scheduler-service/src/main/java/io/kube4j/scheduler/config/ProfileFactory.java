package io.kube4j.scheduler.config;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.kube4j.scheduler.config.ProfileConfig.PluginRef;
import io.kube4j.scheduler.config.ProfileConfig.PluginSet;
import io.kube4j.scheduler.config.ProfileConfig.ProfileSpec;
import io.kube4j.scheduler.framework.FrameworkHandle;
import io.kube4j.scheduler.framework.Plugin;
import io.kube4j.scheduler.framework.PluginArgs;
import io.kube4j.scheduler.framework.PluginRegistry;
import io.kube4j.scheduler.framework.Profile;
import io.kube4j.scheduler.framework.QueueSortPlugin;

/**
 * Turns configured profiles into {@link Profile}s as kube-scheduler does: each extension point's set is merged with the
 * default plugins (Kubernetes' {@code mergePluginSet}: defaults keep their order, a default named again in
 * {@code enabled} is replaced in place, other enabled plugins are appended, {@code disabled} removes defaults and
 * {@code "*"} all of them), {@code multiPoint} plugins are expanded to every point they implement unless disabled
 * there, plugins are built once per profile from the {@link PluginRegistry} with their {@code pluginConfig} args, and
 * score weights are taken from {@code score} before {@code multiPoint} (0 or missing: 1).
 *
 * <p>The framework runs one ordered plugin list per profile, so a plugin's position is the same at every point: the
 * order is the merged {@code multiPoint} list followed by plugins enabled only at specific points, in the order of the
 * points. (Kubernetes moves a plugin re-enabled at a specific point to the front of that point; kube4j keeps it in its
 * default position, which only changes which of several failing filters a message names.) A plugin enabled at only some
 * of the points it implements runs behind a proxy that exposes only those points.
 */
public final class ProfileFactory {

    private final PluginRegistry registry;
    private final List<PluginRef> defaults;
    private final FrameworkHandle handle;

    /**
     * @param registry the plugins known by name
     * @param defaults the default {@code multiPoint} plugins in order, with weights (0: none given)
     * @param handle   what plugins may use of the scheduler
     */
    public ProfileFactory(PluginRegistry registry, List<PluginRef> defaults, FrameworkHandle handle) {
        this.registry = registry;
        this.defaults = List.copyOf(defaults);
        this.handle = handle;
    }

    /**
     * The profiles of {@code config}; with none configured, one default profile named {@code defaultName}.
     *
     * @throws IllegalArgumentException naming the profile and the problem when the configuration is invalid
     */
    public List<Profile> build(ProfileConfig config, String defaultName, int defaultPercentage) {
        List<ProfileSpec> specs = config.profiles().isEmpty()
                ? List.of(new ProfileSpec(defaultName, null, Map.of(), Map.of()))
                : config.profiles();
        List<Profile> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        String queueSortName = null;
        Map<String, Object> queueSortArgs = null;
        for (int i = 0; i < specs.size(); i++) {
            ProfileSpec spec = specs.get(i);
            String name = spec.schedulerName() == null || spec.schedulerName().isBlank() ? defaultName
                    : spec.schedulerName();
            if (!names.add(name)) {
                throw new IllegalArgumentException("profiles[" + i + "]: duplicate schedulerName " + name);
            }
            int pct = spec.percentageOfNodesToScore() != null ? spec.percentageOfNodesToScore()
                    : config.percentageOfNodesToScore() != null ? config.percentageOfNodesToScore() : defaultPercentage;
            Profile p;
            try {
                p = build(spec, name, pct);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("profile " + name + ": " + e.getMessage(), e);
            }
            String qs = p.queueSort().name();
            Map<String, Object> qsArgs = spec.pluginConfig().getOrDefault(qs, Map.of());
            if (queueSortName == null) {
                queueSortName = qs;
                queueSortArgs = qsArgs;
            } else if (!queueSortName.equals(qs) || !queueSortArgs.equals(qsArgs)) {
                throw new IllegalArgumentException("profile " + name + ": all profiles must use the same queueSort"
                        + " plugin and args (the scheduler has one queue): " + queueSortName + " vs " + qs);
            }
            out.add(p);
        }
        return out;
    }

    /** Kubernetes' {@code mergePluginSet}. */
    static PluginSet merge(List<PluginRef> defaultEnabled, PluginSet custom) {
        Set<String> disabled = new HashSet<>(custom.disabled());
        Map<String, Integer> customIndex = new HashMap<>();
        for (int i = 0; i < custom.enabled().size(); i++) {
            customIndex.putIfAbsent(custom.enabled().get(i).name(), i);
        }
        Set<Integer> replaced = new HashSet<>();
        List<PluginRef> enabled = new ArrayList<>();
        if (!disabled.contains("*")) {
            for (PluginRef d : defaultEnabled) {
                if (disabled.contains(d.name())) {
                    continue;
                }
                Integer ci = customIndex.get(d.name());
                if (ci != null) {
                    enabled.add(custom.enabled().get(ci));
                    replaced.add(ci);
                } else {
                    enabled.add(d);
                }
            }
        }
        for (int i = 0; i < custom.enabled().size(); i++) {
            if (!replaced.contains(i)) {
                enabled.add(custom.enabled().get(i));
            }
        }
        return new PluginSet(enabled, custom.disabled());
    }

    private Profile build(ProfileSpec spec, String name, int pct) {
        Map<ExtensionPoint, PluginSet> sets = new EnumMap<>(ExtensionPoint.class);
        for (ExtensionPoint point : ExtensionPoint.values()) {
            sets.put(point, merge(point == ExtensionPoint.MULTI_POINT ? defaults : List.of(), spec.at(point)));
        }
        for (String configured : spec.pluginConfig().keySet()) {
            if (registry.get(configured) == null) {
                throw new IllegalArgumentException("pluginConfig names unknown plugin " + configured + "; known: "
                        + registry.all().stream().map(f -> f.name()).toList());
            }
        }
        // Instantiate every plugin enabled anywhere, once, in order of first mention.
        Map<String, Plugin> plugins = new LinkedHashMap<>();
        for (PluginSet set : sets.values()) {
            for (PluginRef r : set.enabled()) {
                if (!plugins.containsKey(r.name())) {
                    Map<String, Object> args = spec.pluginConfig().get(r.name());
                    plugins.put(r.name(), registry.create(r.name(), new PluginArgs(r.name(), args), handle));
                }
            }
        }
        // Per point: the specific set, then multiPoint expansion (Kubernetes' expandMultiPointPlugins).
        Map<ExtensionPoint, List<String>> perPoint = new EnumMap<>(ExtensionPoint.class);
        for (ExtensionPoint point : ExtensionPoint.values()) {
            if (point == ExtensionPoint.MULTI_POINT) {
                continue;
            }
            PluginSet set = sets.get(point);
            LinkedHashSet<String> specific = new LinkedHashSet<>();
            for (PluginRef r : set.enabled()) {
                if (!point.type().isInstance(plugins.get(r.name()))) {
                    throw new IllegalArgumentException("plugin " + r.name() + " does not extend " + point.key());
                }
                if (!specific.add(r.name())) {
                    throw new IllegalArgumentException("plugin " + r.name() + " enabled twice at " + point.key());
                }
            }
            List<String> list = new ArrayList<>();
            if (!set.disabled().contains("*")) {
                Set<String> disabled = new HashSet<>(set.disabled());
                LinkedHashSet<String> fromMulti = new LinkedHashSet<>();
                for (PluginRef r : sets.get(ExtensionPoint.MULTI_POINT).enabled()) {
                    Plugin pl = plugins.get(r.name());
                    if (!point.type().isInstance(pl) || disabled.contains(r.name()) || specific.contains(r.name())) {
                        continue;
                    }
                    if (!fromMulti.add(r.name())) {
                        throw new IllegalArgumentException("plugin " + r.name() + " already registered as "
                                + point.key());
                    }
                }
                list.addAll(fromMulti);
            }
            list.addAll(specific);
            perPoint.put(point, list);
        }
        List<String> queueSorts = perPoint.get(ExtensionPoint.QUEUE_SORT);
        if (queueSorts.size() != 1) {
            throw new IllegalArgumentException("exactly one queueSort plugin is required, got " + queueSorts);
        }
        if (perPoint.get(ExtensionPoint.BIND).isEmpty()) {
            throw new IllegalArgumentException("at least one bind plugin is required");
        }
        // Score weights: score.enabled first, then multiPoint.enabled (Kubernetes' getScoreWeights).
        Map<String, Integer> weights = new HashMap<>();
        List<PluginRef> weighted = new ArrayList<>(sets.get(ExtensionPoint.SCORE).enabled());
        weighted.addAll(sets.get(ExtensionPoint.MULTI_POINT).enabled());
        for (PluginRef r : weighted) {
            if (ExtensionPoint.SCORE.type().isInstance(plugins.get(r.name()))) {
                weights.putIfAbsent(r.name(), r.weight() == 0 ? 1 : r.weight());
            }
        }
        // One ordered list: multiPoint order, then plugins enabled only at specific points.
        LinkedHashSet<String> order = new LinkedHashSet<>();
        for (PluginRef r : sets.get(ExtensionPoint.MULTI_POINT).enabled()) {
            order.add(r.name());
        }
        for (List<String> l : perPoint.values()) {
            order.addAll(l);
        }
        QueueSortPlugin queueSort = (QueueSortPlugin) plugins.get(queueSorts.get(0));
        Profile.Builder b = Profile.builder(name, queueSort).percentageOfNodesToScore(pct);
        for (String n : order) {
            Set<ExtensionPoint> at = EnumSet.noneOf(ExtensionPoint.class);
            perPoint.forEach((point, l) -> {
                if (l.contains(n)) {
                    at.add(point);
                }
            });
            at.remove(ExtensionPoint.QUEUE_SORT);
            if (at.isEmpty()) {
                continue;
            }
            Plugin pl = restrict(plugins.get(n), at);
            if (at.contains(ExtensionPoint.SCORE)) {
                b.plugin(pl, weights.get(n));
            } else {
                b.plugin(pl);
            }
        }
        return b.build();
    }

    /**
     * {@code plugin} as it runs: itself when enabled at every point it implements, else a proxy implementing only the
     * enabled points' interfaces (and every other interface of the plugin).
     */
    static Plugin restrict(Plugin plugin, Set<ExtensionPoint> enabled) {
        Set<Class<?>> disabled = new HashSet<>();
        for (ExtensionPoint p : ExtensionPoint.values()) {
            if (p.type() != null && p.type().isInstance(plugin) && !enabled.contains(p)) {
                disabled.add(p.type());
            }
        }
        if (disabled.isEmpty()) {
            return plugin;
        }
        if (disabled.contains(ExtensionPoint.PRE_FILTER.type())) {
            // Without its PreFilter a plugin has no pre-filter state for preemption to update.
            disabled.add(io.kube4j.scheduler.framework.PreFilterExtensions.class);
        }
        Set<Class<?>> interfaces = new LinkedHashSet<>();
        collectInterfaces(plugin.getClass(), interfaces);
        interfaces.removeAll(disabled);
        interfaces.add(Plugin.class);
        InvocationHandler h = (proxy, method, args) -> {
            try {
                return method.invoke(plugin, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        ClassLoader cl = Objects.requireNonNullElse(plugin.getClass().getClassLoader(),
                ProfileFactory.class.getClassLoader());
        return (Plugin) Proxy.newProxyInstance(cl, interfaces.toArray(Class<?>[]::new), h);
    }

    private static void collectInterfaces(Class<?> c, Set<Class<?>> out) {
        for (Class<?> x = c; x != null; x = x.getSuperclass()) {
            for (Class<?> i : x.getInterfaces()) {
                if (out.add(i)) {
                    collectInterfaces(i, out);
                }
            }
        }
    }
}
