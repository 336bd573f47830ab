package io.kube4j.scheduler.framework;

/** A scheduler plugin; it implements one or more extension-point interfaces. */
public interface Plugin {

    /** The plugin's name as profiles and messages refer to it. */
    String name();
}
