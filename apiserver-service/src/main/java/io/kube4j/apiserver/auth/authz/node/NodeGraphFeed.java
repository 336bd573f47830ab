package io.kube4j.apiserver.auth.authz.node;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.apiserver.auth.authz.CacheFeed;
import io.kube4j.apiserver.watch.CachedObject;
import io.kube4j.apiserver.watch.WatchCacheManager;

/** Feeds a {@link NodeGraph} from the pods in the watch cache. */
public final class NodeGraphFeed {

    private final CacheFeed feed;

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
    }

    public boolean ready() {
        return feed.ensureStarted();
    }
}
