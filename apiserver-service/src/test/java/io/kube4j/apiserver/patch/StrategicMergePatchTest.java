package io.kube4j.apiserver.patch;

import io.kube4j.api.patch.PatchMetaTable;
import io.kube4j.api.patch.PatchSchema;
import io.kube4j.api.codec.Codecs;
import io.kube4j.apiserver.rest.ApiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Strategic merge patches as kubectl sends them (bodies recorded from kubectl 1.31 with {@code -v=9}) applied to
 * built-in kinds with the generated {@link PatchMetaTable}, the table's entries, and the errors.
 */
class StrategicMergePatchTest {

    private static final String DEPLOYMENT = """
            {"apiVersion":"apps/v1","kind":"Deployment",
             "metadata":{"name":"d","labels":{"app":"d"},"finalizers":["a"],
               "ownerReferences":[{"apiVersion":"v1","kind":"X","name":"o","uid":"u1"}]},
             "spec":{"replicas":2,"selector":{"matchLabels":{"app":"d"}},
               "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}},
               "template":{"metadata":{"labels":{"app":"d"}},"spec":{
                 "containers":[
                   {"name":"web","image":"nginx:1.27","env":[{"name":"SERVER_ONLY","value":"x"},{"name":"A","value":"1"}],
                    "ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":8080,"protocol":"TCP"}],
                    "volumeMounts":[{"name":"data","mountPath":"/data"}]},
                   {"name":"sidecar","image":"busybox:1.36"}],
                 "volumes":[{"name":"data","emptyDir":{}}],
                 "tolerations":[{"key":"k","operator":"Exists"}]}}},
             "status":{"conditions":[{"type":"Available","status":"True"},{"type":"Progressing","status":"True"}]}}""";

    private static JsonNode json(String s) {
        return Codecs.json().readTree(s);
    }

    private static JsonNode patch(String kind, String apiVersion, String original, String patch) {
        return Patches.apply(Patches.STRATEGIC_MERGE_PATCH, json(original), patch.getBytes(StandardCharsets.UTF_8), apiVersion, kind);
    }

    private static JsonNode deployment(String patch) {
        return patch("Deployment", "apps/v1", DEPLOYMENT, patch);
    }

    private static JsonNode containers(JsonNode d) {
        return d.at("/spec/template/spec/containers");
    }

    @Test
    void kubectlApplyOfAChangedManifest() {
        // recorded: the three-way patch of `kubectl apply` after changing the image, adding env B, removing port 8080
        JsonNode d = deployment("""
                {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"web"},{"name":"sidecar"}],
                 "containers":[{"$setElementOrder/env":[{"name":"A"},{"name":"B"}],"$setElementOrder/ports":[{"containerPort":80}],
                   "env":[{"name":"B","value":"2"}],"image":"nginx:1.28","name":"web",
                   "ports":[{"$patch":"delete","containerPort":8080}]}]}}}}""");
        JsonNode web = containers(d).get(0);
        assertThat(web.get("image").asString()).isEqualTo("nginx:1.28");
        assertThat(web.get("env")).isEqualTo(json("""
                [{"name":"SERVER_ONLY","value":"x"},{"name":"A","value":"1"},{"name":"B","value":"2"}]"""));
        assertThat(web.get("ports")).isEqualTo(json("[{\"containerPort\":80,\"protocol\":\"TCP\"}]"));
        assertThat(web.get("volumeMounts")).isEqualTo(json(DEPLOYMENT).at("/spec/template/spec/containers/0/volumeMounts"));
        assertThat(containers(d).get(1)).isEqualTo(json("{\"name\":\"sidecar\",\"image\":\"busybox:1.36\"}"));
        assertThat(d.toString()).doesNotContain("$setElementOrder").doesNotContain("$patch");
    }

    @Test
    void kubectlSetImage() {
        JsonNode d = deployment("""
                {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"web"},{"name":"sidecar"}],
                 "containers":[{"image":"nginx:2","name":"web"}]}}}}""");
        JsonNode expected = json(DEPLOYMENT);
        ((tools.jackson.databind.node.ObjectNode) expected.at("/spec/template/spec/containers/0")).put("image", "nginx:2");
        assertThat(d).isEqualTo(expected);
    }

    @Test
    void kubectlRolloutPauseResumeRestart() {
        assertThat(deployment("{\"spec\":{\"paused\":true}}").at("/spec/paused").asBoolean()).isTrue();
        JsonNode resumed = patch("Deployment", "apps/v1", deployment("{\"spec\":{\"paused\":true}}").toString(),
                "{\"spec\":{\"paused\":null}}");
        assertThat(resumed.at("/spec").has("paused")).isFalse();
        JsonNode restarted = deployment(
                "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/restartedAt\":\"2026-11-27T07:42:57Z\"}}}}}");
        assertThat(restarted.at("/spec/template/metadata/annotations/kubectl.kubernetes.io~1restartedAt").asString())
                .isEqualTo("2026-11-27T07:42:57Z");
        assertThat(restarted.at("/spec/template/metadata/labels/app").asString()).isEqualTo("d");
    }

