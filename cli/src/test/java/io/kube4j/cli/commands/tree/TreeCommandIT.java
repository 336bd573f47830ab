package io.kube4j.cli.commands.tree;

import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.cli.testsupport.CliHarness;
import io.kube4j.cli.testsupport.Fixtures;
import io.kube4j.cli.testsupport.Golden;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code k4j tree} against a secure apiserver: a Deployment owning two ReplicaSets, one owning two pods (one ready,
 * one not), linked by ownerReferences uids as the controllers link them; plus an unrelated pod that must not show.
 */
class TreeCommandIT {

    private static final String NS = "tree-it";
    private static ApiServerInstance apiserver;
    private static Path kubeconfig;
    private static Fixtures fx;

    @BeforeAll
    static void start() {
        apiserver = ApiServerInstance.secureShared();
        kubeconfig = apiserver.kubeconfig(apiserver.pki().admin());
        fx = new Fixtures(apiserver.client(apiserver.pki().admin()));
        fx.create("/api/v1/namespaces", "{metadata: {name: " + NS + "}}");
        fx.create("/api/v1/namespaces/" + NS + "/serviceaccounts", "{metadata: {name: default}}");
        JsonNode d = fx.create("/apis/apps/v1/namespaces/" + NS + "/deployments", """
                metadata: {name: web}
                spec:
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec: {containers: [{name: c, image: nginx}]}
                """);
        JsonNode rs1 = replicaSet("web-aaa", d);
        replicaSet("web-bbb", d);
        pod("web-aaa-1", "ReplicaSet", "web-aaa", rs1, "True");
        pod("web-aaa-2", "ReplicaSet", "web-aaa", rs1, "False");
        fx.create("/api/v1/namespaces/" + NS + "/pods", """
                metadata: {name: stray, labels: {app: web}}
                spec: {containers: [{name: c, image: nginx}]}
                """);
    }

    private static JsonNode replicaSet(String name, JsonNode owner) {
        return fx.create("/apis/apps/v1/namespaces/" + NS + "/replicasets", """
                metadata:
                  name: %s
                  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: %s, controller: true}]
                spec:
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec: {containers: [{name: c, image: nginx}]}
                """.formatted(name, owner.path("metadata").path("uid").asString()));
    }

    private static void pod(String name, String kind, String ownerName, JsonNode owner, String ready) {
        fx.create("/api/v1/namespaces/" + NS + "/pods", """
                metadata:
                  name: %s
                  ownerReferences: [{apiVersion: apps/v1, kind: %s, name: %s, uid: %s, controller: true}]
                spec: {containers: [{name: c, image: nginx}]}
                """.formatted(name, kind, ownerName, owner.path("metadata").path("uid").asString()));
        fx.patchStatus("/api/v1/namespaces/" + NS + "/pods/" + name, """
                status:
                  phase: Running
                  conditions: [{type: Ready, status: "%s", reason: %s}]
                """.formatted(ready, ready.equals("True") ? "\"\"" : "ContainersNotReady"));
    }

    @Test
    void printsTheOwnershipTreeOfADeployment() {
        String out = CliHarness.shared().run(kubeconfig, "tree", "deploy/web", "-n", NS).ok().out();
        Golden.check("tree/deployment.txt", out);
        assertThat(out).doesNotContain("stray");
        assertThat(Golden.normalize(CliHarness.shared().run(kubeconfig, "tree", "deployment", "web", "-n", NS).ok()
                .out())).isEqualTo(Golden.normalize(out));
    }

    @Test
    void aMissingObjectIsNotFound() {
        CliHarness.Result r = CliHarness.shared().run(kubeconfig, "tree", "deploy/nope", "-n", NS);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("Error from server (NotFound): deployments.apps \"nope\" not found\n");
    }
}
