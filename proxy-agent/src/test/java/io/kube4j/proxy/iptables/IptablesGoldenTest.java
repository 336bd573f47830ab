package io.kube4j.proxy.iptables;

import io.kube4j.proxy.model.ProxyState;
import io.kube4j.proxy.model.ServicePortInfo;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.kube4j.proxy.iptables.States.clusterIp;
import static io.kube4j.proxy.iptables.States.name;
import static io.kube4j.proxy.iptables.States.ready;
import static io.kube4j.proxy.iptables.States.readyLocal;
import static io.kube4j.proxy.iptables.States.states;
import static io.kube4j.proxy.iptables.States.terminating;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole restore input for a realistic mixed state, compared byte for byte with
 * {@code src/test/resources/iptables/golden-mixed.txt} (regenerate with {@code -Dgolden.update=true} after a
 * deliberate change, then read the diff).
 */
class IptablesGoldenTest {

    static ProxyState mixed() {
        return states()
                .add(clusterIp(name("default", "web", "http", "TCP"), "10.96.0.20", 80),
                        ready("10.244.1.11", 8080), ready("10.244.2.12", 8080), terminating("10.244.3.13", 8080, true))
                .add(clusterIp(name("default", "web", "https", "TCP"), "10.96.0.20", 443), ready("10.244.1.11", 8443))
                .add(new ServicePortInfo(name("shop", "front", "", "TCP"), "NodePort", "10.96.0.30", 80, "TCP", 30080,
                                List.of(), List.of(), false, 0, true, false, 30999),
                        readyLocal("10.244.0.5", 80), ready("10.244.2.6", 80))
                .add(new ServicePortInfo(name("shop", "api", "grpc", "TCP"), "LoadBalancer", "10.96.0.40", 9000, "TCP",
                                31000, List.of("192.0.2.40"), List.of("198.51.100.40"), true, 600, false, false, 0),
                        ready("10.244.1.41", 9000), ready("10.244.2.42", 9000))
                .add(clusterIp(name("kube-system", "dns", "dns", "UDP"), "10.96.0.10", 53), ready("10.244.0.2", 53))
                .add(new ServicePortInfo(name("shop", "cache", "", "TCP"), "ClusterIP", "10.96.0.50", 6379, "TCP", 0,
                        List.of(), List.of(), false, 0, false, true, 0), ready("10.244.2.51", 6379))
                .add(new ServicePortInfo(name("shop", "empty", "", "TCP"), "NodePort", "10.96.0.60", 80, "TCP", 30060,
                        List.of("192.0.2.60"), List.of(), false, 0, false, false, 0))
                .build();
    }

    @Test
    void mixedStateMatchesTheGoldenFile() throws IOException {
        String text = new IptablesRenderer(IptablesProxier.Config.defaults("node-a").withClusterCidr("10.244.0.0/16"))
                .render(mixed(), null, null, new IptablesRenderer.HostFacts(true, false, null)).text(List.of());
        Path golden = Path.of("src/test/resources/iptables/golden-mixed.txt");
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(golden, text, StandardCharsets.US_ASCII);
        }
        assertThat(text).isEqualTo(Files.readString(golden, StandardCharsets.US_ASCII));
    }

}
