package io.kube4j.node.runtime;

/** Labels on everything the agent creates in the engine, named as Kubernetes' dockershim named them. */
public final class RuntimeLabels {

    public static final String POD_UID = "io.kubernetes.pod.uid";
    public static final String POD_NAME = "io.kubernetes.pod.name";
    public static final String POD_NAMESPACE = "io.kubernetes.pod.namespace";
    public static final String CONTAINER_NAME = "io.kubernetes.container.name";
    /** {@code podsandbox} or {@code container}. */
    public static final String CONTAINER_TYPE = "io.kubernetes.docker.type";
    public static final String SANDBOX_ID = "io.kubernetes.sandbox.id";
    /** The attempt number of a container (its restart count) or sandbox. */
    public static final String ATTEMPT = "io.kubernetes.container.restartCount";
    /** Hash of the container's spec: a changed spec means the container must be recreated. */
    public static final String CONTAINER_HASH = "io.kubernetes.container.hash";
    public static final String TERMINATION_GRACE = "io.kubernetes.pod.terminationGracePeriod";
    /** The node that owns the object (several agents may share one engine). */
    public static final String NODE = "io.kube4j.node";

    public static final String TYPE_SANDBOX = "podsandbox";
    public static final String TYPE_CONTAINER = "container";
    /** The container name dockershim used for sandboxes. */
    public static final String SANDBOX_CONTAINER_NAME = "POD";

    private RuntimeLabels() {
    }
}
