package io.kube4j.apiserver.auth.authz.node;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.apiserver.auth.authz.CacheFeed;
import io.kube4j.apiserver.watch.CachedObject;
import io.kube4j.apiserver.watch.WatchCacheManager;

/** Feeds a {@link NodeGraph} from the pods and PersistentVolumeClaims in the watch cache. */
public final class NodeGraphFeed {

    private final CacheFeed feed;
    private final CacheFeed claims;

    public NodeGraphFeed(WatchCacheManager caches, ResourceRegistry registry, NodeGraph graph) {
        this.feed = new CacheFeed(caches, registry.byPath("", "v1", "pods").orElseThrow(), new CacheFeed.Handler() {
            @Override
            public void reset() {
                graph.clear();
            }

            @Override
            public void upsert(CachedObject o) {
                String node = o.fields().get("spec.nodeName");
                if (node == null || node.isEmpty()) {
                    graph.delete(o.namespace(), o.name()); // unscheduled: nothing to decode
                } else {
                    graph.put(Codecs.json().readValue(o.json(), Pod.class));
                }
            }

            @Override
            public void delete(CachedObject o) {
                graph.delete(o.namespace(), o.name());
            }
        });
        this.claims = new CacheFeed(caches, registry.byPath("", "v1", "persistentvolumeclaims").orElseThrow(),
                new CacheFeed.Handler() {
                    @Override
                    public void reset() {
                        graph.clearClaims();
                    }

                    @Override
                    public void upsert(CachedObject o) {
                        PersistentVolumeClaim c = Codecs.json().readValue(o.json(), PersistentVolumeClaim.class);
                        graph.putClaim(o.namespace(), o.name(), c.getSpec() == null ? null
                                : c.getSpec().getVolumeName());
                    }

                    @Override
                    public void delete(CachedObject o) {
                        graph.deleteClaim(o.namespace(), o.name());
                    }
                });
    }

    public boolean ready() {
        boolean pods = feed.ensureStarted();
        return claims.ensureStarted() && pods;
    }
}
