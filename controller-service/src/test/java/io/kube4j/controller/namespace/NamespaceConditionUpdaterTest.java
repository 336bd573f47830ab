package io.kube4j.controller.namespace;

import java.util.Map;

import io.fabric8.kubernetes.api.model.NamespaceCondition;
import io.fabric8.kubernetes.api.model.NamespaceStatus;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NamespaceConditionUpdaterTest {

    private static final String T1 = "2026-01-01T00:00:00Z";
    private static final String T2 = "2026-01-01T00:01:00Z";

    @Test
    void addsAllFiveOkConditionsToAFreshStatus() {
        NamespaceStatus status = new NamespaceStatus();
        assertThat(new NamespaceConditionUpdater(T1).update(status)).isTrue();
        assertThat(status.getConditions()).extracting(NamespaceCondition::getType)
                .containsExactlyElementsOf(NamespaceConditionUpdater.TYPES);
        assertThat(status.getConditions()).extracting(NamespaceCondition::getReason).containsExactly(
                "ResourcesDiscovered", "ParsedGroupVersions", "ContentDeleted", "ContentRemoved", "ContentRemoved");
        assertThat(new NamespaceConditionUpdater(T2).update(status)).isFalse();
    }

    @Test
    void transitionTimeMovesOnlyWhenTheStatusFlips() {
        NamespaceStatus status = new NamespaceStatus();
        NamespaceConditionUpdater first = new NamespaceConditionUpdater(T1);
        first.contentRemaining(Map.of("configmaps.", 2), Map.of());
        first.update(status);
        NamespaceCondition c = NamespaceConditionUpdater.find(status.getConditions(),
                NamespaceConditionUpdater.CONTENT_REMAINING);
        assertThat(c.getStatus()).isEqualTo("True");
        assertThat(c.getLastTransitionTime()).isEqualTo(T1);

        NamespaceConditionUpdater second = new NamespaceConditionUpdater(T2);
        second.contentRemaining(Map.of("configmaps.", 1), Map.of());
        assertThat(second.update(status)).isTrue(); // message changed, status did not
        assertThat(c.getMessage()).isEqualTo("Some resources are remaining: configmaps. has 1 resource instances");
        assertThat(c.getLastTransitionTime()).isEqualTo(T1);

        assertThat(new NamespaceConditionUpdater(T2).update(status)).isTrue(); // content gone: flips to False
        assertThat(c.getStatus()).isEqualTo("False");
        assertThat(c.getLastTransitionTime()).isEqualTo(T2);
    }

    @Test
    void contentErrorsAreSortedIntoOneCondition() {
        NamespaceStatus status = new NamespaceStatus();
        NamespaceConditionUpdater u = new NamespaceConditionUpdater(T1);
        u.deleteContentFailed("b failed");
        u.deleteContentFailed("a failed");
        u.update(status);
        NamespaceCondition c = NamespaceConditionUpdater.find(status.getConditions(),
                NamespaceConditionUpdater.CONTENT_FAILURE);
        assertThat(c.getStatus()).isEqualTo("True");
        assertThat(c.getMessage()).isEqualTo("Failed to delete all resource types, 2 remaining: a failed, b failed");
    }
}
