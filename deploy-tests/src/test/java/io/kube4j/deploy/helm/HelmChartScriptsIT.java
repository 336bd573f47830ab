package io.kube4j.deploy.helm;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.apiserver.testsupport.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chart's two scripts run for real, as their containers run them, on this host: the PKI Job's {@code make-pki.sh}
 * (PkiTool from the apiserver's image layout, i.e. its exec jar extracted with Spring Boot's layer tool as the
 * Dockerfile does, storing Secrets through curl) with kube4j's own apiserver standing in for the host cluster's API,
 * and the node agent's {@code prepare-node.sh} issuing a node certificate with the CA from that Secret. Then a kube4j
 * apiserver started with the rendered Deployment's TLS and authentication arguments, pointing at the files of the
 * stored Secret, accepts the admin's kubeconfig from the admin Secret and the node's kubeconfig.
 */
class HelmChartScriptsIT {

    private static final tools.jackson.databind.json.JsonMapper JSON = tools.jackson.databind.json.JsonMapper.builder().build();
    private static final Pattern PKI_FILE = Pattern.compile("/etc/kube4j/pki/([A-Za-z0-9._-]+)");

    @TempDir
    Path tmp;

    @Test
    void pkiJobAndNodeInitMakeAPkiThatKube4jAccepts() throws Exception {
        Path kubectl = Requirements.requireBinary("kubectl");
        Requirements.requireBinary("curl");
        Path app = extractedApiserverImage();
        RenderedChart chart = RenderedChart.render(null);
        Map<String, Object> job = chart.get("Job", "kube4j-pki-1");
        String namespace = "helm-pki-" + Long.toHexString(System.nanoTime());
        // kube4j's secure apiserver stands in for the host cluster: the Job's ServiceAccount, Role and RoleBinding
        // as the chart renders them, and a token of that ServiceAccount (TokenRequest), so the Role's rights are tested
        ApiServerInstance hostServer = ApiServerInstance.secureShared();
        ApiClient host = hostServer.client(TestPki.shared().admin());
        assertThat(host.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + namespace + "\"}}").code()).isEqualTo(201);
        create(host, "/api/v1/namespaces/" + namespace + "/serviceaccounts", chart.get("ServiceAccount", "kube4j-pki"), namespace);
        create(host, "/apis/rbac.authorization.k8s.io/v1/namespaces/" + namespace + "/roles", chart.get("Role", "kube4j-pki"), namespace);
        create(host, "/apis/rbac.authorization.k8s.io/v1/namespaces/" + namespace + "/rolebindings",
                chart.get("RoleBinding", "kube4j-pki"), namespace);
        ApiClient.Response token = host.post("/api/v1/namespaces/" + namespace + "/serviceaccounts/kube4j-pki/token",
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\",\"spec\":{}}");
        assertThat(token.code()).as("TokenRequest: %s", token.body()).isEqualTo(201);
        KubectlRunner shell = KubectlRunner.withKubeconfig(kubectl, Files.writeString(tmp.resolve("none"), ""), tmp,
                Duration.ofSeconds(90));

        Path sa = Files.createDirectories(tmp.resolve("sa"));
        Files.writeString(sa.resolve("token"), token.json().get("status").get("token").asString());
        Files.copy(TestPki.shared().caFile(), sa.resolve("ca.crt"));
        Path makePki = script(chart, "kube4j-pki", "make-pki.sh");
        Map<String, String> env = new HashMap<>(env(RenderedChart.container(job)));
        env.putAll(Map.of("NAMESPACE", namespace, "HOST_API", "https://127.0.0.1:" + hostServer.port(),
                "SA_DIR", sa.toString(), "PKI_DIR", tmp.resolve("job/pki").toString(), "APP_DIR", app.toString(),
                "TMPDIR", Files.createDirectories(tmp.resolve("job/tmp")).toString()));
        KubectlRunner.Result first = shell.run(env, null, "sh", makePki.toString()).ok();
        assertThat(first.out()).contains("stored the cluster PKI in the Secrets kube4j-pki and kube4j-admin-kubeconfig");
        Map<String, byte[]> pki = secret(host, namespace, "kube4j-pki");

