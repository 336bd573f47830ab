package io.kube4j.scheduler.framework;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.BiFunction;

/** The plugin factories a scheduler knows by name: the built-ins plus those found with {@link ServiceLoader}. */
public final class PluginRegistry {

    private final Map<String, PluginFactory> factories = new LinkedHashMap<>();

    /** Adds a factory; a second factory under the same name is an error. */
    public PluginRegistry register(PluginFactory f) {
        if (factories.putIfAbsent(f.name(), f) != null) {
            throw new IllegalArgumentException("two scheduler plugins are named " + f.name());
        }
        return this;
    }

    /** Adds a factory made of a name and a constructor function. */
    public PluginRegistry register(String name, BiFunction<PluginArgs, FrameworkHandle, Plugin> create) {
        return register(new PluginFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Plugin create(PluginArgs args, FrameworkHandle handle) {
                return create.apply(args, handle);
            }
        });
    }

    /** Adds every {@link PluginFactory} that {@code loader}'s classpath declares as a service. */
    public PluginRegistry loadServices(ClassLoader loader) {
        for (PluginFactory f : ServiceLoader.load(PluginFactory.class, loader)) {
            register(f);
        }
        return this;
    }

    public PluginFactory get(String name) {
        return factories.get(name);
    }

    public Collection<PluginFactory> all() {
        return Collections.unmodifiableCollection(factories.values());
    }

    /** Creates plugin {@code name}; an unknown name is an error listing the known ones. */
    public Plugin create(String name, PluginArgs args, FrameworkHandle handle) {
        PluginFactory f = factories.get(name);
        if (f == null) {
            throw new IllegalArgumentException("unknown scheduler plugin " + name + "; known: " + factories.keySet());
        }
        Plugin p = f.create(args, handle);
        if (!p.name().equals(name)) {
            throw new IllegalStateException("factory " + name + " made a plugin named " + p.name());
        }
        return p;
    }
}
