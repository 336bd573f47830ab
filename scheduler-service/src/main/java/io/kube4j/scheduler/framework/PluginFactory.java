package io.kube4j.scheduler.framework;

/**
 * Makes one kind of plugin for a profile (Kubernetes' registry entry {@code PluginFactory}). Built-in plugins are
 * registered in {@link PluginRegistry}; out-of-tree plugins are found on the classpath with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/io.kube4j.scheduler.framework.PluginFactory}) and can then be named in a profile.
 */
public interface PluginFactory {

    /** The plugin's name, as profiles name it. */
    String name();

    /** A new instance for one profile; invalid args throw {@link IllegalArgumentException} with a clear message. */
    Plugin create(PluginArgs args, FrameworkHandle handle);
}
