package io.kube4j.scheduler.framework;

/**
 * Where the {@link Framework} reports how long each plugin took at each extension point, on the cycles whose
 * {@link CycleState#recordPluginMetrics()} is set (Kubernetes samples 10% of them). Implementations must be cheap and
 * thread-safe: filters and scores call it from the parallelizer's threads, once per node.
 */
public interface PluginMetricsRecorder {

    /** The extension points, labelled as Kubernetes labels {@code scheduler_plugin_execution_duration_seconds}. */
    enum ExtensionPoint {
        PRE_FILTER("PreFilter"), FILTER("Filter"), POST_FILTER("PostFilter"), PRE_SCORE("PreScore"), SCORE("Score"),
        SCORE_NORMALIZE("ScoreExtensionNormalize"), RESERVE("Reserve"), UNRESERVE("Unreserve"), PERMIT("Permit"),
        PRE_BIND("PreBind"), BIND("Bind"), POST_BIND("PostBind");

        private final String label;

        ExtensionPoint(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** Records one plugin execution that took {@code nanos} and ended with {@code code}. */
    void observe(ExtensionPoint point, String plugin, Status.Code code, long nanos);
}
