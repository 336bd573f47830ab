package io.kube4j.scheduler.testplugins;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.FrameworkHandle;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.Plugin;
import io.kube4j.scheduler.framework.PluginArgs;
import io.kube4j.scheduler.framework.PluginFactory;
import io.kube4j.scheduler.framework.ScorePlugin;

/**
 * An out-of-tree plugin as a user would write one, loaded through {@link java.util.ServiceLoader} from
 * {@code META-INF/services/io.kube4j.scheduler.framework.PluginFactory}: scores nodes carrying label
 * {@code args.label} (with value {@code args.value}, if given) 100, others 0.
 */
public final class NodeLabelPreference implements ScorePlugin {

    public static final String NAME = "NodeLabelPreference";

    private final String label;
    private final String value;

    NodeLabelPreference(String label, String value) {
        this.label = label;
        this.value = value;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public long score(CycleState state, Pod pod, NodeInfo node) {
        var labels = node.node().getMetadata().getLabels();
        if (labels == null || !labels.containsKey(label)) {
            return MIN_NODE_SCORE;
        }
        return value == null || value.equals(labels.get(label)) ? MAX_NODE_SCORE : MIN_NODE_SCORE;
    }

    /** The factory the ServiceLoader finds. */
    public static final class Factory implements PluginFactory {

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public Plugin create(PluginArgs args, FrameworkHandle handle) {
            args.requireOnly(null, "label", "value");
            String label = args.string("label", null);
            if (label == null || label.isBlank()) {
                throw new IllegalArgumentException("plugin " + NAME + ": args.label is required");
            }
            return new NodeLabelPreference(label, args.string("value", null));
        }
    }
}