        // every file the rendered components mount from the PKI Secret is in it
        TreeSet<String> referenced = new TreeSet<>();
        Matcher m = PKI_FILE.matcher(chart.yaml());
        while (m.find()) {
            referenced.add(m.group(1));
        }
        referenced.addAll(List.of("ca.key", "proxy.crt", "proxy.key"));
        assertThat(pki.keySet()).containsAll(referenced);
        X509Certificate ca = cert(pki.get("ca.crt"));
        X509Certificate apiserver = cert(pki.get("apiserver.crt"));
        apiserver.verify(ca.getPublicKey());
        assertThat(sans(apiserver))
                .contains("kube4j-apiserver.kube4j-system.svc", "kube4j-apiserver.kube4j-system.svc.cluster.local",
                        "10.96.0.1", "127.0.0.1");
        assertThat(new String(pki.get("scheduler.kubeconfig"), StandardCharsets.UTF_8))
                .contains("server: \"https://kube4j-apiserver.kube4j-system.svc:6443\"",
                        // the PKI dir (in the pod /etc/kube4j/pki, where the components mount the Secret)
                        "client-certificate: \"" + tmp.resolve("job/pki/scheduler.crt") + "\"");

        // a second run (a helm upgrade) keeps the PKI
        KubectlRunner.Result again = shell.run(env, null, "sh", makePki.toString()).ok();
        assertThat(again.out()).contains("the Secret kube4j-pki exists: keeping the cluster PKI");
        assertThat(secret(host, namespace, "kube4j-pki").get("ca.crt")).isEqualTo(pki.get("ca.crt"));

        // the admin's self-contained kubeconfig names the gateway and carries a system:masters certificate of the CA
        String admin = new String(secret(host, namespace, "kube4j-admin-kubeconfig").get("kubeconfig"), StandardCharsets.UTF_8);
        assertThat(admin).contains("server: https://kube4j-gateway.kube4j-system.svc:8443");
        X509Certificate adminCert = cert(Base64.getDecoder().decode(field(admin, "client-certificate-data")));
        adminCert.verify(ca.getPublicKey());
        assertThat(adminCert.getSubjectX500Principal().getName()).contains("CN=kube4j-admin", "O=system:masters");

