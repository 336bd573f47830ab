package io.kube4j.node.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FieldPathsTest {

    static final Pod POD = new PodBuilder().withNewMetadata().withName("web-1").withNamespace("shop").withUid("u-1")
            .withLabels(Map.of("app", "web", "tier", "front")).withAnnotations(Map.of("note", "say \"hi\"\nthere"))
            .endMetadata().withNewSpec().withNodeName("node-a").withServiceAccountName("robot").endSpec().build();

    static final Container C = new ContainerBuilder().withName("app").withNewResources()
            .withLimits(Map.of("cpu", new Quantity("500m"), "memory", new Quantity("128Mi")))
            .withRequests(Map.of("cpu", new Quantity("250m"), "memory", new Quantity("64Mi")))
            .endResources().build();

    static final Map<String, BigDecimal> ALLOCATABLE = Map.of("cpu", new BigDecimal("3.9"),
            "memory", BigDecimal.valueOf(8L << 30), "ephemeral-storage", BigDecimal.valueOf(10L << 30));

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "metadata.name|web-1",
        "metadata.namespace|shop",
        "metadata.uid|u-1",
        "metadata.labels['app']|web",
        "metadata.labels['missing']|``",
        "metadata.annotations['note']|`say \"hi\"\\nthere`",
        "spec.nodeName|node-a",
        "spec.serviceAccountName|robot",
        "status.hostIP|192.0.2.10",
        "status.podIP|10.244.1.7",
        "status.podIPs|10.244.1.7",
    })
    void fieldRefs(String path, String expected) {
        String want = expected.replace("\\n", "\n");
        assertThat(FieldPaths.fieldValue(POD, path, "10.244.1.7", "192.0.2.10")).isEqualTo(want);
    }

    @Test
    void labelsAndAnnotationsAreFormattedAsTheKubeletDoes() {
        assertThat(FieldPaths.fieldValue(POD, "metadata.labels", null, null)).isEqualTo("app=\"web\"\ntier=\"front\"");
        assertThat(FieldPaths.fieldValue(POD, "metadata.annotations", null, null))
                .isEqualTo("note=\"say \\\"hi\\\"\\nthere\"");
    }

    @Test
    void unsupportedFieldPath() {
        assertThatThrownBy(() -> FieldPaths.fieldValue(POD, "spec.bogus", null, null))
                .hasMessage("unsupported fieldPath: spec.bogus");
    }

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource(delimiter = '|', value = {
        "limits.cpu||1",               // 500m rounds up to one core
        "limits.cpu|1m|500",
        "requests.cpu|1m|250",
        "requests.cpu|100m|3",         // ceil(250 / 100)
        "limits.memory||134217728",
        "limits.memory|1Mi|128",
        "requests.memory|1Mi|64",
        "requests.memory|1M|68",       // ceil(67108864 / 1000000)
        "requests.ephemeral-storage||0",     // no request: 0
        "limits.ephemeral-storage|1Gi|10",   // no limit: node allocatable
    })
    void resourceFieldRefs(String resource, String divisor, String expected) {
        Quantity d = divisor == null ? null : new Quantity(divisor);
        assertThat(FieldPaths.resourceValue(C, resource, d, () -> ALLOCATABLE)).isEqualTo(expected);
    }

    @Test
    void missingLimitIsNodeAllocatable() {
        Container bare = new ContainerBuilder().withName("bare").build();
        assertThat(FieldPaths.resourceValue(bare, "limits.cpu", null, () -> ALLOCATABLE)).isEqualTo("4");
        assertThat(FieldPaths.resourceValue(bare, "limits.cpu", new Quantity("1m"), () -> ALLOCATABLE)).isEqualTo("3900");
        assertThat(FieldPaths.resourceValue(bare, "requests.cpu", null, () -> ALLOCATABLE)).isEqualTo("0");
    }

    @Test
    void unsupportedResource() {
        assertThatThrownBy(() -> FieldPaths.resourceValue(C, "limits.gpu", null, () -> ALLOCATABLE))
                .hasMessage("unsupported container resource: limits.gpu");
    }
}
