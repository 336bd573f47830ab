package io.kube4j.controller.serviceaccount;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusCauseBuilder;
import io.fabric8.kubernetes.api.model.StatusDetailsBuilder;
import io.kube4j.client.ApiStatusException;
import org.junit.jupiter.api.Test;

class ServiceAccountsControllerTest {

    @Test
    void aRefusalBecauseTheNamespaceTerminatesIsRecognisedOtherRefusalsAreNot() {
        assertThat(ServiceAccountsController.namespaceTerminating(ApiStatusException.of(403, null,
                "unable to create new content in namespace x because it is being terminated"))).isTrue();
        var withCause = new StatusBuilder().withDetails(new StatusDetailsBuilder().withCauses(List.of(
                new StatusCauseBuilder().withReason("NamespaceTerminating").build())).build()).build();
        assertThat(ServiceAccountsController.namespaceTerminating(ApiStatusException.of(403, withCause, "refused")))
                .isTrue();
        assertThat(ServiceAccountsController.namespaceTerminating(ApiStatusException.of(403, null, "RBAC says no")))
                .isFalse();
        assertThat(ServiceAccountsController.namespaceTerminating(ApiStatusException.of(500,
                null, "because it is being terminated"))).isFalse();
    }
}
