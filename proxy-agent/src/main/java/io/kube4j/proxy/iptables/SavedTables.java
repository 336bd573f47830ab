package io.kube4j.proxy.iptables;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The chains and rules of an {@code iptables-save} output, by table: what already exists (jump rules, chains left
 * by a previous process) before a full sync or a cleanup. Rules inside per-Service chains are not kept.
 */
final class SavedTables {

    private final Map<String, Set<String>> chains = new HashMap<>();
    private final Map<String, List<String>> rules = new HashMap<>();

    static SavedTables parse(String iptablesSave) {
        SavedTables t = new SavedTables();
        String table = null;
        int n = iptablesSave.length();
        int i = 0;
        while (i < n) {
            int eol = iptablesSave.indexOf('\n', i);
            if (eol < 0) {
                eol = n;
            }
            String line = iptablesSave.substring(i, eol).strip();
            i = eol + 1;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("*")) {
                table = line.substring(1);
                t.chains.computeIfAbsent(table, k -> new LinkedHashSet<>());
                t.rules.computeIfAbsent(table, k -> new ArrayList<>());
            } else if (table != null && line.startsWith(":")) {
                int sp = line.indexOf(' ');
                t.chains.get(table).add(sp < 0 ? line.substring(1) : line.substring(1, sp));
            } else if (table != null && line.startsWith("-A ") && !ChainNames.isServiceChain(chainOf(line))) {
                // per-Service chains only ever hold kube-proxy's own rules; keeping their (many) rules is useless
                t.rules.get(table).add(line);
            }
        }
        return t;
    }

    /** The chain a {@code -A CHAIN ...} line appends to. */
    static String chainOf(String rule) {
        int end = rule.indexOf(' ', 3);
        return end < 0 ? rule.substring(3) : rule.substring(3, end);
    }

    Set<String> chains(String table) {
        return chains.getOrDefault(table, Set.of());
    }

    List<String> rules(String table) {
        return rules.getOrDefault(table, List.of());
    }

    /** The saved rules of {@code table} outside the per-Service chains, as {@code -A CHAIN ...} lines. */
    boolean hasRule(String table, String rule) {
        return rules(table).contains(rule);
    }
}
