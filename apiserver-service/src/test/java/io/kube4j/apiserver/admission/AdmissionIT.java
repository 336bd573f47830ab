package io.kube4j.apiserver.admission;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiClient.Response;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The built-in admission plugins through a real apiserver on a real etcd: NamespaceLifecycle, LimitRanger defaults
 * and limits, and ResourceQuota under 50 concurrent creates.
 */
class AdmissionIT {

    private static ApiClient api;

    @BeforeAll
    static void start() {
        api = ApiServerInstance.shared().client();
    }

    private static String namespace(String prefix) {
        String ns = prefix + "-" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);
        Response r = api.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + ns + "\"}}");
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        return ns;
    }

    private static String pod(String name, String resources) {
        return "{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\""
                + (resources == null ? "" : ",\"resources\":" + resources) + "}]}}";
    }

    @Test
    void namespaceLifecycleRefusesContentInMissingAndTerminatingNamespaces() {
        Response missing = api.post("/api/v1/namespaces/no-such-ns-adm/configmaps", "{\"metadata\":{\"name\":\"x\"}}");
        assertThat(missing.code()).as(missing.body()).isEqualTo(404);
        assertThat(missing.json().get("message").asString()).isEqualTo("namespaces \"no-such-ns-adm\" not found");

        Response immortal = api.delete("/api/v1/namespaces/kube-system");
        assertThat(immortal.code()).isEqualTo(403);
        assertThat(immortal.json().get("message").asString())
                .isEqualTo("namespaces \"kube-system\" is forbidden: this namespace may not be deleted");

        String ns = namespace("adm-life");
        // no namespace controller runs here: the namespace stays Terminating (finalizer "kubernetes")
        assertThat(api.delete("/api/v1/namespaces/" + ns).code()).isEqualTo(200);
        Response late = api.post("/api/v1/namespaces/" + ns + "/configmaps", "{\"metadata\":{\"name\":\"late\"}}");
        assertThat(late.code()).as(late.body()).isEqualTo(403);
        assertThat(late.json().get("message").asString()).isEqualTo("configmaps \"late\" is forbidden: unable to "
                + "create new content in namespace " + ns + " because it is being terminated");
    }

    @Test
    void limitRangeDefaultsAndLimits() {
        String ns = namespace("adm-lr");
        Response lr = api.post("/api/v1/namespaces/" + ns + "/limitranges", """
                {"metadata":{"name":"limits"},"spec":{"limits":[{"type":"Container",
                  "default":{"cpu":"500m","memory":"128Mi"},"defaultRequest":{"cpu":"100m"},"max":{"cpu":"1"}}]}}""");
        assertThat(lr.code()).as(lr.body()).isEqualTo(201);
        // the plugin reads the apiserver's watch cache: wait until it has the range
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() ->
                api.get("/api/v1/namespaces/" + ns + "/limitranges?resourceVersion=0").json().get("items").size() == 1);

        Response p = api.post("/api/v1/namespaces/" + ns + "/pods", pod("defaulted", null));
        assertThat(p.code()).as(p.body()).isEqualTo(201);
        JsonNode res = p.json().at("/spec/containers/0/resources");
        assertThat(res.at("/limits/cpu").asString()).isEqualTo("500m");
        assertThat(res.at("/limits/memory").asString()).isEqualTo("128Mi");
        assertThat(res.at("/requests/cpu").asString()).isEqualTo("100m");
        assertThat(res.at("/requests/memory").asString()).isEqualTo("128Mi");
        assertThat(p.json().at("/metadata/annotations").get("kubernetes.io/limit-ranger").asString())
                .isEqualTo("LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for container c");
        assertThat(p.json().at("/status/qosClass").asString()).isEqualTo("Burstable");

        Response big = api.post("/api/v1/namespaces/" + ns + "/pods", pod("big", "{\"limits\":{\"cpu\":\"2\"}}"));
        assertThat(big.code()).as(big.body()).isEqualTo(403);
        assertThat(big.json().get("message").asString())
                .isEqualTo("pods \"big\" is forbidden: maximum cpu usage per Container is 1, but limit is 2");
    }

    @Test
    void resourceQuotaHoldsUnderFiftyConcurrentCreates() throws Exception {
        String ns = namespace("adm-quota");
        int hard = 7;
        Response q = api.post("/api/v1/namespaces/" + ns + "/resourcequotas",
                "{\"metadata\":{\"name\":\"q\"},\"spec\":{\"hard\":{\"pods\":\"" + hard + "\",\"requests.cpu\":\"10\"}}}");
        assertThat(q.code()).as(q.body()).isEqualTo(201);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() ->
                api.get("/api/v1/namespaces/" + ns + "/resourcequotas?resourceVersion=0").json().get("items").size() == 1);

        Response noRequest = api.post("/api/v1/namespaces/" + ns + "/pods", pod("bare", null));
        assertThat(noRequest.code()).as(noRequest.body()).isEqualTo(403);
        assertThat(noRequest.json().get("message").asString())
                .isEqualTo("pods \"bare\" is forbidden: failed quota: q: must specify requests.cpu");

        ExecutorService pool = Executors.newFixedThreadPool(50);
        List<Future<Response>> results = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                String body = pod("p" + i, "{\"requests\":{\"cpu\":\"100m\"}}");
                results.add(pool.submit(() -> api.post("/api/v1/namespaces/" + ns + "/pods", body)));
            }
            int created = 0;
            for (Future<Response> f : results) {
                Response r = f.get();
                if (r.code() == 201) {
                    created++;
                } else {
                    assertThat(r.code()).as(r.body()).isEqualTo(403);
                    assertThat(r.json().get("message").asString()).contains("is forbidden: exceeded quota: q, "
                            + "requested: pods=1, used: pods=" + hard + ", limited: pods=" + hard);
                }
            }
            assertThat(created).isEqualTo(hard);
        } finally {
            pool.shutdownNow();
        }
        assertThat(api.get("/api/v1/namespaces/" + ns + "/pods").json().get("items").size()).isEqualTo(hard);
        JsonNode used = api.get("/api/v1/namespaces/" + ns + "/resourcequotas/q").json().at("/status/used");
        assertThat(used.get("pods").asString()).isEqualTo(Integer.toString(hard));
        assertThat(used.get("requests.cpu").asString()).isEqualTo("700m");
    }

    @Test
    void podSecurityRestrictedRefusesAPrivilegedPodAndWarns() {
        String ns = namespace("adm-pss");
        Response labelled = api.mergePatch("/api/v1/namespaces/" + ns, "{\"metadata\":{\"labels\":{"
                + "\"pod-security.kubernetes.io/enforce\":\"baseline\",\"pod-security.kubernetes.io/warn\":\"restricted\"}}}");
        assertThat(labelled.code()).as(labelled.body()).isEqualTo(200);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> api.get(
                "/api/v1/namespaces/" + ns + "?resourceVersion=0").json().at("/metadata/labels")
                .has("pod-security.kubernetes.io/enforce"));

        Response privileged = api.post("/api/v1/namespaces/" + ns + "/pods", "{\"metadata\":{\"name\":\"priv\"},"
                + "\"spec\":{\"containers\":[{\"name\":\"x\",\"image\":\"busybox\",\"securityContext\":{\"privileged\":true}}]}}");
        assertThat(privileged.code()).as(privileged.body()).isEqualTo(403);
        assertThat(privileged.json().get("message").asString()).isEqualTo("pods \"priv\" is forbidden: violates "
                + "PodSecurity \"baseline:latest\": privileged (container \"x\" must not set securityContext.privileged=true)");

        // baseline admits a plain pod; the warn level (restricted) says what it lacks
        Response plain = api.post("/api/v1/namespaces/" + ns + "/pods", pod("plain", null));
        assertThat(plain.code()).as(plain.body()).isEqualTo(201);
        assertThat(plain.raw().headers().allValues("Warning")).containsExactly("299 - \"would violate PodSecurity "
                + "\\\"restricted:latest\\\": allowPrivilegeEscalation != false (container \\\"c\\\" must set "
                + "securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container \\\"c\\\" must set "
                + "securityContext.capabilities.drop=[\\\"ALL\\\"]), runAsNonRoot != true (pod or container \\\"c\\\" must "
                + "set securityContext.runAsNonRoot=true), seccompProfile (pod or container \\\"c\\\" must set "
                + "securityContext.seccompProfile.type to \\\"RuntimeDefault\\\" or \\\"Localhost\\\")\"");
    }

    @Test
    void serviceAccountDefaultsAndMountsTheTokenVolume() {
        try (ApiServerInstance withSa = ApiServerInstance.start(io.kube4j.apiserver.testsupport.EtcdServer.shared().endpoint(),
                ApiServerInstance.DISABLED_PLUGINS + "=")) {
            ApiClient sa = withSa.client();
            String ns = namespace("adm-sa");
            Response refused = sa.post("/api/v1/namespaces/" + ns + "/pods", pod("early", null));
            assertThat(refused.code()).as(refused.body()).isEqualTo(403);
            assertThat(refused.json().get("message").asString()).isEqualTo("pods \"early\" is forbidden: error looking "
                    + "up service account " + ns + "/default: serviceaccount \"default\" not found");

            assertThat(sa.post("/api/v1/namespaces/" + ns + "/serviceaccounts",
                    "{\"metadata\":{\"name\":\"default\"}}").code()).isEqualTo(201);
            Response p = sa.post("/api/v1/namespaces/" + ns + "/pods", pod("mounted", null));
            assertThat(p.code()).as(p.body()).isEqualTo(201);
            assertThat(p.json().at("/spec/serviceAccountName").asString()).isEqualTo("default");
            JsonNode volume = p.json().at("/spec/volumes/0");
            assertThat(volume.get("name").asString()).matches("kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}");
            assertThat(volume.at("/projected/sources/0/serviceAccountToken/expirationSeconds").asLong()).isEqualTo(3607);
            assertThat(volume.at("/projected/sources/1/configMap/name").asString()).isEqualTo("kube-root-ca.crt");
            assertThat(volume.at("/projected/sources/2/downwardAPI/items/0/fieldRef/fieldPath").asString())
                    .isEqualTo("metadata.namespace");
            JsonNode mount = p.json().at("/spec/containers/0/volumeMounts/0");
            assertThat(mount.get("mountPath").asString()).isEqualTo("/var/run/secrets/kubernetes.io/serviceaccount");
            assertThat(mount.get("readOnly").asBoolean()).isTrue();

            Response off = sa.post("/api/v1/namespaces/" + ns + "/pods", "{\"metadata\":{\"name\":\"off\"},\"spec\":{"
                    + "\"automountServiceAccountToken\":false,\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}");
            assertThat(off.code()).as(off.body()).isEqualTo(201);
            assertThat(off.json().at("/spec/volumes").isMissingNode() || off.json().at("/spec/volumes").isEmpty()).isTrue();
        }
    }
}
