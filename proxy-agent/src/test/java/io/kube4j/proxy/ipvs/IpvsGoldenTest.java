package io.kube4j.proxy.ipvs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One golden file per rendering of the golden scenario ({@link IpvsFixtures#golden()}) on a node with two addresses:
 * the ipvsadm --restore input from an empty table, the ipset restore input from no sets, the iptables-restore input,
 * the kube-ipvs0 address batches. Compared exactly; {@code -Dipvs.golden.update=true} rewrites them (review the diff).
 */
class IpvsGoldenTest {

    private static final IpvsPlanner.Plan PLAN = plan();

    private static IpvsPlanner.Plan plan() {
        List<NodeAddresses.Address> all = NodeAddresses.parse(IpvsFixtures.ADDR_SHOW);
        return IpvsPlanner.plan(IpvsFixtures.golden(), "rr",
                NodeAddresses.nodePortIPs(all, IpvsProxier.DUMMY_DEVICE, List.of()),
                NodeAddresses.allExcept(all, IpvsProxier.DUMMY_DEVICE));
    }

    @Test
    void ipvsadmRestoreFromEmptyTable() {
        String text = IpvsTableDiff.compute(new IpvsTable(), PLAN.table(), Map.of(), java.time.Instant.EPOCH,
                java.time.Duration.ofSeconds(15)).restoreInput();
        assertGolden("golden-ipvsadm.txt", text);
        // from scratch the diff is the whole table, as ipvsadm -Sn would print it
        assertThat(text).isEqualTo(PLAN.table().render());
    }

    @Test
    void ipsetRestoreFromNoSets() {
        assertGolden("golden-ipset.txt", IpSets.restoreInput(new IpSets(), PLAN.sets()));
    }

    @Test
    void iptablesRestore() {
        assertGolden("golden-iptables.txt", IpvsIptablesRules.render(PLAN.sets(), false, "10.244.0.0/16", 14, Set.of()));
    }

    @Test
    void dummyDeviceBatches() {
        List<String> bound = NodeAddresses.parse(IpvsFixtures.ADDR_SHOW).stream()
                .filter(a -> a.device().equals(IpvsProxier.DUMMY_DEVICE)).map(NodeAddresses.Address::ip).toList();
        assertGolden("golden-dummy.txt",
                "# bind\n" + DummyDevice.bindInput(bound, PLAN.bindAddresses(), IpvsProxier.DUMMY_DEVICE)
                        + "# unbind\n" + DummyDevice.unbindInput(bound, PLAN.bindAddresses(), IpvsProxier.DUMMY_DEVICE));
    }

    static void assertGolden(String file, String actual) {
        if (Boolean.getBoolean("ipvs.golden.update")) {
            try {
                Files.writeString(Path.of("src/test/resources/ipvs", file), actual);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return;
        }
        try (InputStream in = IpvsGoldenTest.class.getResourceAsStream("/ipvs/" + file)) {
            assertThat(in).as("golden file /ipvs/" + file).isNotNull();
            assertThat(actual).isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
