package io.kube4j.apiserver.watch;

import io.kube4j.api.selector.FieldSelector;
import io.kube4j.api.selector.LabelSelector;

/** What one watch or list selects: a namespace (null: all), a label selector and a field selector. */
public record WatchFilter(String namespace, LabelSelector labels, FieldSelector fields) {

    public static WatchFilter everything() {
        return new WatchFilter(null, LabelSelector.everything(), FieldSelector.everything());
    }

    public boolean matches(CachedObject o) {
        if (o == null) {
            return false;
        }
        if (namespace != null && !namespace.equals(o.namespace())) {
            return false;
        }
        return labels.matches(o.labels()) && fields.matches(o.fields());
    }
}
