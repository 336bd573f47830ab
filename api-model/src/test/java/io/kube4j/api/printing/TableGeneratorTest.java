package io.kube4j.api.printing;

import io.kube4j.api.codec.Codecs;
import io.kube4j.api.printing.TableGenerator.IncludeObject;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The Tables served for {@code as=Table}: column definitions, typed cells, rows' objects. */
class TableGeneratorTest {

    private static final Instant NOW = Instant.parse("2026-01-10T00:00:00Z");

    private static JsonNode json(String s) {
        return Codecs.json().readTree(s);
    }

    private static List<String> names(ObjectNode table) {
        List<String> out = new ArrayList<>();
        table.path("columnDefinitions").forEach(c -> out.add(c.path("name").asString()));
        return out;
    }

    @Test
    void podTableHasKubernetesColumnsAndPriorities() {
        JsonNode pod = json("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default","labels":{"a":"b"},
                 "creationTimestamp":"2026-01-09T23:58:00Z"},
                 "spec":{"containers":[{"name":"c"}],"nodeName":"n1"},
                 "status":{"phase":"Running","podIP":"10.0.0.5","containerStatuses":[{"name":"c","ready":false,
                 "restartCount":4,"lastState":{"terminated":{"finishedAt":"2025-12-31T00:00:00Z"}},
                 "state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}}""");
        ObjectNode t = TableGenerator.table("", "Pod", List.of(pod), "v1", IncludeObject.METADATA, true, NOW);

        assertThat(t.path("kind").asString()).isEqualTo("Table");
        assertThat(t.path("apiVersion").asString()).isEqualTo("meta.k8s.io/v1");
        assertThat(names(t)).containsExactly("Name", "Ready", "Status", "Restarts", "Age", "IP", "Node",
                "Nominated Node", "Readiness Gates");
        JsonNode name = t.path("columnDefinitions").get(0);
        assertThat(name.path("format").asString()).isEqualTo("name");
        assertThat(name.path("description").asString()).startsWith("Name must be unique");
        assertThat(t.path("columnDefinitions").get(5).path("priority").asInt()).isEqualTo(1);
        assertThat(t.path("columnDefinitions").get(4).path("priority").asInt()).isZero();
        JsonNode row = t.path("rows").get(0);
        assertThat(row.path("cells").toString())
                .isEqualTo("[\"web\",\"0/1\",\"CrashLoopBackOff\",\"4 (10d ago)\",\"2m\",\"10.0.0.5\",\"n1\","
                        + "\"<none>\",\"<none>\"]");
        assertThat(row.path("object").path("kind").asString()).isEqualTo("PartialObjectMetadata");
        assertThat(row.path("object").path("apiVersion").asString()).isEqualTo("meta.k8s.io/v1");
        assertThat(row.path("object").path("metadata").path("labels").path("a").asString()).isEqualTo("b");
        assertThat(row.path("object").has("spec")).isFalse();
        assertThat(row.has("conditions")).isFalse();
    }

    @Test
    void integerAndBooleanColumnsCarryJsonNumbersAndBooleans() {
        JsonNode deploy = json("""
                {"metadata":{"name":"d","creationTimestamp":"2026-01-09T00:00:00Z"},"spec":{"replicas":3},
                 "status":{"readyReplicas":2,"updatedReplicas":3,"availableReplicas":2}}""");
        ObjectNode t = TableGenerator.table("apps", "Deployment", List.of(deploy), "v1", IncludeObject.NONE, true, NOW);
        assertThat(t.path("columnDefinitions").get(2).path("type").asString()).isEqualTo("integer");
        assertThat(t.path("rows").get(0).path("cells").toString())
                .isEqualTo("[\"d\",\"2/3\",3,2,\"24h\",\"\",\"\",\"<none>\"]");
        assertThat(t.path("rows").get(0).has("object")).isFalse();

        JsonNode pc = json("""
                {"metadata":{"name":"high","creationTimestamp":"2026-01-09T00:00:00Z"},"value":1000}""");
        ObjectNode p = TableGenerator.table("scheduling.k8s.io", "PriorityClass", List.of(pc), "v1",
                IncludeObject.NONE, true, NOW);
        assertThat(p.path("rows").get(0).path("cells").toString())
                .isEqualTo("[\"high\",1000,false,\"24h\",\"PreemptLowerPriority\"]");
    }

    @Test
    void kindsWithoutPrinterGetNameAndCreatedAt() {
        JsonNode o = json("{\"metadata\":{\"name\":\"x\",\"creationTimestamp\":\"2026-01-09T00:00:00Z\"}}");
        ObjectNode t = TableGenerator.table("example.io", "Widget", List.of(o), "v1beta1", IncludeObject.OBJECT,
                true, NOW);
        assertThat(names(t)).containsExactly("Name", "Created At");
        assertThat(t.path("columnDefinitions").get(1).path("type").asString()).isEqualTo("date");
        assertThat(t.path("apiVersion").asString()).isEqualTo("meta.k8s.io/v1beta1");
        assertThat(t.path("rows").get(0).path("cells").toString()).isEqualTo("[\"x\",\"2026-01-09T00:00:00Z\"]");
        assertThat(t.path("rows").get(0).path("object")).isEqualTo(o);
    }

    @Test
    void watchEventsAfterTheFirstLeaveColumnsOut() {
        JsonNode o = json("{\"metadata\":{\"name\":\"cm\"},\"data\":{\"a\":\"1\",\"b\":\"2\"}}");
        ObjectNode t = TableGenerator.table("", "ConfigMap", List.of(o), "v1", IncludeObject.METADATA, false, NOW);
        assertThat(t.path("columnDefinitions").isEmpty()).isTrue();
        assertThat(t.path("rows").get(0).path("cells").toString()).isEqualTo("[\"cm\",2,\"<unknown>\"]");
    }

    @Test
    void finishedPodsCarryTheCompletedCondition() {
        JsonNode pod = json("{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"c\"}]},"
                + "\"status\":{\"phase\":\"Succeeded\"}}");
        ObjectNode t = TableGenerator.table("", "Pod", List.of(pod), "v1", IncludeObject.NONE, true, NOW);
        JsonNode c = t.path("rows").get(0).path("conditions").get(0);
        assertThat(c.path("type").asString()).isEqualTo("Completed");
        assertThat(c.path("reason").asString()).isEqualTo("Succeeded");
    }

    @Test
    void includeObjectParsesKubernetesValues() {
        assertThat(IncludeObject.parse(null)).isEqualTo(IncludeObject.METADATA);
        assertThat(IncludeObject.parse("None")).isEqualTo(IncludeObject.NONE);
        assertThat(IncludeObject.parse("Object")).isEqualTo(IncludeObject.OBJECT);
        assertThat(IncludeObject.parse("object")).isNull();
    }

    private static List<String> row(String group, String kind, String json) {
        return TablePrinters.of(group, kind).cells(json(json), NOW, true);
    }

    @Test
    void registeredKindsBeyondTheCliPrintersHaveKubernetesColumns() {
        assertThat(TablePrinters.of("", "ResourceQuota").headers(true)).containsExactly("NAME", "AGE", "REQUEST", "LIMIT");
        assertThat(row("", "ResourceQuota", """
                {"metadata":{"name":"q"},"status":{"hard":{"pods":"10","limits.cpu":"2","requests.cpu":"1"},
                 "used":{"pods":"3","requests.cpu":"500m"}}}""").subList(2, 4))
                .containsExactly("pods: 3/10, requests.cpu: 500m/1", "limits.cpu: 0/2");

        assertThat(TablePrinters.of("discovery.k8s.io", "EndpointSlice").headers(false))
                .containsExactly("NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE");
        assertThat(row("discovery.k8s.io", "EndpointSlice", """
                {"metadata":{"name":"s"},"addressType":"IPv4","ports":[{"port":80},{"name":"x"}],
                 "endpoints":[{"addresses":["10.0.0.1"]},{"addresses":["10.0.0.2"]},{"addresses":["10.0.0.3"]},
                 {"addresses":["10.0.0.4"]}]}""").subList(1, 4))
                .containsExactly("IPv4", "80,x", "10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...");
        assertThat(row("discovery.k8s.io", "EndpointSlice", "{\"metadata\":{\"name\":\"e\"}}").get(2))
                .isEqualTo("<unset>");

        assertThat(row("admissionregistration.k8s.io", "ValidatingWebhookConfiguration",
                "{\"metadata\":{\"name\":\"w\"},\"webhooks\":[{},{}]}").get(1)).isEqualTo("2");

        assertThat(TablePrinters.of("autoscaling", "HorizontalPodAutoscaler").headers(false))
                .containsExactly("NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE");
        assertThat(row("autoscaling", "HorizontalPodAutoscaler", """
                {"metadata":{"name":"h"},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"web"},"maxReplicas":5,
                 "metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization",
                 "averageUtilization":80}}}]},"status":{"currentReplicas":2}}""").subList(1, 6))
                .containsExactly("Deployment/web", "cpu: <unknown>/80%", "<unset>", "5", "2");
    }

    @Test
    void cronJobsPrintSuspendAsKubernetesPrintBoolPtr() {
        String cron = """
                {"metadata":{"name":"c"},"spec":{"schedule":"*/5 * * * *",%s"jobTemplate":{"spec":{"template":{"spec":
                 {"containers":[{"name":"c","image":"busybox"}]}}}}},"status":{"active":[{"name":"c-1"}]}}""";
        assertThat(row("batch", "CronJob", cron.formatted("\"suspend\":false,")).subList(1, 6))
                .containsExactly("*/5 * * * *", "<none>", "False", "1", "<none>");
        assertThat(row("batch", "CronJob", cron.formatted("\"suspend\":true,")).get(3)).isEqualTo("True");
        assertThat(row("batch", "CronJob", cron.formatted("")).get(3)).isEqualTo("<unset>");
    }

    @Test
    void storageTablesAreKubectls() {
        JsonNode pv = json("""
                {"apiVersion":"v1","kind":"PersistentVolume","metadata":{"name":"pv1","creationTimestamp":"2026-01-09T23:58:00Z"},
                 "spec":{"capacity":{"storage":"1Gi"},"accessModes":["ReadWriteMany","ReadWriteOnce"],
                 "persistentVolumeReclaimPolicy":"Retain","storageClassName":"slow","volumeMode":"Filesystem",
                 "claimRef":{"namespace":"default","name":"data"}},"status":{"phase":"Bound"}}""");
        ObjectNode t = TableGenerator.table("", "PersistentVolume", List.of(pv), "v1", IncludeObject.METADATA, true, NOW);
        assertThat(names(t)).containsExactly("Name", "Capacity", "Access Modes", "Reclaim Policy", "Status", "Claim",
                "StorageClass", "VolumeAttributesClass", "Reason", "Age", "VolumeMode");
        assertThat(t.path("rows").get(0).path("cells").toString()).isEqualTo(
                "[\"pv1\",\"1Gi\",\"RWO,RWX\",\"Retain\",\"Bound\",\"default/data\",\"slow\",\"<unset>\",\"\",\"2m\",\"Filesystem\"]");

        JsonNode pending = json("""
                {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"c","namespace":"default",
                 "creationTimestamp":"2026-01-09T23:58:00Z","deletionTimestamp":"2026-01-09T23:59:00Z"},
                 "spec":{"accessModes":["ReadWriteOnce"],"storageClassName":"local-path"},"status":{"phase":"Pending"}}""");
        ObjectNode c = TableGenerator.table("", "PersistentVolumeClaim", List.of(pending), "v1", IncludeObject.METADATA, true, NOW);
        assertThat(names(c)).containsExactly("Name", "Status", "Volume", "Capacity", "Access Modes", "StorageClass",
                "VolumeAttributesClass", "Age", "VolumeMode");
        assertThat(c.path("rows").get(0).path("cells").toString()).isEqualTo(
                "[\"c\",\"Terminating\",\"\",\"\",\"\",\"local-path\",\"<unset>\",\"2m\",\"<unset>\"]");

        JsonNode sc = json("""
                {"apiVersion":"storage.k8s.io/v1","kind":"StorageClass","metadata":{"name":"local-path",
                 "annotations":{"storageclass.kubernetes.io/is-default-class":"true"},"creationTimestamp":"2026-01-09T23:58:00Z"},
                 "provisioner":"kube4j.io/local-path","reclaimPolicy":"Delete","volumeBindingMode":"WaitForFirstConsumer"}""");
        ObjectNode s = TableGenerator.table("storage.k8s.io", "StorageClass", List.of(sc), "v1", IncludeObject.METADATA, true, NOW);
        assertThat(names(s)).containsExactly("Name", "Provisioner", "ReclaimPolicy", "VolumeBindingMode",
                "AllowVolumeExpansion", "Age");
        assertThat(s.path("rows").get(0).path("cells").toString()).isEqualTo(
                "[\"local-path (default)\",\"kube4j.io/local-path\",\"Delete\",\"WaitForFirstConsumer\",\"false\",\"2m\"]");
    }

    @Test
    void controllerRevisionsNameTheirControllerAsKindDotGroup() {
        assertThat(TablePrinters.of("apps", "ControllerRevision").headers(false))
                .containsExactly("NAME", "CONTROLLER", "REVISION", "AGE");
        assertThat(row("apps", "ControllerRevision", """
                {"metadata":{"name":"web-7d4b9c","ownerReferences":[{"apiVersion":"v1","kind":"Pod","name":"x"},
                 {"apiVersion":"apps/v1","kind":"StatefulSet","name":"web","controller":true}]},"revision":3}""")
                .subList(0, 3)).containsExactly("web-7d4b9c", "statefulset.apps/web", "3");
        assertThat(row("apps", "ControllerRevision", "{\"metadata\":{\"name\":\"orphan\"},\"revision\":1}")
                .get(1)).isEqualTo("<none>");
    }
}
