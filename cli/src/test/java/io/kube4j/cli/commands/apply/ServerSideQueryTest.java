package io.kube4j.cli.commands.apply;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The query of {@code apply --server-side} is kubectl's. */
class ServerSideQueryTest {

    @Test
    void kubectlsDefaultManagerBecomesKubectlAndForceIsAlwaysSent() {
        assertThat(ApplyCommand.serverSideQuery(ApplyCommand.CLIENT_SIDE_MANAGER, false, WriteOutput.DryRun.NONE))
                .containsExactly(Map.entry("fieldManager", "kubectl"), Map.entry("fieldValidation", "Strict"),
                        Map.entry("force", "false"));
        assertThat(ApplyCommand.serverSideQuery("ci", true, WriteOutput.DryRun.SERVER))
                .containsExactly(Map.entry("dryRun", "All"), Map.entry("fieldManager", "ci"),
                        Map.entry("fieldValidation", "Strict"), Map.entry("force", "true"));
    }
}
