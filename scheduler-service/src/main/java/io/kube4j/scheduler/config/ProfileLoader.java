package io.kube4j.scheduler.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * Finds the scheduler's profile configuration in the application's environment: a KubeSchedulerConfiguration file named
 * by {@code kube4j.scheduler.config-file}, or profiles written inline under {@code kube4j.scheduler.profiles} with the
 * same field names; neither means the one default profile. Setting both is an error (which would win is not obvious).
 */
public final class ProfileLoader {

    public static final String CONFIG_FILE = "kube4j.scheduler.config-file";
    public static final String PROFILES = "kube4j.scheduler.profiles";

    private ProfileLoader() {
    }

    /** The configured profiles; invalid configuration throws {@link IllegalArgumentException} naming the field. */
    public static ProfileConfig load(Environment env) {
        String file = env.getProperty(CONFIG_FILE);
        Map<String, Object> scheduler = Binder.get(env).bind("kube4j.scheduler",
                Bindable.mapOf(String.class, Object.class)).orElse(Map.of());
        Object inline = scheduler.get("profiles");
        if (file != null && !file.isBlank()) {
            if (inline != null) {
                throw new IllegalArgumentException("set either " + CONFIG_FILE + " or " + PROFILES + ", not both");
            }
            return ProfileConfig.readFile(Path.of(file.trim()));
        }
        if (inline == null) {
            return new ProfileConfig(null, List.of());
        }
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("profiles", ProfileConfig.normalize(inline));
        try {
            return ProfileConfig.fromTree(top);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("kube4j.scheduler." + e.getMessage(), e);
        }
    }
}
