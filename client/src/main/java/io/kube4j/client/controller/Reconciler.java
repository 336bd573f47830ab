package io.kube4j.client.controller;

/**
 * Drives the world toward the desired state of one object. A thrown exception is a rate-limited retry; the
 * framework guarantees no two concurrent calls for the same request.
 */
@FunctionalInterface
public interface Reconciler {

    Result reconcile(Request request) throws Exception;
}
