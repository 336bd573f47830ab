package io.kube4j.scheduler.framework;

/**
 * A plugin that runs other plugins of its profile (preemption's what-if filtering; Kubernetes' plugins reach these
 * through {@code framework.Handle}, which is the framework itself). The {@link Framework} built over the plugin's
 * profile hands itself over once, when it is constructed.
 */
public interface FrameworkAware {

    void setFramework(Framework framework);
}
