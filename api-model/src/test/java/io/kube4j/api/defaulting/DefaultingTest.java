package io.kube4j.api.defaulting;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kube4j.api.codec.Codecs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class DefaultingTest {

    static <T extends HasMetadata> T read(String yaml, Class<T> type) {
        return Codecs.yaml().readValue(yaml, type);
    }

    /** Applies defaults, then reads the value at a JSON pointer of the result. */
    static String at(HasMetadata obj, String pointer) {
        JsonNode node = Codecs.json().valueToTree(obj).at(pointer);
        return node.isMissingNode() ? "<missing>" : node.isValueNode() ? node.asString() : node.toString();
    }

    static Arguments c(Class<? extends HasMetadata> type, String yaml, Map<String, String> expected) {
        return arguments(type.getSimpleName() + " " + expected.keySet(), type, yaml, expected);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                c(Pod.class, """
                        metadata: {name: p, namespace: default}
                        spec:
                          containers:
                          - name: app
                            image: nginx
                            ports: [{containerPort: 80}]
                            resources: {limits: {cpu: 500m}}
                            livenessProbe: {httpGet: {port: 80}}
                        """, Map.ofEntries(
                        Map.entry("/spec/restartPolicy", "Always"),
                        Map.entry("/spec/dnsPolicy", "ClusterFirst"),
                        Map.entry("/spec/terminationGracePeriodSeconds", "30"),
                        Map.entry("/spec/schedulerName", "default-scheduler"),
                        Map.entry("/spec/securityContext", "{}"),
                        Map.entry("/spec/enableServiceLinks", "true"),
                        Map.entry("/spec/containers/0/imagePullPolicy", "Always"),
                        Map.entry("/spec/containers/0/terminationMessagePath", "/dev/termination-log"),
                        Map.entry("/spec/containers/0/terminationMessagePolicy", "File"),
                        Map.entry("/spec/containers/0/ports/0/protocol", "TCP"),
                        Map.entry("/spec/containers/0/resources/requests/cpu", "500m"),
                        Map.entry("/spec/containers/0/livenessProbe/timeoutSeconds", "1"),
                        Map.entry("/spec/containers/0/livenessProbe/periodSeconds", "10"),
                        Map.entry("/spec/containers/0/livenessProbe/successThreshold", "1"),
                        Map.entry("/spec/containers/0/livenessProbe/failureThreshold", "3"),
                        Map.entry("/spec/containers/0/livenessProbe/httpGet/path", "/"),
                        Map.entry("/spec/containers/0/livenessProbe/httpGet/scheme", "HTTP"))),
                c(Pod.class, """
                        metadata: {name: p, namespace: default}
                        spec:
                          restartPolicy: Never
                          terminationGracePeriodSeconds: 5
                          containers: [{name: app, image: "nginx:1.25", imagePullPolicy: Never}]
                        """, Map.of("/spec/restartPolicy", "Never", "/spec/terminationGracePeriodSeconds", "5",
                        "/spec/containers/0/imagePullPolicy", "Never")),
                c(Deployment.class, """
                        metadata: {name: d, namespace: default}
                        spec:
                          selector: {matchLabels: {app: web}}
                          template:
                            metadata: {labels: {app: web}}
                            spec:
                              containers: [{name: app, image: "nginx:1.25", resources: {limits: {cpu: "1"}}}]
                        """, Map.ofEntries(
                        Map.entry("/spec/replicas", "1"),
                        Map.entry("/spec/strategy/type", "RollingUpdate"),
                        Map.entry("/spec/strategy/rollingUpdate/maxSurge", "25%"),
                        Map.entry("/spec/strategy/rollingUpdate/maxUnavailable", "25%"),
                        Map.entry("/spec/revisionHistoryLimit", "10"),
                        Map.entry("/spec/progressDeadlineSeconds", "600"),
                        Map.entry("/spec/template/spec/restartPolicy", "Always"),
                        Map.entry("/spec/template/spec/dnsPolicy", "ClusterFirst"),
                        Map.entry("/spec/template/spec/schedulerName", "default-scheduler"),
                        Map.entry("/spec/template/spec/containers/0/imagePullPolicy", "IfNotPresent"),
                        // pod-only defaults stay out of templates, as in Kubernetes
                        Map.entry("/spec/template/spec/enableServiceLinks", "<missing>"),
                        Map.entry("/spec/template/spec/containers/0/resources/requests", "<missing>"))),
                c(Deployment.class, """
                        metadata: {name: d, namespace: default}
                        spec:
                          replicas: 0
                          strategy: {type: Recreate}
                        """, Map.of("/spec/replicas", "0", "/spec/strategy/type", "Recreate",
                        "/spec/strategy/rollingUpdate", "<missing>")),
                c(Service.class, """
                        metadata: {name: s, namespace: default}
                        spec: {ports: [{port: 80}, {port: 443, targetPort: https, protocol: UDP}]}
                        """, Map.of("/spec/type", "ClusterIP", "/spec/sessionAffinity", "None",
                        "/spec/internalTrafficPolicy", "Cluster", "/spec/ports/0/protocol", "TCP",
                        "/spec/ports/0/targetPort", "80", "/spec/ports/1/targetPort", "https", "/spec/ports/1/protocol", "UDP",
                        "/spec/externalTrafficPolicy", "<missing>")),
                c(Service.class, """
                        metadata: {name: s, namespace: default}
                        spec: {type: LoadBalancer, sessionAffinity: ClientIP, ports: [{port: 80}]}
                        """, Map.of("/spec/externalTrafficPolicy", "Cluster", "/spec/allocateLoadBalancerNodePorts", "true",
                        "/spec/sessionAffinityConfig/clientIP/timeoutSeconds", "10800")),
                c(StatefulSet.class, """
                        metadata: {name: db, namespace: default}
                        spec: {template: {spec: {containers: [{name: db, image: postgres}]}}}
                        """, Map.of("/spec/replicas", "1", "/spec/podManagementPolicy", "OrderedReady",
                        "/spec/updateStrategy/type", "RollingUpdate", "/spec/updateStrategy/rollingUpdate/partition", "0",
                        "/spec/revisionHistoryLimit", "10", "/spec/persistentVolumeClaimRetentionPolicy/whenDeleted", "Retain",
                        "/spec/template/spec/containers/0/imagePullPolicy", "Always")),
                c(DaemonSet.class, """
                        metadata: {name: ds, namespace: default}
                        spec: {template: {spec: {containers: [{name: a, image: agent}]}}}
                        """, Map.of("/spec/updateStrategy/type", "RollingUpdate",
                        "/spec/updateStrategy/rollingUpdate/maxUnavailable", "1", "/spec/updateStrategy/rollingUpdate/maxSurge", "0",
                        "/spec/revisionHistoryLimit", "10", "/spec/template/spec/restartPolicy", "Always")),
                c(Job.class, """
                        metadata: {name: j, namespace: default}
                        spec: {template: {spec: {restartPolicy: Never, containers: [{name: a, image: busybox}]}}}
                        """, Map.of("/spec/completions", "1", "/spec/parallelism", "1", "/spec/backoffLimit", "6",
                        "/spec/completionMode", "NonIndexed", "/spec/suspend", "false",
                        "/spec/template/spec/restartPolicy", "Never", "/spec/template/spec/dnsPolicy", "ClusterFirst")),
                c(Job.class, """
                        metadata: {name: j, namespace: default}
                        spec: {parallelism: 3, template: {spec: {restartPolicy: Never, containers: [{name: a, image: b}]}}}
                        """, Map.of("/spec/completions", "<missing>", "/spec/parallelism", "3")),
                c(CronJob.class, """
                        metadata: {name: cj, namespace: default}
                        spec:
                          schedule: "*/5 * * * *"
                          jobTemplate: {spec: {template: {spec: {restartPolicy: OnFailure, containers: [{name: a, image: b}]}}}}
                        """, Map.of("/spec/concurrencyPolicy", "Allow", "/spec/suspend", "false",
                        "/spec/successfulJobsHistoryLimit", "3", "/spec/failedJobsHistoryLimit", "1",
                        "/spec/jobTemplate/spec/template/spec/schedulerName", "default-scheduler",
                        "/spec/jobTemplate/spec/template/spec/restartPolicy", "OnFailure")),
                c(io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler.class, """
                        metadata: {name: h, namespace: default}
                        spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, maxReplicas: 3}
                        """, Map.of("/spec/minReplicas", "1", "/spec/metrics/0/resource/name", "cpu",
                        "/spec/metrics/0/resource/target/averageUtilization", "80", "/spec/behavior", "<missing>")),
                c(io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler.class, """
                        metadata: {name: h, namespace: default}
                        spec:
                          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
                          maxReplicas: 3
                          behavior: {scaleDown: {stabilizationWindowSeconds: 5}}
                        """, Map.ofEntries(Map.entry("/spec/behavior/scaleDown/stabilizationWindowSeconds", "5"),
                        Map.entry("/spec/behavior/scaleDown/selectPolicy", "Max"),
                        Map.entry("/spec/behavior/scaleDown/policies",
                                "[{\"periodSeconds\":15,\"type\":\"Percent\",\"value\":100}]"),
                        Map.entry("/spec/behavior/scaleUp/stabilizationWindowSeconds", "0"),
                        Map.entry("/spec/behavior/scaleUp/policies/0/type", "Pods"),
                        Map.entry("/spec/behavior/scaleUp/policies/0/value", "4"),
                        Map.entry("/spec/behavior/scaleUp/policies/1/type", "Percent"),
                        Map.entry("/spec/behavior/scaleUp/policies/1/value", "100"))),
                c(Secret.class, "metadata: {name: s, namespace: default}", Map.of("/type", "Opaque")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void appliesKubernetesDefaults(String name, Class<? extends HasMetadata> type, String yaml, Map<String, String> expected) {
        HasMetadata obj = read(yaml, type);
        Defaulting.apply(obj);
        expected.forEach((pointer, value) -> assertThat(at(obj, pointer)).as(pointer).isEqualTo(value));
    }

    @ParameterizedTest(name = "{0} -> Always: {1}")
    @CsvSource({"nginx,true", "nginx:latest,true", "nginx:1.25,false", "registry:5000/nginx,true",
            "registry:5000/nginx:1.0,false", "nginx@sha256:abc,false", "nginx:latest@sha256:abc,true"})
    void imagePullPolicyFollowsTheTag(String image, boolean always) {
        assertThat(Defaulting.pullsAlways(image)).isEqualTo(always);
    }

    @Test
    void isIdempotentAndLeavesMetadataAlone() {
        Deployment d = read("""
                metadata: {name: d, namespace: default}
                spec: {template: {spec: {containers: [{name: a, image: b}]}}}
                """, Deployment.class);
        Defaulting.apply(d);
        String once = Codecs.json().writeValueAsString(d);
        Defaulting.apply(d);
        assertThat(Codecs.json().writeValueAsString(d)).isEqualTo(once);
        assertThat(d.getMetadata().getLabels()).isNullOrEmpty();
        assertThat(d.getMetadata().getAnnotations()).isNullOrEmpty();
    }
}
