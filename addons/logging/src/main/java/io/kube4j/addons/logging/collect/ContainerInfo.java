package io.kube4j.addons.logging.collect;

/** A pod's container on this node as the engine reports it, with the path of its json-file log. */
public record ContainerInfo(String id, String namespace, String pod, String podUid, String container, String logPath) {
}
