package io.kube4j.apiserver.admission.podsecurity;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.api.codec.Codecs;
import io.kube4j.apiserver.admission.podsecurity.PodSecurityChecks.Level;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** The Pod Security Standards checks, level by level, with Kubernetes' messages. */
class PodSecurityChecksTest {

    static final String RESTRICTED_OK = "\"securityContext\":{\"runAsNonRoot\":true,\"seccompProfile\":{\"type\":\"RuntimeDefault\"}},"
            + "\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"securityContext\":{\"allowPrivilegeEscalation\":false,"
            + "\"capabilities\":{\"drop\":[\"ALL\"]}}}]";

    static Stream<Arguments> cases() {
        return Stream.of(
                arguments(Level.PRIVILEGED, "\"hostNetwork\":true,\"containers\":[{\"name\":\"c\",\"securityContext\":{\"privileged\":true}}]", ""),
                arguments(Level.BASELINE, "\"containers\":[{\"name\":\"c\"}]", ""),
                arguments(Level.BASELINE, "\"hostNetwork\":true,\"hostPID\":true,\"containers\":[{\"name\":\"c\"}]",
                        "host namespaces (hostNetwork=true, hostPID=true)"),
                arguments(Level.BASELINE, "\"containers\":[{\"name\":\"a\",\"securityContext\":{\"privileged\":true}},"
                        + "{\"name\":\"b\",\"securityContext\":{\"privileged\":true}}]",
                        "privileged (containers \"a\", \"b\" must not set securityContext.privileged=true)"),
                arguments(Level.BASELINE, "\"containers\":[{\"name\":\"c\",\"securityContext\":{\"capabilities\":{\"add\":[\"NET_ADMIN\",\"CHOWN\"]}}}]",
                        "non-default capabilities (container \"c\" must not include \"NET_ADMIN\" in securityContext.capabilities.add)"),
                arguments(Level.BASELINE, "\"volumes\":[{\"name\":\"h\",\"hostPath\":{\"path\":\"/\"}}],\"containers\":[{\"name\":\"c\"}]",
                        "hostPath volumes (volume \"h\" uses hostPath)"),
                arguments(Level.BASELINE, "\"containers\":[{\"name\":\"c\",\"ports\":[{\"containerPort\":80,\"hostPort\":8080}]}]",
                        "hostPort (container \"c\" uses hostPort 8080)"),
                arguments(Level.BASELINE, "\"securityContext\":{\"sysctls\":[{\"name\":\"kernel.msgmax\",\"value\":\"1\"}]},\"containers\":[{\"name\":\"c\"}]",
                        "forbidden sysctls (kernel.msgmax)"),
                arguments(Level.BASELINE, "\"securityContext\":{\"seccompProfile\":{\"type\":\"Unconfined\"}},\"containers\":[{\"name\":\"c\"}]",
                        "seccompProfile (pod must not set securityContext.seccompProfile.type to \"Unconfined\")"),
                arguments(Level.RESTRICTED, RESTRICTED_OK, ""),
                arguments(Level.RESTRICTED, RESTRICTED_OK.replace("\"runAsNonRoot\":true,", "\"runAsUser\":0,"),
                        "runAsNonRoot != true (pod or container \"c\" must set securityContext.runAsNonRoot=true), "
                                + "runAsUser=0 (pod must not set runAsUser=0)"),
                arguments(Level.RESTRICTED, RESTRICTED_OK.replace("\"drop\":[\"ALL\"]", "\"drop\":[\"ALL\"],\"add\":[\"NET_BIND_SERVICE\",\"SYS_TIME\"]"),
                        "unrestricted capabilities (container \"c\" must not include \"SYS_TIME\" in securityContext.capabilities.add)"),
                arguments(Level.RESTRICTED, "\"volumes\":[{\"name\":\"n\",\"nfs\":{\"server\":\"s\",\"path\":\"/\"}}]," + RESTRICTED_OK,
                        "restricted volume types (volume \"n\" uses restricted volume type \"nfs\")"),
                arguments(Level.RESTRICTED, "\"containers\":[{\"name\":\"x\",\"securityContext\":{\"privileged\":true}}]",
                        "allowPrivilegeEscalation != false (container \"x\" must set securityContext.allowPrivilegeEscalation=false), "
                                + "unrestricted capabilities (container \"x\" must set securityContext.capabilities.drop=[\"ALL\"]), "
                                + "privileged (container \"x\" must not set securityContext.privileged=true), "
                                + "runAsNonRoot != true (pod or container \"x\" must set securityContext.runAsNonRoot=true), "
                                + "seccompProfile (pod or container \"x\" must set securityContext.seccompProfile.type to "
                                + "\"RuntimeDefault\" or \"Localhost\")"));
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("cases")
    void evaluate(Level level, String spec, String expected) {
        Pod pod = Codecs.json().readValue("{\"metadata\":{\"name\":\"p\"},\"spec\":{" + spec + "}}", Pod.class);
        assertThat(PodSecurity.join(PodSecurityChecks.evaluate(level, pod.getMetadata(), pod.getSpec())))
                .isEqualTo(expected);
    }
}
