package io.kube4j.node.runtime;

/** Receives a stream's output; called from the runtime's threads, in order, never concurrently for one stream. */
public interface OutputSink {

    void stdout(byte[] data);

    void stderr(byte[] data);
}