        // the node agent's init container with the CA from the Secret (only ca.crt and ca.key are mounted)
        Path caDir = Files.createDirectories(tmp.resolve("ca"));
        Files.write(caDir.resolve("ca.crt"), pki.get("ca.crt"));
        Files.write(caDir.resolve("ca.key"), pki.get("ca.key"));
        Map<String, Object> nodeAgent = chart.get("DaemonSet", "kube4j-node-agent");
        Map<String, String> nodeEnv = new HashMap<>(env(initContainer(nodeAgent)));
        Path nodeDir = tmp.resolve("node");
        nodeEnv.putAll(Map.of("NODE_NAME", "worker-7", "HOST_IP", "192.168.5.23", "NODE_DIR", nodeDir.toString(),
                "CA_DIR", caDir.toString(), "APP_DIR", app.toString()));
        Path prepareNode = script(chart, "kube4j-node-agent", "prepare-node.sh");
        shell.run(nodeEnv, null, "sh", prepareNode.toString()).ok();
        String props = Files.readString(nodeDir.resolve("node.properties"));
        assertThat(props).contains("kube4j.node.name=worker-7", "kube4j.node.pod-cidr=10.244.23.0/24",
                "kube4j.client.kubeconfig=" + nodeDir.resolve("kubeconfig"));
        try (Stream<Path> files = Files.list(nodeDir.resolve("pki"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("ca.crt",
                    "node-worker-7.crt", "node-worker-7.key", "node-worker-7-serving.crt", "node-worker-7-serving.key");
        }
        X509Certificate serving = cert(Files.readAllBytes(nodeDir.resolve("pki/node-worker-7-serving.crt")));
        serving.verify(ca.getPublicKey());
        assertThat(sans(serving)).contains("worker-7", "192.168.5.23");

        // perNode without an entry for this node: a clear refusal
        nodeEnv.put("POD_CIDR_SCHEME", "perNode");
        nodeEnv.put("POD_CIDRS_DIR", Files.createDirectories(tmp.resolve("cidrs")).toString());
        KubectlRunner.Result noCidr = shell.run(nodeEnv, null, "sh", prepareNode.toString());
        assertThat(noCidr.code()).isEqualTo(1);
        assertThat(noCidr.err()).contains("node worker-7 has no pod CIDR in network.podCidr.perNode");

        // kube4j's apiserver with the chart's arguments and the Secret's files accepts both identities
        Path mounted = Files.createDirectories(tmp.resolve("mounted"));
        for (Map.Entry<String, byte[]> e : pki.entrySet()) {
            Files.write(mounted.resolve(e.getKey()), e.getValue());
        }
        List<String> props2 = new ArrayList<>();
        for (String arg : RenderedChart.args(chart.get("Deployment", "kube4j-apiserver"))) {
            if (arg.contains("/etc/kube4j/pki/")) {
                props2.add(arg.substring(2).replace("/etc/kube4j/pki/", mounted + "/"));
            }
        }
        try (ApiServerInstance secure = ApiServerInstance.startSecure(TestPki.shared(), props2.toArray(String[]::new))) {
            String server = "https://127.0.0.1:" + secure.port();
            // the Deployment's probes: /livez and /readyz over HTTPS without credentials, as the kubelet asks
            for (String probe : List.of("/livez", "/readyz")) {
                shell.run(Map.of(), null, "curl", "-sf", "-o", "/dev/null", "--cacert",
                        mounted.resolve("ca.crt").toString(), server + probe).ok();
            }
            Path adminKubeconfig = Files.writeString(tmp.resolve("admin.kubeconfig"),
                    admin.replace("https://kube4j-gateway.kube4j-system.svc:8443", server));
            KubectlRunner asAdmin = KubectlRunner.withKubeconfig(kubectl, adminKubeconfig, tmp, Duration.ofSeconds(60));
            assertThat(asAdmin.kubectl("get", "namespace", "kube-system", "-o", "name").ok().out())
                    .contains("namespace/kube-system");
            Path nodeKubeconfig = Files.writeString(tmp.resolve("node.kubeconfig"),
                    Files.readString(nodeDir.resolve("kubeconfig")).replace("https://kube4j-apiserver.kube4j-system.svc:6443", server));
            KubectlRunner asNode = KubectlRunner.withKubeconfig(kubectl, nodeKubeconfig, tmp, Duration.ofSeconds(60));
            assertThat(asNode.kubectl("get", "--raw", "/api").ok().out()).contains("APIVersions");
        }
    }

    /** The apiserver image's /app: its exec jar extracted into Spring Boot's layers and merged, as docker/Dockerfile does. */
    private Path extractedApiserverImage() throws IOException, InterruptedException {
        Optional<Path> jar = execJar();
        Requirements.require(jar.isPresent(), "no apiserver-service exec jar in ../apiserver-service/target nor in the"
                + " local Maven repository: build it (./mvnw -o package -pl apiserver-service -DskipTests)");
        Path layers = tmp.resolve("layers");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djarmode=tools", "-jar", jar.get().toString(), "extract", "--layers", "--launcher", "--destination",
                layers.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("extracting %s: %s", jar.get(), out).isZero();
        Path app = Files.createDirectories(tmp.resolve("app"));
        for (String layer : List.of("dependencies", "spring-boot-loader", "snapshot-dependencies", "application")) {
            Path from = layers.resolve(layer);
            if (!Files.isDirectory(from)) {
                continue;
            }
            try (Stream<Path> all = Files.walk(from)) {
                for (Path f : all.sorted().toList()) {
                    Path to = app.resolve(from.relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(f, to);
                    }
                }
            }
        }
        return app;
    }

    private static Optional<Path> execJar() throws IOException {
        List<Path> candidates = new ArrayList<>();
        Path target = Path.of("..", "apiserver-service", "target").toAbsolutePath().normalize();
        String repo = System.getProperty("maven.repo.local",
                Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
        Path installed = Path.of(repo, "io", "kube4j", "apiserver-service");
        for (Path dir : List.of(target, installed)) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> s = Files.walk(dir, 2)) {
                    s.filter(f -> f.getFileName().toString().matches("apiserver-service-.*-exec\\.jar"))
                            .max(Comparator.comparing(f -> f.toFile().lastModified())).ifPresent(candidates::add);
                }
            }
            if (!candidates.isEmpty()) {
                break;
            }
        }
        return candidates.stream().findFirst();
    }

    @SuppressWarnings("unchecked")
    private Path script(RenderedChart chart, String configMap, String key) throws IOException {
        Map<String, Object> data = (Map<String, Object>) chart.get("ConfigMap", configMap).get("data");
        return Files.writeString(tmp.resolve(key), (String) data.get(key));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> env(Map<String, Object> container) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map<String, Object> e : (List<Map<String, Object>>) container.get("env")) {
            if (e.get("value") != null) {
                out.put((String) e.get("name"), String.valueOf(e.get("value")));
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> initContainer(Map<String, Object> workload) {
        Map<String, Object> spec = (Map<String, Object>) workload.get("spec");
        Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) spec.get("template")).get("spec");
        return ((List<Map<String, Object>>) pod.get("initContainers")).get(0);
    }

    @SuppressWarnings("unchecked")
    private static void create(ApiClient api, String collection, Map<String, Object> object, String namespace) {
        Map<String, Object> copy = new LinkedHashMap<>(object);
        Map<String, Object> meta = new LinkedHashMap<>((Map<String, Object>) object.get("metadata"));
        meta.put("namespace", namespace);
        copy.put("metadata", meta);
        if (copy.get("subjects") instanceof List<?> subjects) {
            copy.put("subjects", subjects.stream().map(x -> {
                Map<String, Object> subject = new LinkedHashMap<>((Map<String, Object>) x);
                subject.put("namespace", namespace);
                return subject;
            }).toList());
        }
        ApiClient.Response r = api.post(collection, JSON.writeValueAsString(copy));
        assertThat(r.code()).as("creating %s: %s", meta.get("name"), r.body()).isEqualTo(201);
    }

    private static Map<String, byte[]> secret(ApiClient api, String namespace, String name) {
        ApiClient.Response r = api.get("/api/v1/namespaces/" + namespace + "/secrets/" + name);
        assertThat(r.code()).as("GET secret %s: %s", name, r.body()).isEqualTo(200);
        Map<String, byte[]> out = new LinkedHashMap<>();
        JsonNode data = r.json().get("data");
        for (String key : data.propertyNames()) {
            out.put(key, Base64.getDecoder().decode(data.get(key).asString()));
        }
        return out;
    }

    private static String field(String yaml, String key) {
        Matcher m = Pattern.compile(key + ": (\\S+)").matcher(yaml);
        assertThat(m.find()).as("%s in %s", key, yaml).isTrue();
        return m.group(1);
    }

    private static List<String> sans(X509Certificate c) throws Exception {
        return c.getSubjectAlternativeNames().stream().map(san -> String.valueOf(san.get(1))).toList();
    }

    private static X509Certificate cert(byte[] pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(pem));
    }
}
