package io.kube4j.controller.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.kube4j.client.KubeClient;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.controller.Startable;
import io.kube4j.client.util.Clock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ControllerManagerTest {

    private record Factory(String name, boolean enabledByDefault, List<String> log) implements ControllerFactory {
        @Override
        public Startable create(ControllerContext context) {
            log.add("create " + name);
            return new Startable() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public void start() {
                    log.add("start " + name);
                }

                @Override
                public void stop() {
                    log.add("stop " + name);
                }
            };
        }
    }

    @ParameterizedTest(name = "{0} with --controllers={2}: {3}")
    @CsvSource(delimiter = ';', value = {
            "replicaset; true;  *;               true",
            "replicaset; true;  *,-replicaset;   false",
            "replicaset; true;  deployment;      false",
            "replicaset; true;  replicaset;      true",
            "bootstrap;  false; *;               false",
            "bootstrap;  false; *,bootstrap;     true",
            "bootstrap;  false; -bootstrap,*;    false"})
    void controllersAreEnabledAsKubeControllerManagerDoes(String name, boolean byDefault, String flag,
            boolean expected) {
        assertThat(ControllerManager.isEnabled(new Factory(name, byDefault, new ArrayList<>()),
                List.of(flag.split(",")))).isEqualTo(expected);
    }

    @Test
    void startsInFactoryOrderAndStopsInReverse() throws Exception {
        List<String> log = new ArrayList<>();
        try (KubeClient client = KubeClient.create(ClientConfig.of("http://127.0.0.1:1"))) {
            ControllerManager m = new ControllerManager(ControllerContext.of(client, Duration.ZERO, null,
                    Clock.system()), List.of(new Factory("a", true, log), new Factory("off", false, log),
                    new Factory("b", true, log)), List.of("*"));
            assertThat(m.controllerNames()).containsExactly("a", "b");
            m.start();
            assertThatThrownBy(m::start).isInstanceOf(IllegalStateException.class);
            m.stop();
            assertThat(log).containsExactly("create a", "create b", "start a", "start b", "stop b", "stop a");
        }
    }
}
