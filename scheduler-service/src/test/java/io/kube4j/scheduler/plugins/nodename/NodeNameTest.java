package io.kube4j.scheduler.plugins.nodename;

import static io.kube4j.scheduler.testsupport.TestObjects.node;
import static io.kube4j.scheduler.testsupport.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.Status;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeNameTest {

    @ParameterizedTest(name = "pod nodeName [{0}] on node {1}")
    @CsvSource({"'', n1, true", "n1, n1, true", "n2, n1, false"})
    void filter(String wanted, String nodeName, boolean fits) {
        var pod = pod("p").editSpec().withNodeName(wanted).endSpec().build();
        Status s = new NodeName().filter(new CycleState(), pod, NodeInfo.of(node(nodeName)));
        assertThat(s.isSuccess()).isEqualTo(fits);
        if (!fits) {
            assertThat(s.reasons()).containsExactly("node(s) didn't match the requested node name");
        }
    }
}
