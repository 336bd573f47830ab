package io.kube4j.apiserver.auth.authz;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.util.List;
import java.util.Set;

/**
 * Authorization settings, {@code kube4j.apiserver.authorization.*}: kube-apiserver's {@code --authorization-mode},
 * the authorizers asked in order (first ALLOW or DENY wins): {@code Node}, {@code RBAC}, {@code AlwaysAllow},
 * {@code AlwaysDeny}. Members of system:masters are always allowed, whatever the modes.
 *
 * @param modes the authorizers in order; default {@code Node,RBAC}
 */
@ConfigurationProperties("kube4j.apiserver.authorization")
public record AuthorizationProperties(@DefaultValue({"Node", "RBAC"}) List<String> modes) {

    public static final Set<String> KNOWN = Set.of("Node", "RBAC", "AlwaysAllow", "AlwaysDeny");

    public AuthorizationProperties {
        modes = modes == null ? List.of("Node", "RBAC") : List.copyOf(modes);
        for (String m : modes) {
            if (!KNOWN.contains(m)) {
                throw new IllegalArgumentException("kube4j.apiserver.authorization.modes: unknown mode \"" + m
                        + "\" (known: Node, RBAC, AlwaysAllow, AlwaysDeny)");
            }
        }
        if (modes.isEmpty()) {
            throw new IllegalArgumentException("kube4j.apiserver.authorization.modes must name at least one mode");
        }
    }
}
