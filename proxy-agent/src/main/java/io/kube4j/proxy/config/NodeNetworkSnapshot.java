package io.kube4j.proxy.config;

import io.kube4j.proxy.exec.CommandRunner;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a proxy mode can leave on a node, as the tools show it: iptables chains and rules of the nat and filter
 * tables ({@code iptables-save}), ipsets ({@code ipset list -n}), IPVS virtual and real servers
 * ({@code ipvsadm -Sn}) and the {@code kube-ipvs0} interface. {@code --cleanup} takes one before and one after, and
 * reports the difference as what it removed. A tool that is missing or fails contributes nothing.
 *
 * @param chains  {@code table/chain} of every chain
 * @param rules   {@code table: -A ...} of every rule (duplicates kept apart by a counter suffix)
 * @param ipsets  set names
 * @param ipvs    {@code ipvsadm -Sn} lines
 * @param ipvsInterface whether {@code kube-ipvs0} exists
 */
public record NodeNetworkSnapshot(Set<String> chains, Set<String> rules, Set<String> ipsets, Set<String> ipvs,
                                  boolean ipvsInterface) {

    /** Reads the node through {@code runner}. */
    public static NodeNetworkSnapshot take(CommandRunner runner) {
        Set<String> chains = new LinkedHashSet<>();
        Set<String> rules = new LinkedHashSet<>();
        for (String table : List.of("nat", "filter")) {
            String out = output(runner, "iptables-save", "-t", table);
            for (String line : out.split("\n")) {
                if (line.startsWith(":")) {
                    chains.add(table + "/" + line.substring(1).split(" ")[0]);
                } else if (line.startsWith("-A ")) {
                    String rule = table + ": " + line;
                    int n = 1;
                    while (!rules.add(n == 1 ? rule : rule + " #" + n)) {
                        n++;
                    }
                }
            }
        }
        Set<String> ipsets = new LinkedHashSet<>(lines(output(runner, "ipset", "list", "-n")));
        Set<String> ipvs = new LinkedHashSet<>(lines(output(runner, "ipvsadm", "-Sn")));
        boolean link = runner.available("ip") && run(runner, "ip", "-o", "link", "show", "kube-ipvs0") != null;
        return new NodeNetworkSnapshot(chains, rules, ipsets, ipvs, link);
    }

    /** What was in {@code before} and is not in this snapshot, as report lines; empty when nothing went. */
    public List<String> removedSince(NodeNetworkSnapshot before) {
        List<String> report = new ArrayList<>();
        List<String> goneChains = minus(before.chains, chains);
        if (!goneChains.isEmpty()) {
            report.add("removed " + goneChains.size() + " iptables chains: " + String.join(" ", goneChains));
        }
        int goneRules = minus(before.rules, rules).size();
        if (goneRules > 0) {
            report.add("removed " + goneRules + " iptables rules");
        }
        List<String> goneSets = minus(before.ipsets, ipsets);
        if (!goneSets.isEmpty()) {
            report.add("removed " + goneSets.size() + " ipsets: " + String.join(" ", goneSets));
        }
        long goneVirtual = minus(before.ipvs, ipvs).stream().filter(l -> l.startsWith("-A")).count();
        long goneReal = minus(before.ipvs, ipvs).stream().filter(l -> l.startsWith("-a")).count();
        if (goneVirtual + goneReal > 0) {
            report.add("removed " + goneVirtual + " IPVS virtual servers and " + goneReal + " real servers");
        }
        if (before.ipvsInterface && !ipvsInterface) {
            report.add("removed the interface kube-ipvs0");
        }
        return report;
    }

    private static List<String> minus(Set<String> a, Set<String> b) {
        return a.stream().filter(x -> !b.contains(x)).toList();
    }

    private static List<String> lines(String s) {
        return s.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    private static String output(CommandRunner runner, String... argv) {
        if (!runner.available(argv[0])) {
            return "";
        }
        String out = run(runner, argv);
        return out == null ? "" : out;
    }

    private static String run(CommandRunner runner, String... argv) {
        try {
            CommandRunner.Result r = runner.run(argv);
            return r.ok() ? r.stdout() : null;
        } catch (CommandRunner.CommandException e) {
            return null;
        }
    }
}
