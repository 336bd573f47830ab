package io.kube4j.api.validation;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class ValidationTest {

    static final String POD_META = """
            apiVersion: v1
            kind: Pod
            metadata: {name: web, namespace: default}
            """;
    static final String APP_TEMPLATE = """
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers: [{name: app, image: nginx}]
            """;

    static <T extends HasMetadata> T read(String yaml, Class<T> type) {
        return Codecs.yaml().readValue(yaml, type);
    }

    static ResourceType typeOf(HasMetadata obj) {
        return ResourceRegistry.builtin().byType(obj.getClass()).orElseThrow();
    }

    static List<String> codes(List<FieldError> errs) {
        return errs.stream().map(e -> e.type() + " " + e.field()).toList();
    }

    static Arguments c(String name, Class<? extends HasMetadata> type, String yaml, String... expected) {
        return arguments(name, type, yaml, List.of(expected));
    }

    static Stream<Arguments> createCases() {
        return Stream.of(
                // ---- valid objects ----
                c("valid pod", Pod.class, POD_META + "spec: {containers: [{name: app, image: nginx}]}"),
                c("valid service", Service.class, """
                        metadata: {name: web, namespace: default}
                        spec: {selector: {app: web}, ports: [{port: 80}]}
                        """),
                c("valid deployment", Deployment.class, """
                        metadata: {name: web, namespace: default}
                        spec:
                          selector: {matchLabels: {app: web}}
                        """ + APP_TEMPLATE),
                c("valid namespace", Namespace.class, "metadata: {name: team-a}"),
                c("valid cluster role with colon", ClusterRole.class, "metadata: {name: 'system:controller:x'}"),
                c("valid node", Node.class, "metadata: {name: node-1.example.com}"),

                // ---- metadata ----
                c("name missing", Pod.class, "metadata: {namespace: default}\nspec: {containers: [{name: a, image: b}]}",
                        "REQUIRED metadata.name"),
                c("name not a subdomain", ConfigMap.class, "metadata: {name: Foo_1, namespace: default}",
                        "INVALID metadata.name"),
                c("name too long", ConfigMap.class, "metadata: {name: " + "a".repeat(254) + ", namespace: default}",
                        "INVALID metadata.name"),
                c("namespace name with dot", Namespace.class, "metadata: {name: team.a}", "INVALID metadata.name"),
                c("service name starts with digit", Service.class,
                        "metadata: {name: 1web, namespace: default}\nspec: {ports: [{port: 80}]}", "INVALID metadata.name"),
                c("namespace required", ConfigMap.class, "metadata: {name: cm}", "REQUIRED metadata.namespace"),
                c("namespace invalid", ConfigMap.class, "metadata: {name: cm, namespace: Bad_NS}", "INVALID metadata.namespace"),
                c("namespace forbidden on cluster scope", Node.class, "metadata: {name: n1, namespace: default}",
                        "FORBIDDEN metadata.namespace"),
                c("label key bad name part", ConfigMap.class,
                        "metadata: {name: cm, namespace: default, labels: {'-bad': x}}", "INVALID metadata.labels"),
                c("label key bad prefix", ConfigMap.class,
                        "metadata: {name: cm, namespace: default, labels: {'Example.com/a': x}}", "INVALID metadata.labels"),
                c("label key two slashes", ConfigMap.class,
                        "metadata: {name: cm, namespace: default, labels: {'a/b/c': x}}", "INVALID metadata.labels"),
                c("label value too long", ConfigMap.class,
                        "metadata: {name: cm, namespace: default, labels: {a: " + "v".repeat(64) + "}}",
                        "INVALID metadata.labels"),
                c("label value bad chars", ConfigMap.class,
                        "metadata: {name: cm, namespace: default, labels: {a: 'x y'}}", "INVALID metadata.labels"),
                c("annotation key invalid", ConfigMap.class,
                        "metadata: {name: cm, namespace: default, annotations: {'no spaces': x}}", "INVALID metadata.annotations"),

                // ---- pods ----
                c("no containers", Pod.class, POD_META + "spec: {containers: []}", "REQUIRED spec.containers"),
                c("container name and image missing", Pod.class, POD_META + "spec: {containers: [{}]}",
                        "REQUIRED spec.containers[0].name", "REQUIRED spec.containers[0].image"),
                c("container name not a label", Pod.class, POD_META + "spec: {containers: [{name: App_1, image: x}]}",
                        "INVALID spec.containers[0].name"),
                c("duplicate container name", Pod.class,
                        POD_META + "spec: {containers: [{name: app, image: x}, {name: app, image: y}]}",
                        "DUPLICATE spec.containers[1].name"),
                c("init container name clashes", Pod.class,
                        POD_META + "spec: {containers: [{name: app, image: x}], initContainers: [{name: app, image: y}]}",
                        "DUPLICATE spec.initContainers[0].name"),
                c("container port out of range", Pod.class,
                        POD_META + "spec: {containers: [{name: a, image: x, ports: [{containerPort: 70000, hostPort: -1}]}]}",
                        "INVALID spec.containers[0].ports[0].containerPort", "INVALID spec.containers[0].ports[0].hostPort"),
                c("container port missing", Pod.class,
                        POD_META + "spec: {containers: [{name: a, image: x, ports: [{name: http}]}]}",
                        "REQUIRED spec.containers[0].ports[0].containerPort"),
                c("bad protocol", Pod.class,
                        POD_META + "spec: {containers: [{name: a, image: x, ports: [{containerPort: 80, protocol: HTTP}]}]}",
                        "NOT_SUPPORTED spec.containers[0].ports[0].protocol"),
                c("port names", Pod.class, POD_META + """
                        spec: {containers: [{name: a, image: x, ports: [{containerPort: 80, name: http},
                          {containerPort: 81, name: http}, {containerPort: 82, name: 8080}, {containerPort: 83, name: much-too-long-name}]}]}
                        """, "DUPLICATE spec.containers[0].ports[1].name", "INVALID spec.containers[0].ports[2].name",
                        "INVALID spec.containers[0].ports[3].name"),
                c("bad quantity", Pod.class, POD_META + """
                        spec: {containers: [{name: a, image: x, resources: {limits: {cpu: lots}}}]}
                        """, "INVALID spec.containers[0].resources.limits[cpu]"),
                c("request above limit", Pod.class, POD_META + """
                        spec: {containers: [{name: a, image: x, resources: {requests: {memory: 2Gi, cpu: 100m}, limits: {memory: 1Gi, cpu: "1"}}}]}
                        """, "INVALID spec.containers[0].resources.requests"),
                c("bad restart and dns policy", Pod.class,
                        POD_META + "spec: {restartPolicy: Sometimes, dnsPolicy: Google, containers: [{name: a, image: x}]}",
                        "NOT_SUPPORTED spec.restartPolicy", "NOT_SUPPORTED spec.dnsPolicy"),
                c("env var name missing", Pod.class,
                        POD_META + "spec: {containers: [{name: a, image: x, env: [{value: v}, {name: 'A=B'}]}]}",
                        "REQUIRED spec.containers[0].env[0].name", "INVALID spec.containers[0].env[1].name"),

                // ---- services ----
                c("service without ports", Service.class, "metadata: {name: s, namespace: default}\nspec: {selector: {a: b}}",
                        "REQUIRED spec.ports"),
                c("headless service may omit ports", Service.class,
                        "metadata: {name: s, namespace: default}\nspec: {clusterIP: None}"),
                c("service port names", Service.class, """
                        metadata: {name: s, namespace: default}
                        spec: {ports: [{port: 80}, {port: 81, name: b}, {port: 82, name: b}]}
                        """, "REQUIRED spec.ports[0].name", "DUPLICATE spec.ports[2].name"),
                c("service port range and protocol", Service.class, """
                        metadata: {name: s, namespace: default}
                        spec: {ports: [{port: 0, protocol: ICMP}]}
                        """, "INVALID spec.ports[0].port", "NOT_SUPPORTED spec.ports[0].protocol"),
                c("service type and clusterIP", Service.class, """
                        metadata: {name: s, namespace: default}
                        spec: {type: Magic, clusterIP: 10.0.0.256, ports: [{port: 80}]}
                        """, "NOT_SUPPORTED spec.type", "INVALID spec.clusterIP"),
                c("ipv6 clusterIP", Service.class, """
                        metadata: {name: s, namespace: default}
                        spec: {clusterIP: 'fd00::1', ports: [{port: 80}]}
                        """),
                c("external name required", Service.class, """
                        metadata: {name: s, namespace: default}
                        spec: {type: ExternalName}
                        """, "REQUIRED spec.externalName"),
                c("node port on ClusterIP", Service.class, """
                        metadata: {name: s, namespace: default}
                        spec: {type: ClusterIP, ports: [{port: 80, nodePort: 30080}]}
                        """, "FORBIDDEN spec.ports[0].nodePort"),

                // ---- workloads ----
                c("deployment selector missing", Deployment.class,
                        "metadata: {name: d, namespace: default}\nspec:\n" + APP_TEMPLATE, "REQUIRED spec.selector"),
                c("deployment empty selector", Deployment.class,
                        "metadata: {name: d, namespace: default}\nspec:\n  selector: {}\n" + APP_TEMPLATE,
                        "INVALID spec.selector"),
                c("deployment selector mismatch", Deployment.class, """
                        metadata: {name: d, namespace: default}
                        spec:
                          selector: {matchLabels: {app: api}}
                        """ + APP_TEMPLATE, "INVALID spec.template.metadata.labels"),
                c("deployment negative replicas and bad strategy", Deployment.class, """
                        metadata: {name: d, namespace: default}
                        spec:
                          replicas: -1
                          strategy: {type: BlueGreen}
                          selector: {matchLabels: {app: web}}
                        """ + APP_TEMPLATE, "INVALID spec.replicas", "NOT_SUPPORTED spec.strategy.type"),
                c("deployment surge and unavailable zero", Deployment.class, """
                        metadata: {name: d, namespace: default}
                        spec:
                          strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 0, maxUnavailable: "0%"}}
                          selector: {matchLabels: {app: web}}
                        """ + APP_TEMPLATE, "INVALID spec.strategy.rollingUpdate.maxUnavailable"),
                c("deployment template restartPolicy", Deployment.class, """
                        metadata: {name: d, namespace: default}
                        spec:
                          selector: {matchLabels: {app: web}}
                          template:
                            metadata: {labels: {app: web}}
                            spec:
                              restartPolicy: Never
                              containers: [{name: app}]
                        """, "NOT_SUPPORTED spec.template.spec.restartPolicy", "REQUIRED spec.template.spec.containers[0].image"),
                c("bad selector expression", ReplicaSet.class, """
                        metadata: {name: rs, namespace: default}
                        spec:
                          selector: {matchExpressions: [{key: app, operator: In}, {key: x, operator: Near, values: [a]}]}
                        """ + APP_TEMPLATE, "REQUIRED spec.selector.matchExpressions[0].values",
                        "INVALID spec.selector.matchExpressions[1].operator", "INVALID spec.selector"),
                c("statefulset pod management policy", StatefulSet.class, """
                        metadata: {name: db, namespace: default}
                        spec:
                          podManagementPolicy: Random
                          selector: {matchLabels: {app: web}}
                        """ + APP_TEMPLATE, "INVALID spec.podManagementPolicy"),
                c("statefulset maxUnavailable 0", StatefulSet.class, """
                        metadata: {name: db, namespace: default}
                        spec:
                          updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0}}
                          selector: {matchLabels: {app: web}}
                        """ + APP_TEMPLATE, "INVALID spec.updateStrategy.rollingUpdate.maxUnavailable"),
                c("statefulset maxUnavailable over 100%", StatefulSet.class, """
                        metadata: {name: db, namespace: default}
                        spec:
                          updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 150%}}
                          selector: {matchLabels: {app: web}}
                        """ + APP_TEMPLATE, "INVALID spec.updateStrategy.rollingUpdate.maxUnavailable"),
                c("statefulset maxUnavailable not a percentage", StatefulSet.class, """
                        metadata: {name: db, namespace: default}
                        spec:
                          updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: half}}
                          selector: {matchLabels: {app: web}}
                        """ + APP_TEMPLATE, "INVALID spec.updateStrategy.rollingUpdate.maxUnavailable"),
                c("daemonset selector mismatch", DaemonSet.class, """
                        metadata: {name: ds, namespace: default}
                        spec:
                          selector: {matchLabels: {app: agent}}
                        """ + APP_TEMPLATE, "INVALID spec.template.metadata.labels"),
                c("job restartPolicy Always", Job.class, """
                        metadata: {name: j, namespace: default}
                        spec:
                          parallelism: -1
                          template:
                            spec:
                              restartPolicy: Always
                              containers: [{name: a, image: busybox}]
                        """, "REQUIRED spec.template.spec.restartPolicy", "INVALID spec.parallelism"),
                c("cronjob schedule missing", CronJob.class, """
                        metadata: {name: cj, namespace: default}
                        spec:
                          jobTemplate:
                            spec:
                              template:
                                spec:
                                  restartPolicy: OnFailure
                                  containers: [{name: a}]
                        """, "REQUIRED spec.schedule", "REQUIRED spec.jobTemplate.spec.template.spec.containers[0].image"),
                c("cronjob bad schedule", CronJob.class, """
                        metadata: {name: cj, namespace: default}
                        spec:
                          schedule: "every minute"
                          jobTemplate:
                            spec:
                              template:
                                spec:
                                  restartPolicy: Never
                                  containers: [{name: a, image: b}]
                        """, "INVALID spec.schedule"),

                // ---- config maps, secrets, events ----
                c("configmap bad keys", ConfigMap.class, """
                        metadata: {name: cm, namespace: default}
                        data: {"a b": x, "..hidden": y, ok.key: z}
                        """, "INVALID data[a b]", "INVALID data[..hidden]"),
                c("configmap key in both bags", ConfigMap.class, """
                        metadata: {name: cm, namespace: default}
                        data: {k: x}
                        binaryData: {k: eA==}
                        """, "INVALID data[k]", "INVALID binaryData[k]"),
                c("secret bad key and tls keys", Secret.class, """
                        metadata: {name: s, namespace: default}
                        type: kubernetes.io/tls
                        data: {"tls/crt": eA==}
                        """, "INVALID data[tls/crt]", "REQUIRED data[tls.crt]", "REQUIRED data[tls.key]"),
                c("event without involved object", Event.class, "metadata: {name: e1, namespace: default}",
                        "REQUIRED involvedObject"),
                c("event namespace mismatch", Event.class, """
                        metadata: {name: e1, namespace: default}
                        involvedObject: {kind: Pod, name: p, namespace: other}
                        """, "INVALID involvedObject.namespace"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("createCases")
    void validateCreate(String name, Class<? extends HasMetadata> type, String yaml, List<String> expected) {
        HasMetadata obj = read(yaml, type);
        List<FieldError> errs = Validation.validateCreate(typeOf(obj), obj);
        assertThat(codes(errs)).as(errs.toString()).containsExactlyInAnyOrderElementsOf(expected);
    }

    static Stream<Arguments> messages() {
        return Stream.of(
                arguments(FieldError.required("spec.containers[0].image", ""), "spec.containers[0].image: Required value"),
                arguments(FieldError.duplicate("spec.containers[1].name", "app"), "spec.containers[1].name: Duplicate value: \"app\""),
                arguments(FieldError.invalid("spec.replicas", -1, "must be greater than or equal to 0"),
                        "spec.replicas: Invalid value: -1: must be greater than or equal to 0"),
                arguments(FieldError.notSupported("spec.restartPolicy", "Sometimes", List.of("Always", "OnFailure", "Never")),
                        "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\""),
                arguments(FieldError.forbidden("metadata.namespace", "not allowed on this type"),
                        "metadata.namespace: Forbidden: not allowed on this type"),
                arguments(FieldError.invalid("spec.template.metadata.labels", Map.of("app", "web"),
                                "`selector` does not match template `labels`"),
                        "spec.template.metadata.labels: Invalid value: {\"app\":\"web\"}: `selector` does not match template `labels`"),
                arguments(FieldError.tooLong("metadata.annotations", "", 262144),
                        "metadata.annotations: Too long: may not be more than 262144 bytes"),
                arguments(FieldError.tooMany("spec.containers", 5, 4), "spec.containers: Too many: 5: must have at most 4 items"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("messages")
    void messagesReadAsKubernetesPrintsThem(FieldError error, String message) {
        assertThat(error.message()).isEqualTo(message);
    }

    @Test
    void nameMessagesAreKubernetes() {
        ConfigMap cm = read("metadata: {name: Foo_1, namespace: default}", ConfigMap.class);
        assertThat(Validation.validateCreate(typeOf(cm), cm)).singleElement().extracting(FieldError::message)
                .isEqualTo("metadata.name: Invalid value: \"Foo_1\": a lowercase RFC 1123 subdomain must consist of lower case "
                        + "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character "
                        + "(e.g. 'example.com', regex used for validation is "
                        + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
        assertThat(NameRules.dns1123Label("a_b")).containsExactly("a lowercase RFC 1123 label must consist of lower case "
                + "alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  "
                + "or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
        assertThat(FieldError.Type.NOT_SUPPORTED.reason()).isEqualTo("FieldValueNotSupported");
    }

    @Test
    void annotationsOver256KiBAreTooLong() {
        ConfigMap cm = read("metadata: {name: cm, namespace: default}", ConfigMap.class);
        cm.getMetadata().setAnnotations(Map.of("big", "x".repeat(256 * 1024)));
        assertThat(codes(Validation.validateCreate(typeOf(cm), cm))).containsExactly("TOO_LONG metadata.annotations");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("createCases")
    void defaultingNeverAddsErrors(String name, Class<? extends HasMetadata> type, String yaml, List<String> expected) {
        HasMetadata obj = read(yaml, type);
        io.kube4j.api.defaulting.Defaulting.apply(obj);
        List<FieldError> errs = Validation.validateCreate(typeOf(obj), obj);
        // valid objects stay valid; invalid ones keep their errors (a default copied from a bad value,
        // such as requests from limits or targetPort from port, may add one, as in Kubernetes)
        assertThat(codes(errs)).as(errs.toString()).containsAll(expected);
        if (expected.isEmpty()) {
            assertThat(errs).isEmpty();
        }
    }

    @Test
    void helpers() {
        assertThat(Validation.isDns1123Label("web-1")).isTrue();
        assertThat(Validation.isDns1123Label("web.1")).isFalse();
        assertThat(Validation.isDns1123Subdomain("web.example.com")).isTrue();
        assertThat(Validation.isDns1123Subdomain("-web")).isFalse();
        assertThat(Validation.validateLabels(Map.of("app.kubernetes.io/name", "web"), "x")).isEmpty();
        assertThat(Validation.validateQualifiedName("example.com/", "k")).extracting(FieldError::detail)
                .containsExactly("name part must be non-empty",
                        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                                + "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
                                + "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
        assertThat(NameRules.isIp("2001:db8::ffff")).isTrue();
        assertThat(NameRules.isIp("1.2.3.04")).isFalse();
        assertThat(NameRules.isIp("::ffff:10.0.0.1")).isTrue();
        assertThat(NameRules.isIp("1::2::3")).isFalse();
    }
}
