package io.kube4j.node.runtime;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InstrumentedRuntimeTest {

    private final List<String> calls = new CopyOnWriteArrayList<>();

    /** A runtime that records calls, answers listContainers and fails stopContainer. */
    private ContainerRuntime fake() {
        InvocationHandler h = (proxy, method, args) -> {
            calls.add(method.getName());
            return switch (method.getName()) {
                case "listContainers", "listSandboxes" -> List.of();
                case "inspectImage", "inspectContainer", "stats" -> Optional.empty();
                case "stopContainer" -> throw new RuntimeOperationException("boom");
                default -> null;
            };
        };
        return (ContainerRuntime) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ContainerRuntime.class}, h);
    }

    @Test
    void timesEveryCallAndCountsFailures() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        InstrumentedRuntime runtime = new InstrumentedRuntime(fake(), registry);

        assertThat(runtime.listContainers()).isEmpty();
        assertThat(runtime.listContainers()).isEmpty();
        assertThat(runtime.inspectImage("x")).isEmpty();
        runtime.removeContainer("c1");
        assertThatThrownBy(() -> runtime.stopContainer("c1", Duration.ofSeconds(1)))
                .isInstanceOf(RuntimeOperationException.class).hasMessage("boom");
        runtime.close();

        assertThat(calls).containsExactly("listContainers", "listContainers", "inspectImage", "removeContainer",
                "stopContainer", "close");
        assertThat(registry.get(InstrumentedRuntime.DURATION).tag(InstrumentedRuntime.OPERATION_TAG,
                "list_containers").timer().count()).isEqualTo(2);
        assertThat(registry.get(InstrumentedRuntime.DURATION).tag(InstrumentedRuntime.OPERATION_TAG,
                "image_status").timer().count()).isEqualTo(1);
        assertThat(registry.get(InstrumentedRuntime.DURATION).tag(InstrumentedRuntime.OPERATION_TAG,
                "stop_container").timer().count()).isEqualTo(1);
        assertThat(registry.get(InstrumentedRuntime.ERRORS).tag(InstrumentedRuntime.OPERATION_TAG,
                "stop_container").counter().count()).isEqualTo(1);
        assertThat(registry.find(InstrumentedRuntime.ERRORS).tag(InstrumentedRuntime.OPERATION_TAG,
                "list_containers").counter()).isNull();
    }

    @Test
    void everyInterfaceMethodIsDelegated() throws Exception {
        // a new ContainerRuntime method must not silently bypass the decorator
        for (var m : ContainerRuntime.class.getMethods()) {
            if (java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            var impl = InstrumentedRuntime.class.getMethod(m.getName(), m.getParameterTypes());
            assertThat(impl.getDeclaringClass()).as(m.getName()).isEqualTo(InstrumentedRuntime.class);
        }
    }
}
