package io.kube4j.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.KubectlRunner.Result;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.KubeClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Cluster DNS from inside a real pod (busybox on Docker), through the real kubectl, on a cluster that runs kube4j's DNS
 * (addons/dns) behind the Service {@code kube-system/kube-dns}: {@code ./kube4j up} (the {@code dns} role), pointed at
 * with {@value E2eCluster#KUBECONFIG_ENV}. The in-process cluster has no DNS nor proxy agent, so there the test is
 * skipped. Busybox's {@code nslookup} asks exactly the name given (it ignores the search list, as Kubernetes' DNS
 * debugging guide warns), so short and {@code <svc>.<ns>} names are resolved through the C library's resolver (the
 * search list and ndots of the pod's {@code resolv.conf}), by {@code ping} and {@code wget}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterDnsIT {

    static final Duration TIMEOUT = Duration.ofSeconds(90);
    static final String CLUSTER_DNS = "10.96.0.10";

    E2eCluster cluster;
    KubectlRunner kubectl;
    KubeClient api;
    Path dir;
    String ns;
    final String run = UUID.randomUUID().toString().substring(0, 5);

    @BeforeAll
    void setUp() throws IOException {
        Path binary = Requirements.requireBinary("kubectl");
        cluster = E2eCluster.get();
        api = cluster.client();
        Assumptions.assumeTrue(exists(() -> api.resources(Service.class).get("kube-system", "kube-dns").block(TIMEOUT)),
                "the cluster publishes no kube-system/kube-dns (the in-process cluster runs no DNS): run against "
                        + "./kube4j up with " + E2eCluster.KUBECONFIG_ENV);
        dir = Files.createTempDirectory("e2e-dns");
        kubectl = KubectlRunner.withKubeconfig(binary, cluster.kubeconfig(), dir, TIMEOUT);
        String image = E2eCluster.webImage(1);
        String node = cluster.realNode();
        ns = "e2e-dns-" + run;
        kubectl.kubectl("create", "namespace", ns).ok();
        kubectl.kubectl("label", "namespace", ns, "e2e-dns=" + run).ok();
        cluster.awaitDefaultServiceAccount(ns);
        apply("""
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec:
                  clusterIP: None
                  selector: {app: web}
                  ports: [{name: http, port: 8080}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: front}
                spec:
                  selector: {app: web}
                  ports: [{name: http, port: 80, targetPort: 8080}]
                ---
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: web}
                spec:
                  serviceName: web
                  replicas: 2
                  podManagementPolicy: Parallel
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      nodeName: NODE
                      terminationGracePeriodSeconds: 1
                      containers: [{name: web, image: IMAGE, ports: [{name: http, containerPort: 8080}]}]
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: client}
                spec:
                  nodeName: NODE
                  terminationGracePeriodSeconds: 1
                  containers: [{name: main, image: IMAGE, command: [sleep, "3600"]}]
                """.replace("NODE", node).replace("IMAGE", image));
        for (String pod : new String[] {"web-0", "web-1", "client"}) {
            await().atMost(TIMEOUT).until(() -> ready(pod));
        }
    }

    @AfterAll
    void tearDown() {
        if (kubectl != null) {
            kubectl.kubectl("delete", "namespace", "-l", "e2e-dns=" + run, "--ignore-not-found", "--wait=false");
        }
    }

    @Test
    @Order(1)
    void podsResolveServicesPodsAndBnsNamesThroughTheClusterDns() {
        String resolv = exec("cat", "/etc/resolv.conf").ok().out();
        assertThat(resolv).contains("nameserver " + CLUSTER_DNS)
                .contains("search " + ns + ".svc.cluster.local svc.cluster.local cluster.local")
                .contains("ndots:5");

        String frontIp = api.resources(Service.class).get(ns, "front").block(TIMEOUT).getSpec().getClusterIP();
        String web0 = podIp("web-0");
        String web1 = podIp("web-1");
        String fqdn = "front." + ns + ".svc.cluster.local";

        // FQDN, A record of the ClusterIP
        assertThat(nslookup(fqdn).ok().out()).contains("Name:\t" + fqdn).contains("Address: " + frontIp);
        // short and <svc>.<ns>: through the search list (the C library's resolver)
        assertThat(exec("sh", "-c", "ping -c1 -W1 front 2>&1 | head -1").out()).contains("(" + frontIp + ")");
        assertThat(exec("sh", "-c", "ping -c1 -W1 front." + ns + " 2>&1 | head -1").out())
                .contains("(" + frontIp + ")");
        // headless: every ready pod's address
        assertThat(nslookup("web." + ns + ".svc.cluster.local").ok().out())
                .contains("Address: " + web0).contains("Address: " + web1);
        // a StatefulSet pod by name
        assertThat(nslookup("web-0.web." + ns + ".svc.cluster.local").ok().out()).contains("Address: " + web0)
                .doesNotContain(web1);
        // Borg Name Service: replica 0 of job web of user <ns> in cell local
        assertThat(nslookup("0.web." + ns + ".local.bns").ok().out()).contains("Address: " + web0);
        assertThat(nslookup("1.web." + ns + ".local.bns").ok().out()).contains("Address: " + web1);
        // SRV of a named port
        assertThat(exec("nslookup", "-type=SRV", "_http._tcp." + fqdn).ok().out())
                .contains("service = 0 100 80 " + fqdn);
        // HTTP by name, through the ClusterIP
        assertThat(exec("wget", "-qO-", "http://front:80/").ok().out()).contains("version 1");

        // a deleted Service stops resolving: measured from the end of the DELETE
        kubectl.kubectl("--namespace", ns, "delete", "service", "front", "--wait=false").ok();
        long t0 = System.nanoTime();
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50))
                .until(() -> nslookup(fqdn).out().contains("NXDOMAIN"));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("[ClusterDnsIT] " + fqdn + " NXDOMAIN " + ms + " ms after its DELETE returned");
    }

    @Test
    @Order(2)
    void kubernetesDefaultResolvesToTheApiserversService() {
        Service kubernetes = null;
        try {
            kubernetes = api.resources(Service.class).get("default", "kubernetes").block(TIMEOUT);
        } catch (ApiStatusException.NotFound e) {
            // below
        }
        Assumptions.assumeTrue(kubernetes != null, "this apiserver does not publish default/kubernetes yet");
        String ip = kubernetes.getSpec().getClusterIP();
        assertThat(nslookup("kubernetes.default.svc.cluster.local").ok().out()).contains("Address: " + ip);
        assertThat(exec("sh", "-c", "ping -c1 -W1 kubernetes.default 2>&1 | head -1").out()).contains("(" + ip + ")");
    }

    @Test
    @Order(3)
    void podsCallTheApiserverAtKubernetesDefaultWithTheirServiceAccountToken() throws IOException {
        io.fabric8.kubernetes.api.model.Endpoints endpoints = null;
        try {
            endpoints = api.resources(io.fabric8.kubernetes.api.model.Endpoints.class).get("default", "kubernetes")
                    .block(TIMEOUT);
        } catch (ApiStatusException.NotFound e) {
            // below
        }
        Assumptions.assumeTrue(endpoints != null && endpoints.getSubsets() != null && !endpoints.getSubsets().isEmpty(),
                "default/kubernetes has no endpoints: the apiserver advertises no address pods can reach");
        // in-cluster config, as client-go's rest.InClusterConfig: https://kubernetes.default.svc, the mounted CA (the
        // serving certificate must name kubernetes.default.svc) and the mounted token, from a pod with curl
        apply("""
                apiVersion: v1
                kind: Pod
                metadata: {name: incluster}
                spec:
                  nodeName: NODE
                  terminationGracePeriodSeconds: 1
                  containers: [{name: main, image: IMAGE, command: [sleep, "3600"]}]
                """.replace("NODE", cluster.realNode()).replace("IMAGE", E2eCluster.curlImage()));
        await().atMost(TIMEOUT).until(() -> ready("incluster"));
        String sa = "/var/run/secrets/kubernetes.io/serviceaccount";
        String review = kubectl.kubectl("--namespace", ns, "exec", "incluster", "--", "sh", "-c",
                "curl -sS --fail-with-body --cacert " + sa + "/ca.crt -H \"Authorization: Bearer $(cat " + sa
                        + "/token)\" -H 'Content-Type: application/json' -d '{\"apiVersion\":"
                        + "\"authentication.k8s.io/v1\",\"kind\":\"SelfSubjectReview\"}' "
                        + "https://kubernetes.default.svc/apis/authentication.k8s.io/v1/selfsubjectreviews").ok().out();
        assertThat(review).contains("\"username\":\"system:serviceaccount:" + ns + ":default\"");
    }

    // ---- helpers ----

    Result nslookup(String name) {
        return exec("nslookup", name);
    }

    Result exec(String... command) {
        String[] all = new String[command.length + 5];
        all[0] = "--namespace";
        all[1] = ns;
        all[2] = "exec";
        all[3] = "client";
        all[4] = "--";
        System.arraycopy(command, 0, all, 5, command.length);
        return kubectl.kubectl(all);
    }

    void apply(String yaml) throws IOException {
        Path f = Files.createTempFile(dir, "manifest", ".yaml");
        Files.writeString(f, yaml);
        kubectl.kubectl("--namespace", ns, "apply", "-f", f.toString()).ok();
    }

    String podIp(String name) {
        return api.resources(Pod.class).get(ns, name).block(TIMEOUT).getStatus().getPodIP();
    }

    boolean ready(String name) {
        try {
            Pod p = api.resources(Pod.class).get(ns, name).block(TIMEOUT);
            return p != null && p.getStatus() != null && p.getStatus().getConditions() != null
                    && p.getStatus().getConditions().stream()
                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        } catch (ApiStatusException.NotFound e) {
            return false;
        }
    }

    static boolean exists(java.util.function.Supplier<?> get) {
        try {
            return get.get() != null;
        } catch (ApiStatusException.NotFound e) {
            return false;
        }
    }
}
