package io.kube4j.security;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An authenticated identity, as Kubernetes' {@code user.Info}: a user name, an optional UID, the groups it belongs
 * to and free-form extra attributes (for example {@code authentication.kubernetes.io/credential-id}). Every
 * authenticator produces one; authorization, admission and audit consume it.
 */
public record UserInfo(String name, String uid, List<String> groups, Map<String, List<String>> extra) {

    /** Members of this group are superusers: every authorization check allows them (Kubernetes' rule). */
    public static final String SYSTEM_MASTERS = "system:masters";
    /** Added to every authenticated identity. */
    public static final String SYSTEM_AUTHENTICATED = "system:authenticated";
    /** The group of {@link #anonymous()}. */
    public static final String SYSTEM_UNAUTHENTICATED = "system:unauthenticated";
    public static final String ANONYMOUS_USER = "system:anonymous";
    /** Node agents authenticate as {@code system:node:<nodeName>} in this group. */
    public static final String NODES_GROUP = "system:nodes";
    public static final String NODE_USER_PREFIX = "system:node:";
    /** ServiceAccounts authenticate as {@code system:serviceaccount:<namespace>:<name>}. */
    public static final String SERVICE_ACCOUNT_USER_PREFIX = "system:serviceaccount:";
    public static final String SERVICE_ACCOUNTS_GROUP = "system:serviceaccounts";
    /** Plus {@code system:serviceaccounts:<namespace>}. */
    public static final String SERVICE_ACCOUNTS_NAMESPACE_GROUP_PREFIX = "system:serviceaccounts:";
    /** The apiserver's own identity for writes it makes itself (bootstrap, internal updates). */
    public static final String APISERVER_USER = "system:apiserver";

    public UserInfo {
        Objects.requireNonNull(name, "name");
        uid = uid == null ? "" : uid;
        groups = groups == null ? List.of() : List.copyOf(groups);
        extra = extra == null ? Map.of() : Map.copyOf(extra);
    }

    public static UserInfo of(String name, String... groups) {
        return new UserInfo(name, "", List.of(groups), Map.of());
    }

    /** The identity of a request that presented no credentials (only allowed on the anonymous paths). */
    public static UserInfo anonymous() {
        return new UserInfo(ANONYMOUS_USER, "", List.of(SYSTEM_UNAUTHENTICATED), Map.of());
    }

    /** The apiserver acting on its own behalf: a superuser. */
    public static UserInfo apiserver() {
        return new UserInfo(APISERVER_USER, "", List.of(SYSTEM_MASTERS, SYSTEM_AUTHENTICATED), Map.of());
    }

    /** This identity with {@code system:authenticated} added (once), as Kubernetes adds it after authentication. */
    public UserInfo withAuthenticatedGroup() {
        if (groups.contains(SYSTEM_AUTHENTICATED) || name.equals(ANONYMOUS_USER)) {
            return this;
        }
        List<String> g = new java.util.ArrayList<>(groups);
        g.add(SYSTEM_AUTHENTICATED);
        return new UserInfo(name, uid, g, extra);
    }

    public boolean isSuperuser() {
        return groups.contains(SYSTEM_MASTERS);
    }

    /** The node name when this is a node agent ({@code system:node:<name>} in {@code system:nodes}), else null. */
    public String nodeName() {
        return name.startsWith(NODE_USER_PREFIX) && groups.contains(NODES_GROUP)
                ? name.substring(NODE_USER_PREFIX.length()) : null;
    }

    /** {namespace, name} when this is a ServiceAccount, else null. */
    public String[] serviceAccount() {
        if (!name.startsWith(SERVICE_ACCOUNT_USER_PREFIX)) {
            return null;
        }
        String[] parts = name.substring(SERVICE_ACCOUNT_USER_PREFIX.length()).split(":", -1);
        return parts.length == 2 && !parts[0].isEmpty() && !parts[1].isEmpty() ? parts : null;
    }

    @Override
    public String toString() {
        return "UserInfo[name=" + name + ", uid=" + uid + ", groups=" + groups + "]";
    }
}