    @Test
    void listsWithoutMetadataAreReplacedMapsMergeNullDeletes() {
        JsonNode d = deployment("""
                {"metadata":{"labels":{"app":null,"new":"1"}},
                 "spec":{"template":{"spec":{"tolerations":[{"key":"other","operator":"Exists"}]}}}}""");
        assertThat(d.at("/metadata/labels")).isEqualTo(json("{\"new\":\"1\"}"));
        assertThat(d.at("/spec/template/spec/tolerations")).isEqualTo(json("[{\"key\":\"other\",\"operator\":\"Exists\"}]"));
    }

    @Test
    void metadataFinalizersAreASetAndOwnerReferencesMergeByUid() {
        JsonNode d = deployment("""
                {"metadata":{"finalizers":["b","a"],"$deleteFromPrimitiveList/finalizers":["a"],
                 "ownerReferences":[{"uid":"u1","name":"renamed"},{"apiVersion":"v1","kind":"Y","name":"p","uid":"u2"}]}}""");
        assertThat(d.at("/metadata/finalizers")).isEqualTo(json("[\"b\"]"));
        assertThat(d.at("/metadata/ownerReferences")).isEqualTo(json("""
                [{"apiVersion":"v1","kind":"X","name":"renamed","uid":"u1"},{"apiVersion":"v1","kind":"Y","name":"p","uid":"u2"}]"""));
    }

    @Test
    void retainKeysClearsTheOtherFieldsOfTheStrategy() {
        JsonNode d = deployment("{\"spec\":{\"strategy\":{\"$retainKeys\":[\"type\"],\"type\":\"Recreate\"}}}");
        assertThat(d.at("/spec/strategy")).isEqualTo(json("{\"type\":\"Recreate\"}"));
        // a volume switched from emptyDir to hostPath, as kubectl apply sends it
        JsonNode v = deployment("""
                {"spec":{"template":{"spec":{"volumes":[{"$retainKeys":["hostPath","name"],"hostPath":{"path":"/x"},"name":"data"}]}}}}""");
        assertThat(v.at("/spec/template/spec/volumes")).isEqualTo(json("[{\"name\":\"data\",\"hostPath\":{\"path\":\"/x\"}}]"));
    }

    @Test
    void replaceDirectivesOnListsAndMaps() {
        JsonNode d = deployment("""
                {"spec":{"template":{"spec":{"containers":[{"name":"only","image":"i"},{"$patch":"replace"}]}}},
                 "metadata":{"labels":{"$patch":"replace","x":"y"}}}""");
        assertThat(containers(d)).isEqualTo(json("[{\"name\":\"only\",\"image\":\"i\"}]"));
        assertThat(d.at("/metadata/labels")).isEqualTo(json("{\"x\":\"y\"}"));
    }

    @Test
    void statusConditionsOfEveryWorkloadMergeByType() {
        JsonNode d = deployment("{\"status\":{\"conditions\":[{\"type\":\"Progressing\",\"status\":\"False\",\"reason\":\"ProgressDeadlineExceeded\"}]}}");
        assertThat(d.at("/status/conditions")).isEqualTo(json("""
                [{"type":"Available","status":"True"},{"type":"Progressing","status":"False","reason":"ProgressDeadlineExceeded"}]"""));
        JsonNode node = patch("Node", "v1", """
                {"status":{"conditions":[{"type":"Ready","status":"True"},{"type":"MemoryPressure","status":"False"}],
                 "addresses":[{"type":"InternalIP","address":"10.0.0.1"},{"type":"Hostname","address":"n1"}]}}""",
                "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"Unknown\"}],\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"10.0.0.2\"}]}}");
        assertThat(node.at("/status/conditions/0")).isEqualTo(json("{\"type\":\"Ready\",\"status\":\"Unknown\"}"));
        assertThat(node.at("/status/conditions/1/type").asString()).isEqualTo("MemoryPressure");
        assertThat(node.at("/status/addresses")).isEqualTo(json("""
                [{"type":"InternalIP","address":"10.0.0.2"},{"type":"Hostname","address":"n1"}]"""));
    }

