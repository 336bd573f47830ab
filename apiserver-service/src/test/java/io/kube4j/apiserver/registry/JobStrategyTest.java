package io.kube4j.apiserver.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import org.junit.jupiter.api.Test;

/** The Job create path: generated selector and labels, and the batch priority class default. */
class JobStrategyTest {

    static JobBuilder job() {
        return new JobBuilder().withNewMetadata().withName("pi").withUid("u-1").endMetadata().withNewSpec()
                .withNewTemplate().withNewMetadata().withLabels(Map.of("app", "pi")).endMetadata().withNewSpec()
                .addNewContainer().withName("c").withImage("i").endContainer().endSpec().endTemplate().endSpec();
    }

    @Test
    void generatesSelectorAndTemplateLabelsFromTheUid() {
        Job j = job().build();
        JobStrategy.prepareForCreate(j);
        assertThat(j.getSpec().getSelector().getMatchLabels())
                .containsExactly(Map.entry("batch.kubernetes.io/controller-uid", "u-1"));
        assertThat(j.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("app", "pi")
                .containsEntry("batch.kubernetes.io/controller-uid", "u-1").containsEntry("controller-uid", "u-1")
                .containsEntry("batch.kubernetes.io/job-name", "pi").containsEntry("job-name", "pi");
    }

    @Test
    void aManualSelectorIsLeftAlone() {
        Job j = job().editSpec().withManualSelector(true).withNewSelector().withMatchLabels(Map.of("app", "pi"))
                .endSelector().endSpec().build();
        JobStrategy.prepareForCreate(j);
        assertThat(j.getSpec().getSelector().getMatchLabels()).containsExactly(Map.entry("app", "pi"));
        assertThat(j.getSpec().getTemplate().getMetadata().getLabels()).containsExactly(Map.entry("app", "pi"));
    }

    @Test
    void defaultsToTheBatchPriorityClassUnlessOneIsGiven() {
        Job j = job().build();
        JobStrategy.prepareForCreate(j);
        assertThat(j.getSpec().getTemplate().getSpec().getPriorityClassName()).isEqualTo("batch");

        Job prod = job().editSpec().editTemplate().editSpec().withPriorityClassName("prod").endSpec().endTemplate()
                .endSpec().build();
        JobStrategy.prepareForCreate(prod);
        assertThat(prod.getSpec().getTemplate().getSpec().getPriorityClassName()).isEqualTo("prod");

        Job numeric = job().editSpec().editTemplate().editSpec().withPriority(5).endSpec().endTemplate().endSpec()
                .build();
        JobStrategy.prepareForCreate(numeric);
        assertThat(numeric.getSpec().getTemplate().getSpec().getPriorityClassName()).isNull();
    }
}
