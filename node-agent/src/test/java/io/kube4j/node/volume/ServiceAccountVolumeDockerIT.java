package io.kube4j.node.volume;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.kube4j.client.ApiStatusException;
import io.kube4j.node.agent.NodeAgentHarness;
import io.kube4j.security.pki.CertificateAuthority;
import io.kube4j.security.pki.PemFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A pod with the ServiceAccount volume the admission plugin adds ({@code kube-api-access-*}: token, ca.crt from
 * {@code kube-root-ca.crt}, namespace) on a real Docker node and a real apiserver: the container reads the files, the
 * token passes a TokenReview as the pod's ServiceAccount, and the {@code kubernetes} Service is in its environment.
 */
class ServiceAccountVolumeDockerIT {

    private static final Duration T = Duration.ofSeconds(20);
    private static final String DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
    private static NodeAgentHarness node;
    private static String caPem;

    @BeforeAll
    static void start() {
        node = NodeAgentHarness.docker("satoken");
        caPem = PemFiles.encodeCertificate(CertificateAuthority.create("kube4j-sa-it-ca").certificate());
        String ns = node.namespace();
        // what the serviceaccount and root-ca-cert-publisher controllers would have made (they do not run here)
        node.client().resources(io.fabric8.kubernetes.api.model.ServiceAccount.class).create(
                new ServiceAccountBuilder().withNewMetadata().withNamespace(ns).withName("robot").endMetadata()
                        .build()).block(T);
        node.client().resources(io.fabric8.kubernetes.api.model.ConfigMap.class).create(new ConfigMapBuilder()
                .withNewMetadata().withNamespace(ns).withName("kube-root-ca.crt").endMetadata()
                .addToData("ca.crt", caPem).build()).block(T);
        kubernetesService(); // the apiserver's own Service, which the node agent turns into KUBERNETES_SERVICE_*
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    /** {@code default/kubernetes}, made here when the apiserver does not make it itself. */
    static Service kubernetesService() {
        var services = node.client().resources(Service.class);
        try {
            return services.get("default", "kubernetes").block(T);
        } catch (ApiStatusException.NotFound e) {
            try {
                return services.create(new ServiceBuilder().withNewMetadata().withNamespace("default")
                        .withName("kubernetes").addToLabels("component", "apiserver").endMetadata().withNewSpec()
                        .addNewPort().withName("https").withPort(443).withNewTargetPort(6443).withProtocol("TCP")
                        .endPort().endSpec().build()).block(T);
            } catch (ApiStatusException.AlreadyExists raced) {
                return services.get("default", "kubernetes").block(T);
            }
        }
    }

    private String exec(Pod pod, String... cmd) {
        var r = node.runtime().execSync(node.containerId(pod, "app"), List.of(cmd), Duration.ofSeconds(10));
        assertThat(r.exitCode()).as("exit code of %s", List.of(cmd)).isZero();
        return r.stdoutText();
    }

    @Test
    void thePodReadsAWorkingTokenTheCaAndItsNamespace() {
        Pod pod = node.createPod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: sa-volume}
                spec:
                  serviceAccountName: robot
                  containers:
                  - name: app
                    image: IMAGE
                    command: [sh, -c, 'sleep 3600']
                    volumeMounts:
                    - {name: kube-api-access-x1y2z, mountPath: /var/run/secrets/kubernetes.io/serviceaccount, readOnly: true}
                  volumes:
                  - name: kube-api-access-x1y2z
                    projected:
                      defaultMode: 420
                      sources:
                      - serviceAccountToken: {expirationSeconds: 3607, path: token}
                      - configMap:
                          name: kube-root-ca.crt
                          items: [{key: ca.crt, path: ca.crt}]
                      - downwardAPI:
                          items:
                          - path: namespace
                            fieldRef: {apiVersion: v1, fieldPath: metadata.namespace}
                """.replace("IMAGE", node.busyboxImage()));
        pod = node.awaitPhase(pod, "Running");

        assertThat(exec(pod, "cat", DIR + "/namespace")).isEqualTo(node.namespace());
        assertThat(exec(pod, "cat", DIR + "/ca.crt")).isEqualTo(caPem);
        assertThat(exec(pod, "ls", "-a", DIR).lines().toList()).contains("..data", "token", "ca.crt", "namespace");
        String token = exec(pod, "cat", DIR + "/token");
        assertThat(token).isNotBlank().doesNotContain("\n");

        TokenReview review = node.client().resources(TokenReview.class).create(new TokenReviewBuilder()
                .withNewSpec().withToken(token).endSpec().build()).block(T);
        assertThat(review.getStatus().getAuthenticated()).as("TokenReview %s", review.getStatus()).isTrue();
        assertThat(review.getStatus().getUser().getUsername())
                .isEqualTo("system:serviceaccount:" + node.namespace() + ":robot");
        assertThat(review.getStatus().getUser().getGroups()).contains("system:serviceaccounts",
                "system:serviceaccounts:" + node.namespace(), "system:authenticated");
        assertThat(review.getStatus().getUser().getExtra())
                .containsEntry("authentication.kubernetes.io/pod-name", List.of("sa-volume"))
                .containsEntry("authentication.kubernetes.io/pod-uid", List.of(pod.getMetadata().getUid()));

        Service kubernetes = kubernetesService();
        String env = exec(pod, "env");
        assertThat(env.lines().toList()).contains(
                "KUBERNETES_SERVICE_HOST=" + kubernetes.getSpec().getClusterIP(),
                "KUBERNETES_SERVICE_PORT=443",
                "KUBERNETES_PORT=tcp://" + kubernetes.getSpec().getClusterIP() + ":443");
    }
}
