package io.kube4j.cli.session;

import io.kube4j.api.codec.Codecs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Merge precedence, relative paths and kubectl's write-back rules, on temporary kubeconfig files. */
class KubeConfigEditsTest {

    @TempDir
    Path dir;

    private Path a;
    private Path b;
    private Map<String, String> env;

    private void twoFiles() throws IOException {
        a = dir.resolve("a.yaml");
        b = dir.resolve("sub/b.yaml");
        Files.createDirectories(b.getParent());
        Files.writeString(a, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: c1
                  cluster: {server: "https://first:6443", certificate-authority: ca.crt}
                contexts:
                - name: ctx-b
                  context: {cluster: c1, user: u2, namespace: team}
                users:
                - name: u2
                  user: {token: t}
                """);
        Files.writeString(b, """
                apiVersion: v1
                kind: Config
                current-context: ctx-a
                clusters:
                - name: c1
                  cluster: {server: "https://second:6443"}
                contexts:
                - name: ctx-a
                  context: {cluster: c1, user: u1}
                users:
                - name: u1
                  user: {client-key: keys/u1.key}
                # a custom field kubectl would not know
                x-extra: keep
                """);
        env = Map.of("KUBECONFIG", a + ":" + dir.resolve("missing.yaml") + ":" + b, "HOME", dir.toString());
    }

    private static JsonNode yaml(Path f) throws IOException {
        return Codecs.yaml().readTree(Files.readString(f));
    }

    @Test
    void theFirstFileWinsPerEntryAndCurrentContextAndPathsResolveAgainstTheirFile() throws IOException {
        twoFiles();
        KubeConfigs kc = KubeConfigs.load(null, env);
        assertThat(kc.files()).containsExactly(a, b);
        assertThat(kc.currentContext()).isEqualTo("ctx-a");
        assertThat(kc.contextNames()).containsExactly("ctx-b", "ctx-a");
        assertThat(kc.merged().path("clusters").size()).isEqualTo(1);
        JsonNode c1 = kc.merged().path("clusters").get(0).path("cluster");
        assertThat(c1.path("server").asString()).isEqualTo("https://first:6443");
        assertThat(c1.path("certificate-authority").asString()).isEqualTo(dir.resolve("ca.crt").toString());
        assertThat(kc.merged().path("users").get(1).path("user").path("client-key").asString())
                .isEqualTo(dir.resolve("sub/keys/u1.key").toString());
        // config view shows references as written
        KubeConfigs raw = KubeConfigs.load(null, env, false);
        assertThat(raw.merged().path("clusters").get(0).path("cluster").path("certificate-authority").asString())
                .isEqualTo("ca.crt");
    }

    @Test
    void anExplicitFileIsTheOnlyOne() throws IOException {
        twoFiles();
        KubeConfigs kc = KubeConfigs.load(b.toString(), env);
        assertThat(kc.files()).containsExactly(b);
        assertThat(kc.contextNames()).containsExactly("ctx-a");
        assertThat(new KubeConfigEdits(b.toString(), env).defaultFile()).isEqualTo(b);
    }

    @Test
    void aNewCurrentContextGoesToTheFirstExistingFileAndWinsTheMerge() throws IOException {
        twoFiles();
        KubeConfigEdits edits = new KubeConfigEdits(null, env);
        assertThat(edits.defaultFile()).isEqualTo(a);
        edits.setCurrentContext("ctx-b");
        assertThat(yaml(a).path("current-context").asString()).isEqualTo("ctx-b");
        assertThat(yaml(b).path("current-context").asString()).isEqualTo("ctx-a");
        assertThat(KubeConfigs.load(null, env).currentContext()).isEqualTo("ctx-b");
    }

    @Test
    void aContextChangeGoesToTheFileThatDefinesItAndKeepsTheRestOfTheFile() throws IOException {
        twoFiles();
        KubeConfigEdits edits = new KubeConfigEdits(null, env);
        assertThat(edits.origin("contexts", "ctx-a")).isEqualTo(b);
        boolean created = edits.editContext("ctx-a", c -> c.put("namespace", "apps"));
        assertThat(created).isFalse();
        JsonNode doc = yaml(b);
        assertThat(doc.path("contexts").get(0).path("context").path("namespace").asString()).isEqualTo("apps");
        assertThat(doc.path("x-extra").asString()).isEqualTo("keep");
        assertThat(doc.path("users").get(0).path("user").path("client-key").asString()).isEqualTo("keys/u1.key");
        assertThat(yaml(a).path("contexts").get(0).path("context").path("namespace").asString()).isEqualTo("team");
        assertThat(KubeConfigs.load(null, env).context("ctx-a").path("namespace").asString()).isEqualTo("apps");
    }

    @Test
    void aNewContextIsCreatedInTheDefaultFileAndDeletedFromItsOrigin() throws IOException {
        twoFiles();
        KubeConfigEdits edits = new KubeConfigEdits(null, env);
        assertThat(edits.editContext("fresh", c -> c.put("cluster", "c1"))).isTrue();
        JsonNode fresh = yaml(a).path("contexts").get(1);
        assertThat(fresh.path("name").asString()).isEqualTo("fresh");
        assertThat(fresh.path("context").path("cluster").asString()).isEqualTo("c1");
        assertThat(fresh.path("context").path("user").asString()).isEmpty();
        assertThat(edits.deleteContext("ctx-a")).isEqualTo(b);
        assertThat(yaml(b).path("contexts").size()).isZero();
        assertThat(edits.deleteContext("nope")).isNull();
    }

    @Test
    void withNoFileYetTheLastKubeconfigEntryIsCreated() {
        Path x = dir.resolve("x.yaml");
        Path y = dir.resolve("y.yaml");
        KubeConfigEdits edits = new KubeConfigEdits(null, Map.of("KUBECONFIG", x + ":" + y));
        assertThat(edits.defaultFile()).isEqualTo(y);
        edits.setCurrentContext("c");
        assertThat(Files.exists(y)).isTrue();
        assertThat(Files.exists(x)).isFalse();
    }
}
