package io.kube4j.proxy.config;

import io.kube4j.proxy.exec.CommandRunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Decides which proxy mode runs, as kube-proxy's {@code getProxyMode} plus kube4j's rules: an empty mode means
 * iptables when running as root with iptables installed, else userspace (which then listens on host ports without
 * touching netfilter); an explicit mode that cannot work here fails with one line saying why, except IPVS, which
 * falls back to iptables when {@code kube4j.proxy.ipvs-fallback=iptables}.
 */
public final class ProxyModeSelector {

    /** The iptables tools every netfilter-programming mode runs. */
    static final List<String> IPTABLES_TOOLS = List.of("iptables", "iptables-save", "iptables-restore");

    /** Tells whether the kernel and tools can do IPVS; throws with the reason when they cannot. */
    @FunctionalInterface
    public interface IpvsCheck {
        void check(CommandRunner runner);
    }

    /**
     * The decision.
     *
     * @param mode     the mode to run: iptables, ipvs or userspace
     * @param root     whether the agent runs as root
     * @param redirect for userspace: whether service traffic is redirected to the proxies with iptables (root and
     *                 iptables present), or the proxies listen on the service's host ports directly
     * @param reason   why this mode, for the start-up log
     */
    public record Selection(String mode, boolean root, boolean redirect, String reason) {
    }

    private final CommandRunner runner;
    private final IpvsCheck ipvsCheck;

    public ProxyModeSelector(CommandRunner runner, IpvsCheck ipvsCheck) {
        this.runner = runner;
        this.ipvsCheck = ipvsCheck;
    }

    /** The mode {@code props} ask for, checked against this node. */
    public Selection select(ProxyAgentProperties props) {
        long uid = uid();
        boolean root = uid == 0;
        String missing = missingIptablesTool();
        boolean netfilter = root && missing == null;
        return switch (props.mode()) {
            case "" -> netfilter
                    ? new Selection("iptables", true, false, "automatic: root and iptables present")
                    : new Selection("userspace", root, false, "automatic: "
                            + (root ? missing + " is not installed" : "not root (uid " + uid + ")")
                            + ", so no netfilter rules; services are served on host ports");
            case "iptables" -> {
                requireNetfilter("iptables", uid, missing);
                yield new Selection("iptables", true, false, "configured");
            }
            case "ipvs" -> selectIpvs(props, uid, missing);
            case "userspace" -> selectUserspace(props, uid, root, missing, netfilter);
            default -> throw new IllegalArgumentException("unknown mode " + props.mode());
        };
    }

    private static Selection selectUserspace(ProxyAgentProperties props, long uid, boolean root, String missing,
                                             boolean netfilter) {
        switch (props.userspace().redirect()) {
            case "true" -> {
                requireNetfilter("userspace with userspace.redirect=true", uid, missing);
                return new Selection("userspace", true, true,
                        "configured; service traffic redirected to the proxies with iptables");
            }
            case "false" -> {
                return new Selection("userspace", root, false, "configured with userspace.redirect=false: no netfilter"
                        + " rules; the proxies listen on the services' host ports");
            }
            default -> {
                return new Selection("userspace", root, netfilter, netfilter
                        ? "configured; service traffic redirected to the proxies with iptables"
                        : "configured; " + (root ? missing + " is not installed" : "not root (uid " + uid + ")")
                                + ", so the proxies listen on the services' host ports");
            }
        }
    }

    private Selection selectIpvs(ProxyAgentProperties props, long uid, String missing) {
        requireNetfilter("ipvs", uid, missing);
        try {
            ipvsCheck.check(runner);
            return new Selection("ipvs", true, false, "configured");
        } catch (RuntimeException e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage().strip();
            if (props.ipvsFallback().equals("iptables")) {
                return new Selection("iptables", true, false, "IPVS is unavailable (" + why
                        + "); falling back to iptables as kube4j.proxy.ipvs-fallback=iptables says");
            }
            // the IPVS check's message may already say what to do; add it only when it does not
            throw new ProxyModeUnavailableException("kube4j.proxy.mode=ipvs: " + why
                    + (why.contains("ipvs-fallback") ? "" : " (set kube4j.proxy.ipvs-fallback=iptables to fall back, "
                    + "or kube4j.proxy.mode=iptables)"), e);
        }
    }

    private static void requireNetfilter(String mode, long uid, String missing) {
        if (uid != 0) {
            throw new ProxyModeUnavailableException("kube4j.proxy.mode=" + mode + " programs netfilter and needs "
                    + "root, but the agent runs as uid " + uid + " (run it as root, or use kube4j.proxy.mode=userspace)");
        }
        if (missing != null) {
            throw new ProxyModeUnavailableException("kube4j.proxy.mode=" + mode + " needs " + missing
                    + ", which is not installed (Debian: apt-get install iptables)");
        }
    }

    /** The first iptables tool not installed, or null. */
    String missingIptablesTool() {
        return IPTABLES_TOOLS.stream().filter(t -> !runner.available(t)).findFirst().orElse(null);
    }

    /** Whether this process runs as root. */
    public boolean isRoot() {
        return uid() == 0;
    }

    /** This process's user id: {@code id -u}, or the real uid on the {@code Uid:} line of /proc/self/status. */
    long uid() {
        try {
            CommandRunner.Result r = runner.run("id", "-u");
            if (r.ok() && r.stdout().strip().matches("\\d+")) {
                return Long.parseLong(r.stdout().strip());
            }
        } catch (CommandRunner.CommandException e) {
            // id not installed: read the kernel's answer below
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).strip().split("\\s+")[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot tell which user the agent runs as: 'id -u' failed and "
                    + "/proc/self/status is unreadable (" + e.getMessage() + ")", e);
        }
        throw new IllegalStateException("cannot tell which user the agent runs as: 'id -u' failed and "
                + "/proc/self/status has no Uid line");
    }
}
