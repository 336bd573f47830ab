package io.kube4j.api.validation;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static io.kube4j.api.validation.ValidationTest.codes;
import static io.kube4j.api.validation.ValidationTest.read;
import static io.kube4j.api.validation.ValidationTest.typeOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class UpdateValidationTest {

    static final String POD = """
            metadata: {name: web, namespace: default}
            spec:
              activeDeadlineSeconds: 100
              tolerations: [{key: a, operator: Exists}]
              containers: [{name: app, image: nginx:1.25, ports: [{containerPort: 80}]}]
              initContainers: [{name: init, image: busybox:1}]
            """;
    static final String DEPLOY = """
            metadata: {name: d, namespace: default}
            spec:
              replicas: 2
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web, tier: front}}
                spec:
                  containers: [{name: app, image: nginx}]
            """;
    static final String JOB = """
            metadata: {name: j, namespace: default}
            spec:
              completions: 3
              selector: {matchLabels: {job: j}}
              template:
                metadata: {labels: {job: j}}
                spec:
                  restartPolicy: Never
                  containers: [{name: a, image: busybox}]
            """;
    static final String STS = """
            metadata: {name: db, namespace: default}
            spec:
              serviceName: db
              selector: {matchLabels: {app: db}}
              template:
                metadata: {labels: {app: db}}
                spec:
                  containers: [{name: db, image: postgres}]
            """;

    static Arguments c(String name, Class<? extends HasMetadata> type, String oldYaml, String newYaml, String... expected) {
        return arguments(name, type, oldYaml, newYaml, List.of(expected));
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                c("pod unchanged", Pod.class, POD, POD),
                c("pod image change allowed", Pod.class, POD,
                        POD.replace("nginx:1.25", "nginx:1.26").replace("busybox:1", "busybox:2")),
                c("pod shorter deadline and added toleration allowed", Pod.class, POD,
                        POD.replace("activeDeadlineSeconds: 100", "activeDeadlineSeconds: 50")
                                .replace("[{key: a, operator: Exists}]", "[{key: a, operator: Exists}, {key: b, operator: Exists}]")),
                c("pod longer deadline", Pod.class, POD, POD.replace("activeDeadlineSeconds: 100", "activeDeadlineSeconds: 200"),
                        "INVALID spec.activeDeadlineSeconds"),
                c("pod removed toleration", Pod.class, POD, POD.replace("[{key: a, operator: Exists}]", "[]"),
                        "FORBIDDEN spec"),
                c("pod port change", Pod.class, POD, POD.replace("containerPort: 80", "containerPort: 81"), "FORBIDDEN spec"),
                c("pod added container", Pod.class, POD,
                        POD.replace("ports: [{containerPort: 80}]}]", "ports: [{containerPort: 80}]}, {name: side, image: x}]"),
                        "FORBIDDEN spec"),
                c("namespace change", Pod.class, POD, POD.replace("namespace: default", "namespace: other"),
                        "INVALID metadata.namespace"),
                c("service clusterIP change", Service.class,
                        "metadata: {name: s, namespace: default}\nspec: {clusterIP: 10.0.0.10, ports: [{port: 80}]}",
                        "metadata: {name: s, namespace: default}\nspec: {clusterIP: 10.0.0.11, ports: [{port: 80}]}",
                        "INVALID spec.clusterIP"),
                c("service clusterIP set from empty", Service.class,
                        "metadata: {name: s, namespace: default}\nspec: {ports: [{port: 80}]}",
                        "metadata: {name: s, namespace: default}\nspec: {clusterIP: 10.0.0.11, ports: [{port: 80}]}"),
                c("deployment selector change", Deployment.class, DEPLOY, DEPLOY.replace("{app: web}}", "{app: web, tier: front}}"),
                        "INVALID spec.selector"),
                c("deployment scale and template change allowed", Deployment.class, DEPLOY,
                        DEPLOY.replace("replicas: 2", "replicas: 5").replace("image: nginx", "image: nginx:2")),
                c("statefulset serviceName change", StatefulSet.class, STS, STS.replace("serviceName: db", "serviceName: db2"),
                        "FORBIDDEN spec"),
                c("statefulset selector change", StatefulSet.class, STS,
                        STS.replace("selector: {matchLabels: {app: db}}", "selector: {matchLabels: {app: db, x: y}}")
                                .replace("labels: {app: db}}", "labels: {app: db, x: y}}"),
                        "INVALID spec.selector"),
                c("job template change", Job.class, JOB, JOB.replace("image: busybox", "image: alpine"), "INVALID spec.template"),
                c("job completions change", Job.class, JOB, JOB.replace("completions: 3", "completions: 4"),
                        "INVALID spec.completions"),
                c("immutable configmap data change", ConfigMap.class,
                        "metadata: {name: cm, namespace: default}\nimmutable: true\ndata: {a: '1'}",
                        "metadata: {name: cm, namespace: default}\nimmutable: true\ndata: {a: '2'}",
                        "FORBIDDEN data"),
                c("immutable configmap made mutable", ConfigMap.class,
                        "metadata: {name: cm, namespace: default}\nimmutable: true\ndata: {a: '1'}",
                        "metadata: {name: cm, namespace: default}\nimmutable: false\ndata: {a: '1'}",
                        "FORBIDDEN immutable"),
                c("mutable configmap change allowed", ConfigMap.class,
                        "metadata: {name: cm, namespace: default}\ndata: {a: '1'}",
                        "metadata: {name: cm, namespace: default}\ndata: {a: '2'}"),
                c("immutable secret data change and type change", Secret.class,
                        "metadata: {name: s, namespace: default}\nimmutable: true\ntype: Opaque\ndata: {a: eA==}",
                        "metadata: {name: s, namespace: default}\nimmutable: true\ntype: custom\ndata: {a: eQ==}",
                        "FORBIDDEN data", "INVALID type"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void validateUpdate(String name, Class<? extends HasMetadata> type, String oldYaml, String newYaml, List<String> expected) {
        HasMetadata oldObj = read(oldYaml, type);
        HasMetadata newObj = read(newYaml, type);
        List<FieldError> errs = Validation.validateUpdate(typeOf(newObj), newObj, oldObj);
        assertThat(codes(errs)).as(errs.toString()).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void messagesSayImmutable() {
        Deployment oldD = read(DEPLOY, Deployment.class);
        Deployment newD = read(DEPLOY.replace("{app: web}}", "{app: web, tier: front}}"), Deployment.class);
        assertThat(Validation.validateUpdate(typeOf(newD), newD, oldD)).singleElement().extracting(FieldError::message)
                .isEqualTo("spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"web\",\"tier\":\"front\"}}: field is immutable");
        Pod oldP = read(POD, Pod.class);
        Pod newP = read(POD.replace("containerPort: 80", "containerPort: 81"), Pod.class);
        assertThat(Validation.validateUpdate(typeOf(newP), newP, oldP)).singleElement().extracting(FieldError::message)
                .asString().startsWith("spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`");
    }
}
