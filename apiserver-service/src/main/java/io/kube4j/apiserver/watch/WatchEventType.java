package io.kube4j.apiserver.watch;

/** The event types of a Kubernetes watch stream. */
public enum WatchEventType { ADDED, MODIFIED, DELETED, BOOKMARK, ERROR }
