package io.kube4j.client.controller;

/**
 * Something a controller manager starts and stops as a unit: a queue-driven {@link Controller}, or a loop of its own
 * (a garbage collector's graph, a node monitor). {@link #start} must not block; {@link #stop} waits until it is done.
 */
public interface Startable {

    String name();

    void start();

    void stop() throws InterruptedException;
}
