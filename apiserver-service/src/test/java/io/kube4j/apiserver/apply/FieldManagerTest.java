package io.kube4j.apiserver.apply;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.rest.ApiException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Server-side apply and Update tracking, with cases from https://kubernetes.io/docs/reference/using-api/server-side-apply/. */
class FieldManagerTest {

    private static final ResourceType DEPLOYMENTS = ResourceRegistry.builtin().byPath("apps", "v1", "deployments").orElseThrow();
    private static final ResourceType CONFIGMAPS = ResourceRegistry.builtin().byPath("", "v1", "configmaps").orElseThrow();
    private static final ResourceType SERVICES = ResourceRegistry.builtin().byPath("", "v1", "services").orElseThrow();

    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: nginx-deployment, labels: {app: nginx}}
            spec:
              replicas: 3
              selector: {matchLabels: {app: nginx}}
              template:
                metadata: {labels: {app: nginx}}
                spec:
                  containers:
                  - name: nginx
                    image: nginx:1.14.2
            """;

    /** Applies {@code yaml} for {@code manager} to {@code live} (null: create), as the store does. */
    private static <T extends HasMetadata> T apply(ResourceType t, T live, String yaml, String manager, boolean force) {
        FieldManager.Applied a = FieldManager.apply(t, live, Codecs.readYamlDocuments(yaml).get(0), manager, force, false);
        @SuppressWarnings("unchecked")
        T next = (T) Codecs.json().treeToValue(a.object(), t.type());
        next.getMetadata().setManagedFields(a.managedFields());
        return next;
    }

    private static <T extends HasMetadata> T update(ResourceType t, T live, T next, String manager) {
        FieldManager.update(t, live, next, manager, "");
        return next;
    }

    private static <T extends HasMetadata> T copy(T o) {
        @SuppressWarnings("unchecked")
        T c = (T) Codecs.json().convertValue(o, o.getClass());
        return c;
    }

    private static ManagedFieldsEntry entry(HasMetadata o, String manager) {
        return o.getMetadata().getManagedFields().stream().filter(e -> e.getManager().equals(manager)).findFirst()
                .orElse(null);
    }

    private static FieldSet fields(HasMetadata o, String manager) {
        return FieldSet.fromFieldsV1(Codecs.json().valueToTree(entry(o, manager).getFieldsV1()));
    }

    @Test
    void applyCreatesAndOwnsExactlyTheAppliedFields() {
        Deployment d = apply(DEPLOYMENTS, null, DEPLOYMENT, "kubectl", false);
        ManagedFieldsEntry e = entry(d, "kubectl");
        assertThat(e.getOperation()).isEqualTo("Apply");
        assertThat(e.getApiVersion()).isEqualTo("apps/v1");
        assertThat(e.getFieldsType()).isEqualTo("FieldsV1");
        assertThat(e.getTime()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        FieldSet f = fields(d, "kubectl");
        assertThat(f.contains("f:spec", "f:replicas")).isTrue();
        assertThat(f.contains("f:spec", "f:template", "f:spec", "f:containers", "k:{\"name\":\"nginx\"}", "f:image")).isTrue();
        assertThat(f.contains("f:metadata", "f:name")).isFalse();
        assertThat(d.getSpec().getReplicas()).isEqualTo(3);
    }

    @Test
    void replicasTransferFromTheDocs() {
        Deployment d = apply(DEPLOYMENTS, null, DEPLOYMENT, "kubectl", false);
        // an autoscaler (an Update manager) changes replicas: it takes the field over without conflict
        Deployment scaled = copy(d);
        scaled.getSpec().setReplicas(5);
        scaled = update(DEPLOYMENTS, d, scaled, "hpa");
        assertThat(fields(scaled, "hpa").paths()).containsExactly(List.of("f:spec", "f:replicas"));
        assertThat(fields(scaled, "kubectl").contains("f:spec", "f:replicas")).isFalse();

        // the user applies replicas again with another value: a conflict naming the updater and the field
        Deployment live = scaled;
        assertThatThrownBy(() -> apply(DEPLOYMENTS, live, DEPLOYMENT, "kubectl", false))
                .isInstanceOfSatisfying(ApiException.class, ex -> {
                    assertThat(ex.code()).isEqualTo(409);
                    assertThat(ex.reason()).isEqualTo("Conflict");
                    assertThat(ex.getMessage()).isEqualTo(
                            "Apply failed with 1 conflict: conflict with \"hpa\" using apps/v1: .spec.replicas");
                    assertThat(ex.toStatus().getDetails().getCauses()).singleElement().satisfies(c -> {
                        assertThat(c.getReason()).isEqualTo("FieldManagerConflict");
                        assertThat(c.getMessage()).isEqualTo("conflict with \"hpa\" using apps/v1");
                        assertThat(c.getField()).isEqualTo(".spec.replicas");
                    });
                });

        // applying the live value shares ownership; dropping replicas from the config hands it to the updater
        Deployment shared = apply(DEPLOYMENTS, live, DEPLOYMENT.replace("replicas: 3", "replicas: 5"), "kubectl", false);
        assertThat(fields(shared, "kubectl").contains("f:spec", "f:replicas")).isTrue();
        assertThat(fields(shared, "hpa").contains("f:spec", "f:replicas")).isTrue();
        Deployment handedOver = apply(DEPLOYMENTS, shared, DEPLOYMENT.replace("  replicas: 3\n", ""), "kubectl", false);
        assertThat(handedOver.getSpec().getReplicas()).isEqualTo(5);
        assertThat(fields(handedOver, "kubectl").contains("f:spec", "f:replicas")).isFalse();

        // force takes the field over
        Deployment forced = apply(DEPLOYMENTS, live, DEPLOYMENT, "kubectl", true);
        assertThat(forced.getSpec().getReplicas()).isEqualTo(3);
        assertThat(entry(forced, "hpa")).isNull();
        assertThat(fields(forced, "kubectl").contains("f:spec", "f:replicas")).isTrue();
    }

    @Test
    void conflictsWithSeveralManagersAreListedByManager() {
        Deployment d = apply(DEPLOYMENTS, null, DEPLOYMENT, "a", false);
        String other = DEPLOYMENT.replace("replicas: 3", "replicas: 4").replace("nginx:1.14.2", "nginx:1.16");
        assertThatThrownBy(() -> apply(DEPLOYMENTS, d, other, "b", false))
                .isInstanceOfSatisfying(ApiException.class, ex -> assertThat(ex.getMessage()).isEqualTo(
                        "Apply failed with 2 conflicts: conflicts with \"a\":\n- .spec.replicas\n"
                                + "- .spec.template.spec.containers[name=\"nginx\"].image"));
    }

    @Test
    void containersAreAListMapWhoseItemsBelongToTheirAppliers() {
        Deployment d = apply(DEPLOYMENTS, null, DEPLOYMENT, "a", false);
        String sidecar = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: nginx-deployment}
                spec:
                  template:
                    spec:
                      containers:
                      - name: sidecar
                        image: busybox
                """;
        Deployment both = apply(DEPLOYMENTS, d, sidecar, "b", false);
        assertThat(both.getSpec().getTemplate().getSpec().getContainers()).extracting("name")
                .containsExactly("nginx", "sidecar");
        // b applies an empty template: only its own container goes
        Deployment gone = apply(DEPLOYMENTS, both, """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: nginx-deployment}
                """, "b", false);
        assertThat(gone.getSpec().getTemplate().getSpec().getContainers()).extracting("name").containsExactly("nginx");
        assertThat(entry(gone, "b")).isNull();
    }

    @Test
    void fieldsAnApplierDropsAreRemovedUnlessSomeoneElseOwnsThem() {
        String withEnv = DEPLOYMENT.replace("image: nginx:1.14.2", "image: nginx:1.14.2\n        env: [{name: A, value: '1'}, {name: B, value: '2'}]");
        Deployment d = apply(DEPLOYMENTS, null, withEnv, "a", false);
        // another manager updates B's value: it now owns that field
        Deployment edited = copy(d);
        edited.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().get(1).setValue("3");
        edited = update(DEPLOYMENTS, d, edited, "editor");
        Deployment after = apply(DEPLOYMENTS, edited, DEPLOYMENT, "a", false);
        var env = after.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
        assertThat(env).extracting("name").containsExactly("B");
        assertThat(env.get(0).getValue()).isEqualTo("3");
    }

    @Test
    void configMapDataKeysAreOwnedOneByOne() {
        String cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '1', b: '2'}\n";
        ConfigMap c = apply(CONFIGMAPS, null, cm, "x", false);
        ConfigMap y = apply(CONFIGMAPS, c, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {c: '3'}\n", "y", false);
        assertThat(y.getData()).containsOnlyKeys("a", "b", "c");
        ConfigMap x = apply(CONFIGMAPS, y, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '1'}\n", "x", false);
        assertThat(x.getData()).containsOnlyKeys("a", "c");
        assertThatThrownBy(() -> apply(CONFIGMAPS, x, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {c: '4'}\n", "x", false))
                .hasMessage("Apply failed with 1 conflict: conflict with \"y\": .data.c");
    }

    @Test
    void servicePortsAreKeyedByPortAndProtocol() {
        String svc = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80, name: http}]}\n";
        Service s = apply(SERVICES, null, svc, "x", false);
        assertThat(fields(s, "x").contains("f:spec", "f:ports", "k:{\"port\":80,\"protocol\":\"TCP\"}", "f:name")).isTrue();
        Service udp = apply(SERVICES, s, "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80, protocol: UDP, name: dns}]}\n", "y", false);
        assertThat(udp.getSpec().getPorts()).hasSize(2);
    }

    @Test
    void anApplyNeverOwnsTheStatusOfAResourceWithAStatusSubresource() {
        Deployment d = apply(DEPLOYMENTS, null, DEPLOYMENT + "status: {replicas: 9}\n", "kubectl", false);
        assertThat(fields(d, "kubectl").get("f:status")).isNull();
    }

    @Test
    void updatesMergeIntoTheManagersEntryAndNoOpsChangeNothing() {
        Deployment created = Codecs.json().treeToValue(Codecs.readYamlDocuments(DEPLOYMENT).get(0), Deployment.class);
        FieldManager.update(DEPLOYMENTS, null, created, "kubectl-create", "");
        ManagedFieldsEntry e = entry(created, "kubectl-create");
        assertThat(e.getOperation()).isEqualTo("Update");
        assertThat(fields(created, "kubectl-create").contains("f:spec", "f:replicas")).isTrue();
        assertThat(fields(created, "kubectl-create").contains("f:metadata", "f:labels")).isTrue();

        Deployment same = copy(created);
        same.getMetadata().setManagedFields(null);
        FieldManager.update(DEPLOYMENTS, created, same, "other", "");
        assertThat(same.getMetadata().getManagedFields()).isEqualTo(created.getMetadata().getManagedFields());

        Deployment labelled = copy(created);
        labelled.getMetadata().getLabels().put("tier", "web");
        FieldManager.update(DEPLOYMENTS, created, labelled, "kubectl-label", "");
        assertThat(fields(labelled, "kubectl-label").paths()).containsExactly(List.of("f:metadata", "f:labels", "f:tier"));
        assertThat(fields(labelled, "kubectl-create").contains("f:spec", "f:replicas")).isTrue();

        Deployment scaled = copy(labelled);
        scaled.getSpec().setReplicas(7);
        FieldManager.update(DEPLOYMENTS, labelled, scaled, "scaler", "");
        assertThat(fields(scaled, "kubectl-create").contains("f:spec", "f:replicas")).isFalse();
        assertThat(fields(scaled, "kubectl-create").contains("f:metadata", "f:labels", "f:app")).isTrue();
    }

    @Test
    void sentManagedFieldsReplaceTheLiveOnesAndBadOnesAre422() {
        Deployment created = Codecs.json().treeToValue(Codecs.readYamlDocuments(DEPLOYMENT).get(0), Deployment.class);
        FieldManager.update(DEPLOYMENTS, null, created, "kubectl-create", "");
        Deployment reset = copy(created);
        reset.getMetadata().setManagedFields(List.of(new ManagedFieldsEntry()));
        FieldManager.update(DEPLOYMENTS, created, reset, "x", "");
        assertThat(reset.getMetadata().getManagedFields()).isNull();

        Deployment bad = copy(created);
        bad.getMetadata().getManagedFields().get(0).setOperation("Patch");
        assertThatThrownBy(() -> FieldManager.update(DEPLOYMENTS, created, bad, "x", ""))
                .isInstanceOfSatisfying(ApiException.class, ex -> assertThat(ex.code()).isEqualTo(422))
                .hasMessageContaining("metadata.managedFields[0].operation: Unsupported value: \"Patch\"");
    }

    @Test
    void theFirstApplyOverAnUntrackedObjectConflictsWithItsFields() {
        Deployment untracked = Codecs.json().treeToValue(Codecs.readYamlDocuments(DEPLOYMENT).get(0), Deployment.class);
        assertThatThrownBy(() -> apply(DEPLOYMENTS, untracked, DEPLOYMENT.replace("replicas: 3", "replicas: 1"), "k", false))
                .hasMessage("Apply failed with 1 conflict: conflict with \"before-first-apply\" using apps/v1: .spec.replicas");
    }
}
