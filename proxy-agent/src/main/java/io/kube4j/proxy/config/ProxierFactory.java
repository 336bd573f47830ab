package io.kube4j.proxy.config;

import io.kube4j.proxy.Proxier;
import io.kube4j.proxy.exec.CommandRunner;
import io.kube4j.proxy.iptables.IptablesProxier;
import io.kube4j.proxy.ipvs.IpvsProxier;
import io.kube4j.proxy.userspace.UserspaceProxier;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.util.ArrayList;
import java.util.List;

/** Builds the proxier of a mode from {@code kube4j.proxy.*}, and every mode's proxier for {@code --cleanup}. */
public class ProxierFactory {

    private final ProxyAgentProperties props;
    private final CommandRunner runner;
    private final MeterRegistry meters;

    public ProxierFactory(ProxyAgentProperties props, CommandRunner runner, MeterRegistry meters) {
        this.props = props;
        this.runner = runner;
        this.meters = meters;
    }

    /** The proxier of the selected mode. */
    public Proxier create(ProxyModeSelector.Selection selection) {
        return switch (selection.mode()) {
            case "iptables" -> iptables(meters);
            case "ipvs" -> ipvs(meters);
            case "userspace" -> userspace(selection.redirect());
            default -> throw new IllegalArgumentException("unknown proxy mode " + selection.mode());
        };
    }

    /**
     * One proxier per mode whose leftovers can exist on this node, for {@code --cleanup}: iptables and userspace
     * when the iptables tools are installed, IPVS when ipvsadm or ipset is.
     */
    public List<Proxier> forCleanup() {
        // each gets a registry of its own: the modes share some meter names, and a cleanup's metrics mean nothing
        List<Proxier> all = new ArrayList<>();
        boolean iptables = ProxyModeSelector.IPTABLES_TOOLS.stream().allMatch(runner::available);
        if (iptables) {
            all.add(iptables(new SimpleMeterRegistry()));
        }
        if (runner.available("ipvsadm") || runner.available("ipset")) {
            all.add(ipvs(new SimpleMeterRegistry()));
        }
        if (iptables) {
            // its cleanup removes the chains of any userspace agent, whatever address that one listened on; the
            // fixed host IP spares the look-up of the node's address, which renders nothing here and fails on a
            // node with loopback only
            all.add(new UserspaceProxier(new UserspaceProxier.Config(props.nodeName(), "0.0.0.0", "", true, null, null,
                    "127.0.0.1"), runner, new SimpleMeterRegistry()));
        }
        return all;
    }

    IptablesProxier iptables(MeterRegistry meters) {
        return new IptablesProxier(new IptablesProxier.Config(props.nodeName(), props.clusterCidrOrNull(),
                props.masqueradeAll(), props.masqueradeBit(), props.nodePortAddresses(),
                props.iptables().localhostNodePorts(), props.iptables().restoreTimeout()), runner, meters);
    }

    IpvsProxier ipvs(MeterRegistry meters) {
        return new IpvsProxier(new IpvsProxier.Config(props.nodeName(), props.clusterCidrOrNull(),
                props.masqueradeAll(), props.masqueradeBit(), props.ipvs().scheduler(), props.ipvs().strictArp(),
                props.nodePortAddresses(), props.ipvs().tcpTimeout(), props.ipvs().tcpFinTimeout(),
                props.ipvs().udpTimeout(), IpvsProxier.Config.DEFAULT_GRACEFUL_TERMINATION), runner, meters);
    }

    UserspaceProxier userspace(boolean redirect) {
        return new UserspaceProxier(new UserspaceProxier.Config(props.nodeName(), props.userspace().bindAddress(),
                props.userspace().portRange(), redirect, props.userspace().udpIdleTimeout(),
                props.userspace().tcpConnectTimeout(), null), runner, meters);
    }
}
