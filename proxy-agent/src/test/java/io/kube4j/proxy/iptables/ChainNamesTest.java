package io.kube4j.proxy.iptables;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class ChainNamesTest {

    /** Names as kube-proxy's own proxier_test.go spells them for the same inputs. */
    @ParameterizedTest
    @CsvSource({
            "ns1/svc1:p80, tcp, , KUBE-SVC-XPGD46QRK7WJZT7O",
            "ns1/svc1:p80, tcp, 10.180.0.1:80, KUBE-SEP-SXIVWICOYRO3J4NJ",
    })
    void matchesKubeProxy(String name, String proto, String endpoint, String expected) {
        String actual = endpoint == null ? ChainNames.clusterPolicyChain(name, proto)
                : ChainNames.endpointChain(name, proto, endpoint);
        assertThat(actual).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
            "KUBE-SVC-XPGD46QRK7WJZT7O, true",
            "KUBE-SVL-XPGD46QRK7WJZT7O, true",
            "KUBE-EXT-XPGD46QRK7WJZT7O, true",
            "KUBE-FW-XPGD46QRK7WJZT7O, true",
            "KUBE-SEP-SXIVWICOYRO3J4NJ, true",
            "KUBE-SERVICES, false",
            "KUBE-MARK-MASQ, false",
            "DOCKER, false",
    })
    void serviceChains(String chain, boolean service) {
        assertThat(ChainNames.isServiceChain(chain)).isEqualTo(service);
    }

    @ParameterizedTest
    @CsvSource({"ns/a:http,tcp,KUBE-SVL-", "ns/a:http,tcp,KUBE-EXT-"})
    void namesShareTheHash(String name, String proto, String prefix) {
        String hash = ChainNames.portProtoHash(name, proto);
        String chain = prefix.equals("KUBE-SVL-") ? ChainNames.localPolicyChain(name, proto)
                : ChainNames.externalChain(name, proto);
        assertThat(chain).isEqualTo(prefix + hash).hasSizeLessThanOrEqualTo(28);
    }
}
