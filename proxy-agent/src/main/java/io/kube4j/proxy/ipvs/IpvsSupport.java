package io.kube4j.proxy.ipvs;

import io.kube4j.proxy.exec.CommandRunner;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether IPVS proxy mode can work on this node (kube-proxy's {@code CanUseIPVSProxier}, plus the dummy-interface
 * check kube-proxy only hits at its first sync). Needed: IPVS in the kernel ({@code /proc/net/ip_vs} or a working
 * {@code ipvsadm -Ln}), the configured scheduler (kube-proxy probes it by adding a virtual server on the reserved
 * TEST-NET-2 address 198.51.100.0:20000 and deleting it again; so does this), ipset 6.0 or newer, and dummy links
 * ({@code kube-ipvs0} exists or {@code ip link add ... type dummy} works). Everything goes through the
 * {@link CommandRunner}, so it checks whichever network namespace the runner runs in.
 */
public final class IpvsSupport {

    /** kube-proxy's {@code MinIPSetCheckVersion}. */
    static final String MIN_IPSET_VERSION = "6.0";

    /** The reserved address kube-proxy's scheduler probe uses. */
    static final String PROBE_VIRTUAL_SERVER = "198.51.100.0:20000";

    static final String PROBE_LINK = "kube-ipvs-probe";

    private static final Pattern IPSET_VERSION = Pattern.compile("v(\\d+)\\.(\\d+)");

    private IpvsSupport() {
    }

    /**
     * Checks every requirement and throws one {@link IpvsUnavailableException} naming all that are missing.
     *
     * @param runner    runs the probes (ipvsadm, ipset, ip, cat)
     * @param scheduler the configured IPVS scheduler ({@code rr}, ...)
     */
    public static void check(CommandRunner runner, String scheduler) {
        List<String> missing = new ArrayList<>();
        List<String> modules = new ArrayList<>();
        boolean ipvs = checkIpvs(runner, missing, modules);
        if (ipvs) {
            checkScheduler(runner, scheduler, missing, modules);
        } else {
            modules.add("ip_vs_" + scheduler);
        }
        checkIpset(runner, missing);
        checkDummy(runner, missing, modules);
        if (!missing.isEmpty()) {
            String remedy = (modules.isEmpty() ? "" : "Load the kernel modules (modprobe -a " + String.join(" ", modules)
                    + ") or use a kernel that has them, ")
                    + (missing.stream().anyMatch(m -> m.contains("is not installed")) ? "install the missing tools, " : "")
                    + "or run proxy-agent in mode iptables, or set the IPVS fallback to iptables "
                    + "(kube4j.proxy.ipvs-fallback=iptables) to fall back automatically.";
            throw new IpvsUnavailableException(missing, remedy.substring(0, 1).toUpperCase() + remedy.substring(1));
        }
    }

    /** {@link #check} as a boolean, for callers that only branch on it. */
    public static boolean available(CommandRunner runner, String scheduler) {
        try {
            check(runner, scheduler);
            return true;
        } catch (IpvsUnavailableException e) {
            return false;
        }
    }

    private static boolean checkIpvs(CommandRunner runner, List<String> missing, List<String> modules) {
        if (!runner.available("ipvsadm")) {
            missing.add("ipvsadm is not installed (apt-get install ipvsadm)");
            return false;
        }
        CommandRunner.Result proc = runner.run("cat", "/proc/net/ip_vs");
        if (proc.ok()) {
            return true;
        }
        CommandRunner.Result list = runner.run("ipvsadm", "-Ln");
        if (list.ok()) {
            return true;
        }
        missing.add("the kernel has no IPVS (/proc/net/ip_vs is absent and 'ipvsadm -Ln' failed: "
                + firstLine(list.stderr().isBlank() ? list.stdout() : list.stderr()) + ")");
        modules.add("ip_vs");
        modules.add("nf_conntrack");
        return false;
    }

    private static void checkScheduler(CommandRunner runner, String scheduler, List<String> missing,
                                       List<String> modules) {
        CommandRunner.Result save = runner.run("ipvsadm", "-Sn");
        if (save.ok()) {
            for (IpvsTable.Service s : IpvsTable.parseSave(save.stdout()).services()) {
                if (s.virtualServer().scheduler().equals(scheduler)) {
                    return; // a virtual server already uses it (kube-proxy restarting): it works
                }
            }
        }
        CommandRunner.Result add = runner.run("ipvsadm", "-A", "-t", PROBE_VIRTUAL_SERVER, "-s", scheduler);
        if (!add.ok()) {
            missing.add("the IPVS scheduler '" + scheduler + "' cannot be used ('ipvsadm -A -t " + PROBE_VIRTUAL_SERVER
                    + " -s " + scheduler + "' failed: " + firstLine(add.stderr()) + ")");
            modules.add("ip_vs_" + scheduler);
            return;
        }
        CommandRunner.Result del = runner.run("ipvsadm", "-D", "-t", PROBE_VIRTUAL_SERVER);
        if (!del.ok()) {
            missing.add("the IPVS probe virtual server " + PROBE_VIRTUAL_SERVER + " could not be deleted ("
                    + firstLine(del.stderr()) + ")");
        }
    }

    private static void checkIpset(CommandRunner runner, List<String> missing) {
        if (!runner.available("ipset")) {
            missing.add("ipset is not installed (apt-get install ipset)");
            return;
        }
        CommandRunner.Result v = runner.run("ipset", "--version");
        Matcher m = IPSET_VERSION.matcher(v.stdout());
        if (!v.ok() || !m.find()) {
            missing.add("'ipset --version' did not print a version (" + firstLine(v.stderr() + v.stdout()) + ")");
            return;
        }
        int major = Integer.parseInt(m.group(1));
        if (major < 6) {
            missing.add("ipset " + m.group(1) + "." + m.group(2) + " is older than " + MIN_IPSET_VERSION);
        }
    }

    private static void checkDummy(CommandRunner runner, List<String> missing, List<String> modules) {
        if (runner.run("ip", "link", "show", IpvsProxier.DUMMY_DEVICE).ok()) {
            return;
        }
        CommandRunner.Result add = runner.run("ip", "link", "add", PROBE_LINK, "type", "dummy");
        if (add.ok()) {
            runner.run("ip", "link", "del", PROBE_LINK).orThrow();
            return;
        }
        missing.add("dummy network interfaces cannot be created for " + IpvsProxier.DUMMY_DEVICE
                + " ('ip link add " + PROBE_LINK + " type dummy' failed: " + firstLine(add.stderr()) + ")");
        modules.add("dummy");
    }

    private static String firstLine(String s) {
        String t = s == null ? "" : s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl).strip();
    }
}
