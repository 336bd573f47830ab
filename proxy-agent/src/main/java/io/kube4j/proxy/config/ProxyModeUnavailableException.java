package io.kube4j.proxy.config;

/**
 * The configured proxy mode cannot run on this node (not root, a tool missing, no IPVS in the kernel); the message
 * is one line saying why and what to do. The agent does not start.
 */
public class ProxyModeUnavailableException extends IllegalStateException {

    public ProxyModeUnavailableException(String message) {
        super(message);
    }

    public ProxyModeUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
