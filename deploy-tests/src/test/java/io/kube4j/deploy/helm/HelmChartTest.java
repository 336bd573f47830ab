package io.kube4j.deploy.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static io.kube4j.deploy.helm.RenderedChart.args;
import static io.kube4j.deploy.helm.RenderedChart.container;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The chart rendered by Helm's engine for several value sets, Helm's lint, and values.schema.json's refusals. */
class HelmChartTest {

    @Test
    void lintPassesStrict() {
        LintResult lint = new Helm(RenderedChart.chartDir()).lint().strict().call();
        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
    }

    @Test
    void defaultsDeployTheWholeClusterWithAGeneratedPki() {
        RenderedChart chart = RenderedChart.render(null);
        Map<String, Object> etcd = chart.get("StatefulSet", "kube4j-etcd");
        assertThat(spec(etcd)).containsEntry("replicas", 3).containsEntry("podManagementPolicy", "Parallel")
                .containsKey("volumeClaimTemplates");
        assertThat(args(etcd)).anySatisfy(a -> assertThat(a).startsWith("--initial-cluster=kube4j-etcd-0=http://"
                + "kube4j-etcd-0.kube4j-etcd-peer.kube4j-system.svc.cluster.local:2380,kube4j-etcd-1="));
        assertThat(spec(chart.get("Service", "kube4j-etcd-peer"))).containsEntry("clusterIP", "None");
        assertThat(container(etcd)).containsEntry("image", "kube4j/etcd:3.4.23");
        assertThat(args(chart.get("Deployment", "kube4j-apiserver"))).contains(
                "--kube4j.apiserver.etcd.endpoints=http://kube4j-etcd-0.kube4j-etcd-peer.kube4j-system.svc.cluster.local:2379,"
                        + "http://kube4j-etcd-1.kube4j-etcd-peer.kube4j-system.svc.cluster.local:2379,"
                        + "http://kube4j-etcd-2.kube4j-etcd-peer.kube4j-system.svc.cluster.local:2379",
                "--kube4j.apiserver.service-cluster-ip-range=10.96.0.0/12");
        assertThat(container(chart.get("Deployment", "kube4j-apiserver"))).containsEntry("image",
                "kube4j/apiserver:0.1.0-SNAPSHOT");
        assertThat(spec(chart.get("Deployment", "kube4j-scheduler"))).containsEntry("replicas", 2);
        assertThat(spec(chart.get("Deployment", "kube4j-controller-manager"))).containsEntry("replicas", 2);
        assertThat(args(chart.get("Deployment", "kube4j-gateway"))).contains(
                "--kube4j.gateway.upstream.servers=https://kube4j-apiserver.kube4j-system.svc:6443");
        Map<String, Object> job = chart.get("Job", "kube4j-pki-1");
        assertThat(env(job)).containsEntry("SERVICE_IP", "10.96.0.1")
                .containsEntry("PKI_SECRET", "kube4j-pki")
                .containsEntry("GATEWAY_URL", "https://kube4j-gateway.kube4j-system.svc:8443");
        assertThat(chart.ofKind("Role")).hasSize(1);
        Map<String, Object> node = chart.get("DaemonSet", "kube4j-node-agent");
        assertThat(podSpec(node)).containsEntry("hostNetwork", true);
        assertThat(container(node)).extracting("securityContext").isEqualTo(Map.of("privileged", true, "runAsUser", 0));
        assertThat(chart.get("DaemonSet", "kube4j-proxy-agent")).isNotNull();
        assertThat(args(chart.get("DaemonSet", "kube4j-proxy-agent"))).contains("--kube4j.proxy.mode=iptables");
    }

    @Test
    void externalEtcdReplacesTheStatefulSet() {
        RenderedChart chart = RenderedChart.render("external-etcd.yaml");
        assertThat(chart.ofKind("StatefulSet")).isEmpty();
        assertThat(args(chart.get("Deployment", "kube4j-apiserver"))).contains(
                "--kube4j.apiserver.etcd.endpoints=http://etcd-a.example:2379,http://etcd-b.example:2379",
                "--kube4j.apiserver.etcd.ca-file=/etc/kube4j/etcd/ca.crt");
    }

    @Test
    void providedPkiHasNoJobAndMountsTheUsersSecret() {
        RenderedChart chart = RenderedChart.render("provided-pki.yaml");
        assertThat(chart.ofKind("Job")).isEmpty();
        assertThat(chart.ofKind("Role")).isEmpty();
        assertThat(chart.yaml()).contains("secretName: my-kube4j-pki").doesNotContain("secretName: kube4j-pki");
        assertThat(spec(chart.get("Service", "kube4j-gateway"))).containsEntry("type", "LoadBalancer");
    }

