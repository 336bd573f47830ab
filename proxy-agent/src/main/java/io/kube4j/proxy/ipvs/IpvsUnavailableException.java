package io.kube4j.proxy.ipvs;

import java.util.List;

/**
 * IPVS proxy mode cannot work on this node. The message names every missing piece (kernel IPVS, the scheduler's
 * module, ipset, dummy interfaces) and what to do about it (load the modules, use mode iptables, or configure the
 * fallback to iptables), so that proxy-agent can fail at start-up with one clear line.
 */
public class IpvsUnavailableException extends RuntimeException {

    private final List<String> missing;

    public IpvsUnavailableException(List<String> missing, String remedy) {
        super("IPVS proxy mode is unavailable on this node: " + String.join("; ", missing) + ". " + remedy);
        this.missing = List.copyOf(missing);
    }

    /** One entry per missing piece, each saying what was found. */
    public List<String> missing() {
        return missing;
    }
}
