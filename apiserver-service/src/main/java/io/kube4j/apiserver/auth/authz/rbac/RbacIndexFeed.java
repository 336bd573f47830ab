package io.kube4j.apiserver.auth.authz.rbac;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.apiserver.auth.authz.CacheFeed;
import io.kube4j.apiserver.watch.CachedObject;
import io.kube4j.apiserver.watch.WatchCacheManager;

import java.util.List;
import java.util.function.Consumer;

/** Feeds an {@link RbacIndex} from the watch caches of roles, clusterroles, rolebindings and clusterrolebindings. */
public final class RbacIndexFeed {

    private static final String GROUP = "rbac.authorization.k8s.io";

    private final List<CacheFeed> feeds;

    public RbacIndexFeed(WatchCacheManager caches, ResourceRegistry registry, RbacIndex index) {
        this.feeds = List.of(
                feed(caches, registry, "clusterroles", "ClusterRole",
                        o -> index.putClusterRole(decode(o, ClusterRole.class)), o -> index.removeRole(null, o.name()), index),
                feed(caches, registry, "roles", "Role",
                        o -> index.putRole(decode(o, Role.class)), o -> index.removeRole(o.namespace(), o.name()), index),
                feed(caches, registry, "clusterrolebindings", "ClusterRoleBinding",
                        o -> index.putClusterRoleBinding(decode(o, ClusterRoleBinding.class)),
                        o -> index.removeClusterRoleBinding(o.name()), index),
                feed(caches, registry, "rolebindings", "RoleBinding",
                        o -> index.putRoleBinding(decode(o, RoleBinding.class)),
                        o -> index.removeRoleBinding(o.namespace(), o.name()), index));
    }

    /** True once all four kinds are loaded (starting the feeds when the watch cache is ready). */
    public boolean ready() {
        boolean all = true;
        for (CacheFeed f : feeds) {
            all &= f.ensureStarted();
        }
        return all;
    }

    private static CacheFeed feed(WatchCacheManager caches, ResourceRegistry registry, String plural, String kind,
                                  Consumer<CachedObject> upsert, Consumer<CachedObject> delete, RbacIndex index) {
        return new CacheFeed(caches, registry.byPath(GROUP, "v1", plural).orElseThrow(), new CacheFeed.Handler() {
            @Override
            public void reset() {
                index.clear(kind);
            }

            @Override
            public void upsert(CachedObject o) {
                upsert.accept(o);
            }

            @Override
            public void delete(CachedObject o) {
                delete.accept(o);
            }
        });
    }

    private static <T> T decode(CachedObject o, Class<T> type) {
        return Codecs.json().readValue(o.json(), type);
    }
}
