package io.kube4j.apiserver.registry.warnings;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplate;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.kube4j.api.codec.Codecs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Kubernetes' pod spec warnings (the expectations of its warnings_test.go, restated), for pods and templates. */
class PodSpecWarningsTest {

    private static List<String> pod(String spec, String annotations) {
        Pod p = Codecs.json().readValue("{\"metadata\":{\"name\":\"p\",\"annotations\":" + annotations + "},\"spec\":"
                + spec + "}", Pod.class);
        return PodSpecWarnings.forWrite(p, null);
    }

    private static List<String> pod(String spec) {
        return pod(spec, "{}");
    }

    record Case(String name, String spec, String annotations, List<String> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("clean pod", "{\"containers\":[{\"name\":\"c\",\"image\":\"x\"}]}", "{}", List.of()),
                new Case("deprecated node selector", "{\"nodeSelector\":{\"beta.kubernetes.io/os\":\"linux\","
                        + "\"kubernetes.io/os\":\"linux\"},\"containers\":[]}", "{}",
                        List.of("spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use \"kubernetes.io/os\" instead")),
                new Case("deprecated label in required and preferred node affinity", """
                        {"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
                          {"matchExpressions":[{"key":"a","operator":"Exists"},
                           {"key":"failure-domain.beta.kubernetes.io/zone","operator":"Exists"}]}]},
                         "preferredDuringSchedulingIgnoredDuringExecution":[{"weight":1,"preference":{"matchExpressions":[
                           {"key":"beta.kubernetes.io/arch","operator":"Exists"}]}}]}},"containers":[]}""", "{}",
                        List.of("spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
                                        + ".matchExpressions[1].key: failure-domain.beta.kubernetes.io/zone is deprecated since v1.17; "
                                        + "use \"topology.kubernetes.io/zone\" instead",
                                "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference"
                                        + ".matchExpressions[0].key: beta.kubernetes.io/arch is deprecated since v1.14; "
                                        + "use \"kubernetes.io/arch\" instead")),
                new Case("deprecated spread key", "{\"topologySpreadConstraints\":[{\"maxSkew\":1,\"topologyKey\":"
                        + "\"failure-domain.beta.kubernetes.io/region\",\"whenUnsatisfiable\":\"DoNotSchedule\"}],\"containers\":[]}", "{}",
                        List.of("spec.topologySpreadConstraints[0].topologyKey: failure-domain.beta.kubernetes.io/region is "
                                + "deprecated since v1.17; use \"topology.kubernetes.io/region\" instead")),
                new Case("critical-pod and seccomp annotations", "{\"containers\":[{\"name\":\"c\"}]}",
                        "{\"scheduler.alpha.kubernetes.io/critical-pod\":\"\",\"seccomp.security.alpha.kubernetes.io/pod\":\"x\","
                                + "\"container.seccomp.security.alpha.kubernetes.io/c\":\"x\"}",
                        List.of("metadata.annotations[scheduler.alpha.kubernetes.io/critical-pod]: non-functional in v1.16+; "
                                        + "use the \"priorityClassName\" field instead",
                                "metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]: non-functional in v1.27+; "
                                        + "use the \"seccompProfile\" field instead",
                                "metadata.annotations[container.seccomp.security.alpha.kubernetes.io/c]: non-functional in v1.27+; "
                                        + "use the \"seccompProfile\" field instead")),
                new Case("deprecated volumes", "{\"volumes\":[{\"name\":\"a\",\"gitRepo\":{\"repository\":\"r\"}},"
                        + "{\"name\":\"b\",\"rbd\":{\"monitors\":[\"m\"],\"image\":\"i\"}},{\"name\":\"c\",\"emptyDir\":{}}],\"containers\":[]}", "{}",
                        List.of("spec.volumes[0].gitRepo: deprecated in v1.11",
                                "spec.volumes[1].rbd: deprecated in v1.28, non-functional in v1.31+")),
                new Case("env redefinitions", """
                        {"containers":[{"name":"c","env":[{"name":"A","value":"1"},{"name":"A","value":"2"},
                          {"name":"B","value":"x"},{"name":"B","value":"$(B):y"},{"name":"C","value":"c"},{"name":"C","value":"$(C)"}]}]}""", "{}",
                        List.of("spec.containers[0].env[1]: hides previous definition of \"A\", which may be dropped when using apply",
                                "spec.containers[0].env[5]: hides previous definition of \"C\", which may be dropped when using apply")),
                new Case("ports across containers", """
                        {"initContainers":[{"name":"i","ports":[{"containerPort":80,"protocol":"TCP","name":"web"}]}],
                         "containers":[{"name":"c","ports":[{"containerPort":80,"protocol":"TCP","name":"web"},
                           {"containerPort":81,"protocol":"TCP","hostPort":8081},{"containerPort":81,"protocol":"TCP"},
                           {"containerPort":82,"protocol":"TCP","hostIP":"10.0.0.1"}]}]}""", "{}",
                        List.of("spec.containers[0].ports[0]: duplicate port definition with spec.initContainers[0].ports[0]",
                                "spec.containers[0].ports[2]: overlapping port definition with spec.containers[0].ports[1]",
                                "spec.containers[0].ports[3]: hostIP set without hostPort: {Name: HostPort:0 ContainerPort:82 "
                                        + "Protocol:TCP HostIP:10.0.0.1}",
                                "spec.containers[0].ports[0]: duplicate port name \"web\" with spec.initContainers[0].ports[0], "
                                        + "services and probes that select ports by name will use spec.initContainers[0].ports[0]")),
                new Case("ambiguous host ip", """
                        {"containers":[{"name":"c","ports":[{"containerPort":80,"protocol":"TCP","hostPort":80},
                          {"containerPort":80,"protocol":"TCP","hostPort":80,"hostIP":"10.0.0.1"}]}]}""", "{}",
                        List.of("spec.containers[0].ports[1]: dangerously ambiguous port definition with spec.containers[0].ports[0]")),
                new Case("fractional memory", "{\"containers\":[{\"name\":\"c\",\"resources\":{\"limits\":{\"memory\":\"0.5\","
                        + "\"cpu\":\"0.5\"},\"requests\":{\"memory\":\"1Gi\"}}}]}", "{}",
                        List.of("spec.containers[0].resources.limits[memory]: fractional byte value \"0.5\" is invalid, must be an integer")),
                new Case("negative grace period", "{\"terminationGracePeriodSeconds\":-1,\"containers\":[]}", "{}",
                        List.of("spec.terminationGracePeriodSeconds: must be >= 0; negative values are invalid and will be treated as 1")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void podWarnings(Case c) {
        assertThat(pod(c.spec(), c.annotations())).containsExactlyElementsOf(c.expected());
    }

    private static <T extends HasMetadata> T read(String json, Class<T> type) {
        return Codecs.json().readValue(json, type);
    }

    @Test
    void templatesArePrefixedWithTheirPath() {
        String template = "{\"metadata\":{\"annotations\":{\"container.apparmor.security.beta.kubernetes.io/c\":\"runtime/default\"}},"
                + "\"spec\":{\"nodeSelector\":{\"beta.kubernetes.io/os\":\"linux\"},\"containers\":[{\"name\":\"c\"}]}}";
        Deployment d = read("{\"metadata\":{\"name\":\"d\",\"generation\":1},\"spec\":{\"template\":" + template + "}}",
                Deployment.class);
        assertThat(PodSpecWarnings.forWrite(d, null)).containsExactly(
                "spec.template.spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use \"kubernetes.io/os\" instead",
                "spec.template.metadata.annotations[container.apparmor.security.beta.kubernetes.io/c]: deprecated since "
                        + "v1.30; use the \"appArmorProfile\" field instead");
        CronJob cj = read("{\"metadata\":{\"name\":\"cj\"},\"spec\":{\"jobTemplate\":{\"spec\":{\"template\":" + template + "}}}}",
                CronJob.class);
        assertThat(PodSpecWarnings.forWrite(cj, null).get(0))
                .startsWith("spec.jobTemplate.spec.template.spec.nodeSelector[beta.kubernetes.io/os]: ");
        PodTemplate pt = read("{\"metadata\":{\"name\":\"pt\"},\"template\":" + template + "}", PodTemplate.class);
        assertThat(PodSpecWarnings.forWrite(pt, null).get(0)).startsWith("template.spec.nodeSelector[beta.kubernetes.io/os]: ");
    }

    @Test
    void serviceWarnings() {
        io.fabric8.kubernetes.api.model.Service svc = read("""
                {"metadata":{"name":"s","annotations":{"service.kubernetes.io/topology-aware-hints":"auto"}},
                 "spec":{"type":"ClusterIP","clusterIPs":["10.96.0.10"],"externalIPs":["192.168.001.2"],
                  "externalName":"example.com"}}""", io.fabric8.kubernetes.api.model.Service.class);
        assertThat(PodSpecWarnings.forWrite(svc, svc)).containsExactly(
                "annotation service.kubernetes.io/topology-aware-hints is deprecated, please use "
                        + "service.kubernetes.io/topology-mode instead",
                "spec.externalIPs[0]: IP address was accepted, but will be invalid in a future Kubernetes release: "
                        + "ParseAddr(\"192.168.001.2\"): IPv4 field has octet with leading zero",
                "spec.externalName is ignored when spec.type is not \"ExternalName\"");
    }

    @Test
    void updatesWarnOnlyWhenTheSpecChangesAndPodsOnlyOnCreate() {
        String template = "{\"spec\":{\"nodeSelector\":{\"beta.kubernetes.io/os\":\"linux\"},\"containers\":[]}}";
        Deployment old = read("{\"metadata\":{\"name\":\"d\",\"generation\":1},\"spec\":{\"template\":" + template + "}}",
                Deployment.class);
        Deployment relabelled = read("{\"metadata\":{\"name\":\"d\",\"generation\":1,\"labels\":{\"a\":\"b\"}},"
                + "\"spec\":{\"template\":" + template + "}}", Deployment.class);
        Deployment changed = read("{\"metadata\":{\"name\":\"d\",\"generation\":2},\"spec\":{\"template\":" + template + "}}",
                Deployment.class);
        assertThat(PodSpecWarnings.forWrite(relabelled, old)).isEmpty();
        assertThat(PodSpecWarnings.forWrite(changed, old)).hasSize(1);
        Pod pod = read("{\"metadata\":{\"name\":\"p\"},\"spec\":{\"nodeSelector\":{\"beta.kubernetes.io/os\":\"linux\"}}}", Pod.class);
        assertThat(PodSpecWarnings.forWrite(pod, null)).hasSize(1);
        assertThat(PodSpecWarnings.forWrite(pod, pod)).isEmpty();
    }
}