    @Test
    void agentsCanBeLeftOut() {
        RenderedChart chart = RenderedChart.render("no-agents.yaml");
        assertThat(chart.ofKind("DaemonSet")).isEmpty();
        assertThat(chart.ofKind("RoleBinding")).isEmpty();
        assertThat(chart.ofKind("Deployment")).hasSize(4);
    }

    @Test
    void customisedValuesReachTheObjects() {
        RenderedChart chart = RenderedChart.render("customised.yaml");
        assertThat(container(chart.get("Deployment", "k4j-apiserver"))).containsEntry("image",
                "registry.example.com:5000/kube4j/apiserver:1.2.3").containsEntry("imagePullPolicy", "Always");
        assertThat(spec(chart.get("StatefulSet", "k4j-etcd"))).containsEntry("replicas", 5);
        assertThat(container(chart.get("StatefulSet", "k4j-etcd"))).containsEntry("image",
                "registry.example.com:5000/kube4j/etcd:3.4.23");
        assertThat(args(chart.get("DaemonSet", "k4j-proxy-agent"))).contains("--kube4j.proxy.mode=ipvs",
                "--kube4j.proxy.cluster-cidr=10.250.0.0/16", "--logging.level.io.kube4j=DEBUG");
        assertThat(env(chart.get("Job", "k4j-pki-1"))).containsEntry("SERVICE_IP", "10.100.0.1");
        assertThat(chart.get("ConfigMap", "k4j-pod-cidrs")).extracting("data")
                .isEqualTo(Map.of("worker-1", "10.250.1.0/24", "worker-2", "10.250.2.0/24"));
        assertThat(args(chart.get("DaemonSet", "k4j-node-agent"))).contains("--kube4j.node.root-dir=/data/kube4j");
    }

    /**
     * Each component's PKI volume holds exactly what its arguments name (and its kubeconfig's client certificate),
     * and no control-plane pod gets the CA's key.
     */
    @Test
    @SuppressWarnings("unchecked")
    void everyComponentMountsThePkiFilesItUsesAndNoMore() {
        RenderedChart chart = RenderedChart.render(null);
        java.util.regex.Pattern file = java.util.regex.Pattern.compile("^--[^=]+=/etc/kube4j/pki/(.+)$");
        for (String kind : List.of("Deployment", "DaemonSet")) {
            for (Map<String, Object> workload : chart.ofKind(kind)) {
                List<Map<String, Object>> volumes = (List<Map<String, Object>>) podSpec(workload).get("volumes");
                Map<String, Object> pki = volumes.stream().filter(v -> "pki".equals(v.get("name"))).findFirst().orElse(null);
                if (pki == null) {
                    continue;
                }
                java.util.Set<String> mounted = new java.util.TreeSet<>();
                for (Map<String, Object> item : (List<Map<String, Object>>) ((Map<String, Object>) pki.get("secret")).get("items")) {
                    mounted.add((String) item.get("key"));
                }
                java.util.Set<String> used = new java.util.TreeSet<>();
                for (String arg : args(workload)) {
                    java.util.regex.Matcher m = file.matcher(arg);
                    if (m.matches()) {
                        used.add(m.group(1));
                        if (m.group(1).endsWith(".kubeconfig")) {
                            String role = m.group(1).replace(".kubeconfig", "");
                            role = role.equals("gateway") ? "gateway-client" : role;
                            used.addAll(List.of(role + ".crt", role + ".key", "ca.crt"));
                        }
                    }
                }
                assertThat(mounted).as("PKI files of %s %s", kind, RenderedChart.name(workload))
                        .isEqualTo(used).doesNotContain("ca.key");
            }
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "bad-proxy-mode.yaml  | at '/proxyAgent/mode': value must be one of 'iptables', 'ipvs', 'userspace'",
            "bad-unknown-key.yaml | additional properties 'replica' not allowed",
    })
    void schemaRefusesBadValues(String values, String named) {
        assertThatThrownBy(() -> RenderedChart.render(values))
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining(named);
    }

    @Test
    void hostIpSchemeNeedsASlash16() {
        assertThatThrownBy(() -> RenderedChart.template()
                .set("network.clusterCidr", "10.244.0.0/20").call())
                .hasMessageContaining("needs a /16 network.clusterCidr (got 10.244.0.0/20)");
    }

    @Test
    void externalEtcdWithoutEndpointsSaysWhatToSet() {
        assertThatThrownBy(() -> RenderedChart.template()
                .set("etcd.enabled", "false").call())
                .hasMessageContaining("etcd.external.endpoints is empty");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(Map<String, Object> o) {
        return (Map<String, Object>) o.get("spec");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> podSpec(Map<String, Object> o) {
        return (Map<String, Object>) ((Map<String, Object>) spec(o).get("template")).get("spec");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> env(Map<String, Object> workload) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (Map<String, Object> e : (List<Map<String, Object>>) container(workload).get("env")) {
            if (e.get("value") != null) {
                out.put((String) e.get("name"), String.valueOf(e.get("value")));
            }
        }
        return out;
    }
}
