package io.kube4j.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;

/** Runs once per cycle before filtering: precomputes what filters need into the {@link CycleState}, or rejects. */
public interface PreFilterPlugin extends Plugin {

    Status preFilter(CycleState state, Pod pod);

    /** How this plugin's pre-filter state follows hypothetical pod additions/removals; null if it keeps none. */
    default PreFilterExtensions preFilterExtensions() {
        return null;
    }
}
