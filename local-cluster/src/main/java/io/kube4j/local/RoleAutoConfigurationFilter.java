package io.kube4j.local;

import java.util.Map;
import java.util.Set;

import org.springframework.boot.autoconfigure.AutoConfigurationImportFilter;
import org.springframework.boot.autoconfigure.AutoConfigurationMetadata;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;

/**
 * Keeps each role's context to the auto-configurations its own jar would bring. In one JVM every role sees the
 * classpath of all: Spring Cloud Gateway would route in the scheduler, Spring Security would put the node agent's
 * actuator behind a generated password, springdoc would serve API docs from the proxy agent. Only contexts started
 * by {@link RoleApplication} (property {@value RoleApplication#ROLE_PROPERTY}) are filtered.
 */
public final class RoleAutoConfigurationFilter implements AutoConfigurationImportFilter, EnvironmentAware {

    /** Package prefixes of auto-configurations, and the role families whose own jars carry them. */
    private static final Map<String, Set<String>> OWNERS = Map.of(
            "org.springframework.cloud.", Set.of("gateway"),
            "org.springframework.boot.security.", Set.of("apiserver", "gateway"),
            "org.springdoc.", Set.of("apiserver", "gateway"));

    private String role;

    @Override
    public void setEnvironment(Environment environment) {
        role = environment.getProperty(RoleApplication.ROLE_PROPERTY);
    }

    @Override
    public boolean[] match(String[] autoConfigurationClasses, AutoConfigurationMetadata metadata) {
        boolean[] match = new boolean[autoConfigurationClasses.length];
        for (int i = 0; i < match.length; i++) {
            match[i] = role == null || allowed(autoConfigurationClasses[i], role);
        }
        return match;
    }

    static boolean allowed(String autoConfiguration, String role) {
        if (autoConfiguration == null) {
            return true;
        }
        for (Map.Entry<String, Set<String>> e : OWNERS.entrySet()) {
            if (autoConfiguration.startsWith(e.getKey())) {
                return e.getValue().contains(role);
            }
        }
        return true;
    }
}
