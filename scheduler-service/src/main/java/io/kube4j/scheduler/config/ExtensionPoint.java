package io.kube4j.scheduler.config;

import io.kube4j.scheduler.framework.BindPlugin;
import io.kube4j.scheduler.framework.FilterPlugin;
import io.kube4j.scheduler.framework.PermitPlugin;
import io.kube4j.scheduler.framework.Plugin;
import io.kube4j.scheduler.framework.PostBindPlugin;
import io.kube4j.scheduler.framework.PostFilterPlugin;
import io.kube4j.scheduler.framework.PreBindPlugin;
import io.kube4j.scheduler.framework.PreFilterPlugin;
import io.kube4j.scheduler.framework.PreScorePlugin;
import io.kube4j.scheduler.framework.QueueSortPlugin;
import io.kube4j.scheduler.framework.ReservePlugin;
import io.kube4j.scheduler.framework.ScorePlugin;

/**
 * The extension points a profile's {@code plugins} section configures, by their KubeSchedulerConfiguration key, each
 * with the interface a plugin implements to run there. {@code multiPoint} has none: a plugin enabled there runs at
 * every point it implements.
 */
public enum ExtensionPoint {
    MULTI_POINT("multiPoint", null),
    QUEUE_SORT("queueSort", QueueSortPlugin.class),
    PRE_FILTER("preFilter", PreFilterPlugin.class),
    FILTER("filter", FilterPlugin.class),
    POST_FILTER("postFilter", PostFilterPlugin.class),
    PRE_SCORE("preScore", PreScorePlugin.class),
    SCORE("score", ScorePlugin.class),
    RESERVE("reserve", ReservePlugin.class),
    PERMIT("permit", PermitPlugin.class),
    PRE_BIND("preBind", PreBindPlugin.class),
    BIND("bind", BindPlugin.class),
    POST_BIND("postBind", PostBindPlugin.class);

    private final String key;
    private final Class<? extends Plugin> type;

    ExtensionPoint(String key, Class<? extends Plugin> type) {
        this.key = key;
        this.type = type;
    }

    /** The key under {@code plugins:} in the configuration. */
    public String key() {
        return key;
    }

    /** The interface of this point; null for {@code multiPoint}. */
    public Class<? extends Plugin> type() {
        return type;
    }

    /** The point named {@code key}, or null. */
    public static ExtensionPoint byKey(String key) {
        for (ExtensionPoint p : values()) {
            if (p.key.equals(key)) {
                return p;
            }
        }
        return null;
    }
}
