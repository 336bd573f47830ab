package io.kube4j.apiserver.openapi;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.patch.PatchMetaTable;
import io.kube4j.api.registry.ResourceRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ModelSchemasTest {

    private static final String REF = "#/components/schemas/";
    private static ResourceRegistry registry;
    private static ModelSchemas models;

    @BeforeAll
    static void generate() {
        registry = ResourceRegistry.builtin();
        models = new ModelSchemas(registry, PatchMetaTable.builtin(), KubernetesDescriptions.builtin());
    }

    private static JsonNode schema(String name) {
        JsonNode s = models.schemas().get(name);
        assertThat(s).as(name).isNotNull();
        return s;
    }

    private static JsonNode property(String type, String field) {
        return schema(type).path("properties").path(field);
    }

    /** A field's reference, bare or wrapped in allOf (when the field has a description or patch extensions). */
    private static String ref(JsonNode field) {
        return field.has("$ref") ? field.get("$ref").asString() : field.path("allOf").path(0).path("$ref").asString();
    }

    @Test
    void descriptionsComeFromKubernetes() {
        assertThat(KubernetesDescriptions.builtin().available()).isTrue();
        assertThat(schema("io.k8s.api.apps.v1.Deployment").path("description").asString())
                .isEqualTo("Deployment enables declarative updates for Pods and ReplicaSets.");
        assertThat(property("io.k8s.api.apps.v1.DeploymentStrategy", "type").path("description").asString())
                .startsWith("Type of deployment. Can be \"Recreate\" or \"RollingUpdate\".");
        // core/v1 and events/v1 both have an Event: the client names them CoreV1Event and EventsV1Event
        assertThat(schema("io.k8s.api.core.v1.Event").path("description").asString())
                .startsWith("Event is a report of an event somewhere in the cluster.");
        assertThat(schema("io.k8s.apimachinery.pkg.util.intstr.IntOrString").path("description").asString())
                .startsWith("IntOrString is a type that can hold an int32 or a string.");
    }

    @Test
    void deploymentKindHasItsGroupVersionKindAndRefsToKubernetesDefinitionNames() {
        JsonNode d = schema("io.k8s.api.apps.v1.Deployment");
        assertThat(d.path("x-kubernetes-group-version-kind").path(0).path("group").asString()).isEqualTo("apps");
        assertThat(d.path("x-kubernetes-group-version-kind").path(0).path("kind").asString()).isEqualTo("Deployment");
        assertThat(ref(d.path("properties").path("metadata")))
                .isEqualTo(REF + "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
        assertThat(ref(d.path("properties").path("spec"))).isEqualTo(REF + "io.k8s.api.apps.v1.DeploymentSpec");
        assertThat(property("io.k8s.api.apps.v1.DeploymentSpec", "replicas").path("type").asString())
                .isEqualTo("integer");
        assertThat(property("io.k8s.api.apps.v1.DeploymentSpec", "replicas").path("format").asString())
                .isEqualTo("int32");
        assertThat(property("io.k8s.api.apps.v1.DeploymentSpec", "paused").path("type").asString())
                .isEqualTo("boolean");
        assertThat(ref(property("io.k8s.api.apps.v1.DeploymentSpec", "template")))
                .isEqualTo(REF + "io.k8s.api.core.v1.PodTemplateSpec");

        JsonNode list = schema(models.listDefinition(registry.byName("deployments").orElseThrow()));
        assertThat(list.path("x-kubernetes-group-version-kind").path(0).path("kind").asString())
                .isEqualTo("DeploymentList");
        assertThat(list.path("properties").path("items").path("items").path("$ref").asString())
                .isEqualTo(REF + "io.k8s.api.apps.v1.Deployment");
        assertThat(list.path("required").toString()).contains("items");
    }

    @Test
    void intOrStringQuantityAndTimestampsHaveKubernetesWireSchemas() {
        assertThat(ref(property("io.k8s.api.apps.v1.RollingUpdateDeployment", "maxSurge")))
                .isEqualTo(REF + "io.k8s.apimachinery.pkg.util.intstr.IntOrString");
        JsonNode ios = schema("io.k8s.apimachinery.pkg.util.intstr.IntOrString");
        assertThat(ios.path("format").asString()).isEqualTo("int-or-string");
        assertThat(ios.path("x-kubernetes-int-or-string").asBoolean()).isTrue();
        assertThat(ios.path("oneOf").findValuesAsString("type")).containsExactly("integer", "string");
        assertThat(ios.has("properties")).isFalse();

        JsonNode limits = property("io.k8s.api.core.v1.ResourceRequirements", "limits");
        assertThat(limits.path("type").asString()).isEqualTo("object");
        assertThat(limits.path("additionalProperties").path("$ref").asString())
                .isEqualTo(REF + "io.k8s.apimachinery.pkg.api.resource.Quantity");
        assertThat(schema("io.k8s.apimachinery.pkg.api.resource.Quantity").path("format").asString())
                .isEqualTo("quantity");

        assertThat(ref(property("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "creationTimestamp")))
                .isEqualTo(REF + "io.k8s.apimachinery.pkg.apis.meta.v1.Time");
        assertThat(schema("io.k8s.apimachinery.pkg.apis.meta.v1.Time").path("format").asString())
                .isEqualTo("date-time");
        assertThat(ref(property("io.k8s.api.core.v1.Event", "eventTime")))
                .isEqualTo(REF + "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime");
        JsonNode labels = property("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "labels");
        assertThat(labels.path("additionalProperties").path("type").asString()).isEqualTo("string");
    }

    @Test
    void podSpecListsCarryPatchAndListExtensionsAndRequiredFields() {
        JsonNode containers = property("io.k8s.api.core.v1.PodSpec", "containers");
        assertThat(containers.path("type").asString()).isEqualTo("array");
        assertThat(containers.path("items").path("$ref").asString()).isEqualTo(REF + "io.k8s.api.core.v1.Container");
        assertThat(containers.path("x-kubernetes-patch-strategy").asString()).isEqualTo("merge");
        assertThat(containers.path("x-kubernetes-patch-merge-key").asString()).isEqualTo("name");
        assertThat(containers.path("x-kubernetes-list-type").asString()).isEqualTo("map");
        assertThat(containers.path("x-kubernetes-list-map-keys").get(0).asString()).isEqualTo("name");
        assertThat(property("io.k8s.api.core.v1.PodSpec", "volumes").path("x-kubernetes-patch-strategy").asString())
                .isEqualTo("merge,retainKeys");
        assertThat(property("io.k8s.api.apps.v1.DeploymentSpec", "strategy").path("x-kubernetes-patch-strategy")
                .asString()).isEqualTo("retainKeys");
        assertThat(property("io.k8s.api.core.v1.Container", "env").path("x-kubernetes-patch-merge-key").asString())
                .isEqualTo("name");
        assertThat(schema("io.k8s.api.core.v1.Container").path("required").get(0).asString()).isEqualTo("name");
        assertThat(schema("io.k8s.api.core.v1.ContainerPort").path("required").toString()).contains("containerPort");
    }

    @Test
    void serviceSchema() {
        JsonNode svc = schema("io.k8s.api.core.v1.Service");
        assertThat(svc.path("description").asString()).startsWith("Service is a named abstraction of software service");
        JsonNode ports = property("io.k8s.api.core.v1.ServiceSpec", "ports");
        assertThat(ports.path("x-kubernetes-patch-merge-key").asString()).isEqualTo("port");
        assertThat(ref(property("io.k8s.api.core.v1.ServicePort", "targetPort")))
                .isEqualTo(REF + "io.k8s.apimachinery.pkg.util.intstr.IntOrString");
        assertThat(property("io.k8s.api.core.v1.ServiceSpec", "type").path("type").asString()).isEqualTo("string");
        assertThat(property("io.k8s.api.core.v1.ServiceSpec", "clusterIPs").path("items").path("type").asString())
                .isEqualTo("string");
    }

    @Test
    void definitionNamesFollowKubernetesPackages() {
        assertThat(models.nameOf(ObjectMeta.class)).isEqualTo("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
        assertThat(models.nameOf(Role.class)).isEqualTo("io.k8s.api.rbac.v1.Role");
        assertThat(models.definition(registry.byName("poddisruptionbudgets").orElseThrow()))
                .isEqualTo("io.k8s.api.policy.v1.PodDisruptionBudget");
        assertThat(models.definition(registry.byName("horizontalpodautoscalers").orElseThrow()))
                .isEqualTo("io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler");
    }

    @Test
    void everyReferenceResolvesAndAClosureHoldsOnlyWhatItReaches() {
        Set<String> all = models.closure(models.schemas().keySet());
        for (JsonNode s : models.schemas().values()) {
            for (String r : s.findValuesAsString("$ref")) {
                assertThat(models.schemas()).containsKey(r.substring(REF.length()));
            }
        }
        assertThat(all).hasSameSizeAs(models.schemas().keySet());
        Set<String> deployment = models.closure(List.of("io.k8s.api.apps.v1.Deployment"));
        assertThat(deployment).contains("io.k8s.api.core.v1.PodSpec", "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")
                .doesNotContain("io.k8s.api.core.v1.Service", "io.k8s.api.apps.v1.StatefulSet");
    }

    @Test
    void v2FormUsesDefinitionsAndNoV3Wrappers() {
        JsonNode v2 = ModelSchemas.toV2(schema("io.k8s.api.apps.v1.RollingUpdateDeployment"));
        assertThat(v2.path("properties").path("maxSurge").path("$ref").asString())
                .isEqualTo("#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString");
        assertThat(v2.path("properties").path("maxSurge").has("allOf")).isFalse();
        JsonNode ios = ModelSchemas.toV2(schema("io.k8s.apimachinery.pkg.util.intstr.IntOrString"));
        assertThat(ios.path("type").asString()).isEqualTo("string");
        assertThat(ios.has("oneOf")).isFalse();
        assertThat(Codecs.json().writeValueAsString(ModelSchemas.toV2(schema("io.k8s.api.core.v1.PodSpec"))))
                .doesNotContain("#/components/");
    }

    @Test
    void withoutDescriptionsTheSchemasStillGenerate() {
        ModelSchemas bare = new ModelSchemas(registry, PatchMetaTable.builtin(),
                new KubernetesDescriptions(Codecs.json().createObjectNode()));
        assertThat(bare.schemas().get("io.k8s.api.apps.v1.Deployment").has("description")).isFalse();
        assertThat(bare.schemas().get("io.k8s.api.apps.v1.Deployment").path("properties").has("spec")).isTrue();
    }
}
