package io.kube4j.proxy.userspace;

import io.kube4j.proxy.exec.CommandRunner;
import io.kube4j.proxy.model.ProxyState;
import io.kube4j.proxy.model.ServicePortName;
import io.kube4j.proxy.testsupport.PrivateNetns;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.kube4j.proxy.userspace.UserspaceFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The userspace mode's rules applied for real by iptables-restore in a private network namespace: the kernel takes
 * every rule shape (REDIRECT, DNAT, physdev, addrtype, state, UDP), a second sync leaves the same tables (no duplicate
 * jumps), and cleanup returns the namespace to exactly what it was.
 */
class UserspaceRulesNetnsIT {

    @Test
    void rulesApplyResyncIdempotentlyAndCleanupRestoresTheTables() {
        try (PrivateNetns ns = PrivateNetns.create("userspace")) {
            CommandRunner runner = ns.runner();
            String baseline = save(runner);
            UserspaceProxier proxier = new UserspaceProxier(
                    new UserspaceProxier.Config("node-1", "0.0.0.0", "", true, null, null, "10.0.0.5"),
                    runner, new SimpleMeterRegistry());
            try {
                ServicePortName web = name("ns1", "web", "http", "TCP");
                ServicePortName dns = name("ns1", "dns", "dns", "UDP");
                ServicePortName shop = name("ns2", "shop", "https", "TCP");
                ServicePortName lb = name("ns2", "lb", "", "TCP");
                ProxyState state = state()
                        .add(clusterIP(web, "10.96.0.10", 80), ready("10.244.1.2", 8080))
                        .add(clusterIP(dns, "10.96.0.53", 53), ready("10.244.1.4", 53))
                        .add(service(shop, "NodePort", "10.96.1.1", 443, freePort(), List.of("203.0.113.7"), List.of(), true))
                        .add(service(lb, "LoadBalancer", "10.96.2.2", 8080, freePort(), List.of(), List.of("198.51.100.9"), false))
                        .build();

                int rules = proxier.sync(state, true).rules();
                String applied = save(runner);
                long inChains = applied.lines().filter(l -> l.matches("-A KUBE-(PORTALS|NODEPORT)-[A-Z-]+ .*")).count();
                assertThat(inChains).isEqualTo(rules - 4); // minus the 4 listeners
                assertThat(applied.lines().filter(l -> l.startsWith("-A PREROUTING") || l.startsWith("-A OUTPUT")
                        || l.startsWith("-A INPUT")).toList()).hasSize(5);
                assertThat(applied).contains("-m physdev ! --physdev-is-in")
                        .contains("-j DNAT --to-destination 10.0.0.5:" + proxier.listenAddress(web).getPort());

                proxier.sync(state, true);
                assertThat(normalized(save(runner))).isEqualTo(normalized(applied));
            } finally {
                proxier.cleanup();
            }
            assertThat(normalized(save(runner))).isEqualTo(normalized(baseline));
        }
    }

    private static String save(CommandRunner runner) {
        return runner.run("iptables-save", "-t", "nat").orThrow().stdout()
                + runner.run("iptables-save", "-t", "filter").orThrow().stdout();
    }

    private static List<String> normalized(String saved) {
        return saved.lines().filter(l -> !l.startsWith("#")).map(l -> l.replaceAll("\\[\\d+:\\d+]", "[0:0]")).toList();
    }
}
