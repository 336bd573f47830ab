package io.kube4j.node.source;

/** Where pods for this node come from: the apiserver, a directory of static pod manifests, or an HTTP URL. */
public interface PodSource {

    /** {@code api}, {@code file} or {@code http}: the value of {@code kubernetes.io/config.source}. */
    String name();

    void start(PodSourceListener listener);

    void stop();

    /** True once the source delivered its first complete view. */
    boolean ready();
}