    @Test
    void servicePortsMergeByPort() {
        JsonNode svc = patch("Service", "v1", """
                {"spec":{"ports":[{"name":"http","port":80,"targetPort":8080},{"name":"https","port":443}]}}""",
                "{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":9090}]}}");
        assertThat(svc.at("/spec/ports")).isEqualTo(json("""
                [{"name":"http","port":80,"targetPort":9090},{"name":"https","port":443}]"""));
    }

    @Test
    void templatesOfAllWorkloadsHaveTheContainersMergeKey() {
        String patch = "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"b\",\"image\":\"2\"}]}}}}";
        String original = "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"1\"}]}}}}";
        for (String kind : List.of("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet")) {
            assertThat(containers(patch(kind, "apps/v1", original, patch))).as(kind).hasSize(2);
        }
        assertThat(containers(patch("Job", "batch/v1", original, patch))).hasSize(2);
        JsonNode cj = patch("CronJob", "batch/v1", "{\"spec\":{\"jobTemplate\":" + original + "}}", "{\"spec\":{\"jobTemplate\":" + patch + "}}");
        assertThat(cj.at("/spec/jobTemplate/spec/template/spec/containers")).hasSize(2);
        JsonNode pod = patch("Pod", "v1", original.substring("{\"spec\":{\"template\":".length(), original.length() - 2),
                patch.substring("{\"spec\":{\"template\":".length(), patch.length() - 2));
        assertThat(pod.at("/spec/containers")).hasSize(2);
    }

    @ParameterizedTest(name = "{0}/{1}.{2}: {3} {4}")
    @CsvSource({
            // PodSpec (core/v1/types.go)
            "v1, Pod, spec.containers, merge, name",
            "v1, Pod, spec.initContainers, merge, name",
            "v1, Pod, spec.ephemeralContainers, merge, name",
            "v1, Pod, spec.volumes, merge|retainKeys, name",
            "v1, Pod, spec.imagePullSecrets, merge, name",
            "v1, Pod, spec.hostAliases, merge, ip",
            "v1, Pod, spec.topologySpreadConstraints, merge, topologyKey",
            "v1, Pod, spec.tolerations, '', ''",
            "v1, Pod, spec.containers.ports, merge, containerPort",
            "v1, Pod, spec.containers.env, merge, name",
            "v1, Pod, spec.containers.envFrom, '', ''",
            "v1, Pod, spec.containers.volumeMounts, merge, mountPath",
            "v1, Pod, spec.containers.volumeDevices, merge, devicePath",
            "v1, Pod, spec.containers.resizePolicy, '', ''",
            "v1, Pod, status.conditions, merge, type",
            "v1, Pod, metadata.finalizers, merge, ''",
            "v1, Pod, metadata.ownerReferences, merge, uid",
            "v1, Service, spec.ports, merge, port",
            "v1, Node, status.conditions, merge, type",
            "v1, Node, status.addresses, merge, type",
            "apps/v1, Deployment, spec.strategy, retainKeys, ''",
            "apps/v1, Deployment, spec.template.spec.containers, merge, name",
            "apps/v1, Deployment, status.conditions, merge, type",
            "apps/v1, StatefulSet, spec.template.spec.volumes, merge|retainKeys, name",
            "batch/v1, CronJob, spec.jobTemplate.spec.template.spec.containers.env, merge, name",
            "batch/v1, Job, status.conditions, merge, type",
    })
    void tableHoldsKubernetesTags(String apiVersion, String kind, String path, String strategies, String mergeKey) {
        PatchSchema s = PatchMetaTable.builtin().forKind(apiVersion, kind).orElseThrow();
        PatchSchema.Field f = null;
        for (String part : path.split("\\.")) {
            f = s.field(part);
            s = f.schema();
        }
        assertThat(String.join("|", f.strategies())).isEqualTo(strategies == null ? "" : strategies);
        assertThat(f.mergeKey()).isEqualTo(mergeKey == null ? "" : mergeKey);
    }

    @Test
    void everyServedKindButNoCustomOneHasPatchMetadata() {
        for (io.kube4j.api.registry.ResourceType t : io.kube4j.api.registry.ResourceRegistry.builtin().all()) {
            if (!t.verbs().contains("patch")) {
                continue; // the create-only reviews
            }
            assertThat(Patches.supportsStrategicMergePatch(t.apiVersion(), t.kind())).as(t.kind()).isTrue();
        }
        assertThat(Patches.supportsStrategicMergePatch("example.com/v1", "Widget")).isFalse();
        assertThatThrownBy(() -> patch("Widget", "example.com/v1", "{}", "{}"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(415));
    }

    @Test
    void badPatchesAreTheUsersError() {
        assertThat(codeOf("{not json")).isEqualTo(400);
        assertThat(codeOf("[1]")).isEqualTo(400);
        assertThat(codeOf("{\"spec\":{\"$bogus\":1}}")).isEqualTo(400);
        assertThat(codeOf("{\"metadata\":{\"labels\":{\"$patch\":\"merge\"}}}")).isEqualTo(400);
        assertThat(codeOf("{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"$patch\":\"explode\",\"name\":\"web\"}]}}}}")).isEqualTo(400);
        assertThat(codeOf("{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"image\":\"no-name\"}]}}}}")).isEqualTo(422);
        assertThat(codeOf("{\"spec\":{\"strategy\":{\"$retainKeys\":[\"type\"],\"rollingUpdate\":{}}}}")).isEqualTo(400);
        assertThat(codeOf("{\"spec\":{\"template\":{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"sidecar\"}],"
                + "\"containers\":[{\"name\":\"web\",\"image\":\"x\"}]}}}}")).isEqualTo(422);
        assertThat(codeOf("{\"metadata\":{\"finalizers\":[[\"a\"]]}}")).isEqualTo(422);
    }

    private static int codeOf(String patch) {
        try {
            deployment(patch);
        } catch (ApiException e) {
            assertThat(e.getMessage()).isNotBlank();
            return e.code();
        }
        throw new AssertionError("no error for " + patch);
    }
}
