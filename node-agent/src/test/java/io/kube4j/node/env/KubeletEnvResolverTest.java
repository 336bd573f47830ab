package io.kube4j.node.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.node.runtime.ContainerSpec;
import io.kube4j.node.testsupport.ExecStubRuntime;
import io.kube4j.node.testsupport.InMemoryConfigObjects;
import io.kube4j.node.testsupport.RecordingEventClient;
import io.kube4j.node.testsupport.TestNodeContexts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class KubeletEnvResolverTest {

    private final InMemoryConfigObjects objects = new InMemoryConfigObjects()
            .configMap("shop", "settings", Map.of("LOG_LEVEL", "debug", "1BAD", "x", "color", "blue"))
            .secret("shop", "creds", Map.of("password", "s3cr3t", "user", "admin"));
    private final RecordingEventClient eventClient = new RecordingEventClient();
    private final EventRecorder events = new EventRecorder(eventClient, "kubelet", "test-node");
    private final KubeletEnvResolver resolver = new KubeletEnvResolver(
            TestNodeContexts.of(Path.of("/nonexistent"), null, new ExecStubRuntime(), null, events, null), objects);

    @AfterEach
    void close() throws InterruptedException {
        events.close();
    }

    static Pod pod(Container c) {
        return new PodBuilder().withKind("Pod").withApiVersion("v1").withNewMetadata().withName("web-1")
                .withNamespace("shop").withUid("uid-1").withLabels(Map.of("app", "web")).endMetadata()
                .withNewSpec().withNodeName("node-a").withContainers(c).endSpec().build();
    }

    private Map<String, String> resolve(Container c) {
        List<ContainerSpec.EnvVar> vars = resolver.resolve(pod(c), c, "10.244.1.7", "192.0.2.10");
        Map<String, String> m = new LinkedHashMap<>();
        vars.forEach(v -> m.put(v.name(), v.value()));
        return m;
    }

    @Test
    void envFromThenEnvWithExpansionInOrder() {
        Container c = new ContainerBuilder().withName("app")
                .addNewEnvFrom().withPrefix("CFG_").withNewConfigMapRef().withName("settings").endConfigMapRef().endEnvFrom()
                .addNewEnvFrom().withNewSecretRef().withName("creds").endSecretRef().endEnvFrom()
                .addNewEnvFrom().withNewConfigMapRef().withName("absent").withOptional(true).endConfigMapRef().endEnvFrom()
                .addNewEnv().withName("URL").withValue("db://$(user):$(password)@$(HOST)/$(CFG_color)").endEnv()
                .addNewEnv().withName("HOST").withValue("db").endEnv()
                .addNewEnv().withName("URL2").withValue("$(HOST)-$$(HOST)").endEnv()
                .addNewEnv().withName("CFG_color").withValue("red").endEnv()
                .build();
        Map<String, String> env = resolve(c);
        assertThat(env).containsEntry("CFG_LOG_LEVEL", "debug").containsEntry("CFG_1BAD", "x")
                .containsEntry("password", "s3cr3t").containsEntry("user", "admin")
                .containsEntry("URL", "db://admin:s3cr3t@$(HOST)/blue") // HOST is defined later: not expanded
                .containsEntry("URL2", "db-$(HOST)")
                .containsEntry("CFG_color", "red");
        assertThat(env.keySet()).containsSubsequence("CFG_LOG_LEVEL", "password", "URL", "HOST", "URL2");
    }

    @Test
    void invalidNamesFromEnvFromAreSkippedWithAnEvent() {
        Container c = new ContainerBuilder().withName("app")
                .addNewEnvFrom().withNewConfigMapRef().withName("settings").endConfigMapRef().endEnvFrom().build();
        assertThat(resolve(c)).containsOnlyKeys("LOG_LEVEL", "color");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(eventClient.messages("InvalidEnvironmentVariableNames")).containsExactly(
                        "Keys [1BAD] from the EnvFrom configMap shop/settings were skipped since they are considered "
                                + "invalid environment variable names."));
    }

    @Test
    void downwardApiValues() {
        Container c = new ContainerBuilder().withName("app")
                .withNewResources().withLimits(Map.of("cpu", new Quantity("1500m"))).endResources()
                .addToEnv(field("NAME", "metadata.name"), field("NS", "metadata.namespace"),
                        field("UID", "metadata.uid"), field("APP", "metadata.labels['app']"),
                        field("NODE", "spec.nodeName"), field("POD_IP", "status.podIP"),
                        field("HOST_IP", "status.hostIP"))
                .addNewEnv().withName("CPU").withNewValueFrom().withNewResourceFieldRef().withResource("limits.cpu")
                .endResourceFieldRef().endValueFrom().endEnv()
                .addNewEnv().withName("MEM_MI").withNewValueFrom().withNewResourceFieldRef()
                .withResource("limits.memory").withDivisor(new Quantity("1Mi")).endResourceFieldRef().endValueFrom()
                .endEnv()
                .addNewEnv().withName("NAME_AGAIN").withValue("$(NAME).$(NS)").endEnv()
                .build();
        // no memory limit: the node's allocatable (8Gi - 256Mi reserved - 100Mi eviction threshold)
        assertThat(resolve(c)).containsExactlyEntriesOf(orderedLike(c));
    }

    private static Map<String, String> orderedLike(Container c) {
        Map<String, String> want = Map.ofEntries(
                Map.entry("NAME", "web-1"), Map.entry("NS", "shop"), Map.entry("UID", "uid-1"),
                Map.entry("APP", "web"), Map.entry("NODE", "node-a"), Map.entry("POD_IP", "10.244.1.7"),
                Map.entry("HOST_IP", "192.0.2.10"), Map.entry("CPU", "2"), Map.entry("MEM_MI", "7836"),
                Map.entry("NAME_AGAIN", "web-1.shop"));
        Map<String, String> ordered = new LinkedHashMap<>();
        c.getEnv().forEach(e -> ordered.put(e.getName(), want.get(e.getName())));
        return ordered;
    }

    private static EnvVar field(String name, String path) {
        return new EnvVarBuilder().withName(name).withNewValueFrom().withNewFieldRef().withFieldPath(path)
                .endFieldRef().endValueFrom().build();
    }

    static Stream<Arguments> keyRefErrors() {
        return Stream.of(
                Arguments.of(configMapKey("nope", "k", false), "configmap \"nope\" not found"),
                Arguments.of(configMapKey("settings", "k", false), "couldn't find key k in ConfigMap shop/settings"),
                Arguments.of(secretKey("nope", "k", false), "secret \"nope\" not found"),
                Arguments.of(secretKey("creds", "k", false), "couldn't find key k in Secret shop/creds"),
                Arguments.of(field("X", "spec.bogus"), "env X: unsupported fieldPath: spec.bogus"));
    }

    @ParameterizedTest
    @MethodSource("keyRefErrors")
    void missingReferencesFailTheContainerConfig(EnvVar var, String message) {
        Container c = new ContainerBuilder().withName("app").withEnv(var).build();
        assertThatThrownBy(() -> resolve(c)).isInstanceOf(ContainerConfigException.class).hasMessage(message);
    }

    @Test
    void missingEnvFromObjectIsAnErrorUnlessOptional() {
        Container c = new ContainerBuilder().withName("app")
                .addNewEnvFrom().withNewSecretRef().withName("gone").endSecretRef().endEnvFrom().build();
        assertThatThrownBy(() -> resolve(c)).isInstanceOf(ContainerConfigException.class)
                .hasMessage("secret \"gone\" not found");
    }

    @Test
    void optionalKeyRefsLeaveTheVariableUnset() {
        Container c = new ContainerBuilder().withName("app").withEnv(
                configMapKey("nope", "k", true), configMapKey("settings", "k", true), secretKey("creds", "k", true),
                secretKey("creds", "password", true), configMapKey("settings", "color", false)).build();
        assertThat(resolve(c)).containsExactly(Map.entry("V_creds_password", "s3cr3t"),
                Map.entry("V_settings_color", "blue"));
    }

    private static EnvVar configMapKey(String name, String key, boolean optional) {
        return new EnvVarBuilder().withName("V_" + name + "_" + key).withNewValueFrom().withNewConfigMapKeyRef()
                .withName(name).withKey(key).withOptional(optional).endConfigMapKeyRef().endValueFrom().build();
    }

    private static EnvVar secretKey(String name, String key, boolean optional) {
        return new EnvVarBuilder().withName("V_" + name + "_" + key).withNewValueFrom().withNewSecretKeyRef()
                .withName(name).withKey(key).withOptional(optional).endSecretKeyRef().endValueFrom().build();
    }
}
