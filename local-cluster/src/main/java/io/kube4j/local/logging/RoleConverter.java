package io.kube4j.local.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * The {@code %role} column of the one log file: which role (apiserver, gateway, node-0, proxy-1, ...) wrote a line,
 * so {@code ./kube4j logs node-0} can show that role's lines. A role's threads inherit its name from the thread that
 * started its Spring context ({@link #ROLE}); threads shared by all roles (Reactor's schedulers, the client's event
 * loops) inherit whichever role created them first, so kube4j's own loggers are corrected by package.
 */
public final class RoleConverter extends ClassicConverter {

    /** The role of the current thread, inherited by the threads it creates. */
    public static final InheritableThreadLocal<String> ROLE = new InheritableThreadLocal<>();

    @Override
    public String convert(ILoggingEvent event) {
        String inherited = ROLE.get();
        String family = family(event.getLoggerName());
        if (family == null) {
            return inherited == null ? "cluster" : inherited;
        }
        // node-1's threads say node-1; a node package logged from a shared thread says only "node"
        return inherited != null && (inherited.equals(family) || inherited.startsWith(family + "-")) ? inherited : family;
    }

    /** The role family of a kube4j logger, by its package; null for other libraries' loggers. */
    static String family(String logger) {
        if (logger == null || !logger.startsWith("io.kube4j.")) {
            return null;
        }
        String rest = logger.substring("io.kube4j.".length());
        String pkg = rest.contains(".") ? rest.substring(0, rest.indexOf('.')) : rest;
        return switch (pkg) {
            case "apiserver" -> "apiserver";
            case "gateway" -> "gateway";
            case "scheduler" -> "scheduler";
            case "controller" -> "controller-manager";
            case "node" -> rest.startsWith("node.hollow") ? "hollow" : "node";
            case "proxy" -> "proxy";
            default -> null;   // client, security, api-model, local: shared code, the thread's role says more
        };
    }
}
