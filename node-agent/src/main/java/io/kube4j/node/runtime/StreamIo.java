package io.kube4j.node.runtime;

import java.io.InputStream;

/**
 * The ends of an interactive stream: {@code stdin} (null: none) is read by the runtime until it ends; output goes
 * to {@code sink}. With {@code tty} stdout and stderr are one stream (delivered as stdout).
 */
public record StreamIo(InputStream stdin, OutputSink sink, boolean stdout, boolean stderr, boolean tty) {
}
