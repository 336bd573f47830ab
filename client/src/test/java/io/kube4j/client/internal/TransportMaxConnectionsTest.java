package io.kube4j.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TransportMaxConnectionsTest {

    @AfterEach
    void clear() {
        System.clearProperty(Transport.MAX_CONNECTIONS_PROPERTY);
    }

    @Test
    void defaultsTo500() {
        System.clearProperty(Transport.MAX_CONNECTIONS_PROPERTY);
        assertThat(Transport.maxConnections()).isEqualTo(500);
    }

    @Test
    void readsTheSystemProperty() {
        System.setProperty(Transport.MAX_CONNECTIONS_PROPERTY, "2500");
        assertThat(Transport.maxConnections()).isEqualTo(2500);
    }

    @Test
    void rejectsNonsense() {
        System.setProperty(Transport.MAX_CONNECTIONS_PROPERTY, "lots");
        assertThatThrownBy(Transport::maxConnections).hasMessageContaining("kube4j.client.max-connections")
                .hasMessageContaining("lots");
    }
}
