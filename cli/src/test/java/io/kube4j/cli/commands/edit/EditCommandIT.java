package io.kube4j.cli.commands.edit;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.cli.testsupport.CliHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code k4j edit} with editors that are shell scripts (sed), against a real apiserver: save, conflict, invalid. */
class EditCommandIT {

    private static Path kubeconfig;
    private static ApiClient admin;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        ApiServerInstance apiserver = ApiServerInstance.secureShared();
        kubeconfig = apiserver.kubeconfig(apiserver.pki().admin());
        admin = apiserver.client(apiserver.pki().admin());
    }

    private CliHarness.Result edit(String editor, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "edit";
        System.arraycopy(args, 0, all, 1, args.length);
        return CliHarness.shared().run(Map.of("KUBECONFIG", kubeconfig.toString(), "EDITOR", editor), "", all);
    }

    private Path script(String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\nset -e\n" + body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    private static JsonNode configMap(String ns, String name) {
        return admin.get("/api/v1/namespaces/" + ns + "/configmaps/" + name).json();
    }

    private static void configMapIn(String ns, String name) {
        CliHarness.shared().run(kubeconfig, "create", "namespace", ns);
        CliHarness.shared().run(kubeconfig, "create", "configmap", name, "--from-literal=mode=fast",
                "--from-literal=level=3", "-n", ns).ok();
    }

    @Test
    void aSedEditIsSavedAndNoChangeIsCancelled() {
        configMapIn("edit-sed", "settings");
        CliHarness.Result r = edit("sed -i -e 's/mode: fast/mode: slow/' -e '/level:/d'", "configmap", "settings",
                "-n", "edit-sed").ok();
        assertThat(r.out()).isEqualTo("configmap/settings edited\n");
        JsonNode cm = configMap("edit-sed", "settings");
        assertThat(cm.path("data").path("mode").asString()).isEqualTo("slow");
        assertThat(cm.path("data").has("level")).isFalse();

        CliHarness.Result none = edit("true", "cm/settings", "-n", "edit-sed").ok();
        assertThat(none.out()).isEmpty();
        assertThat(none.err()).isEqualTo("Edit cancelled, no changes made.\n");
        CliHarness.Result missing = edit("true", "cm/nope", "-n", "edit-sed");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("Error from server (NotFound): configmaps \"nope\" not found\n");
    }

    @Test
    void anotherWritersConcurrentChangeIsKeptByThePatch() throws Exception {
        configMapIn("edit-conflict", "settings");
        Path opened = dir.resolve("opened");
        Path go = dir.resolve("go");
        Path editor = script("slow-editor.sh", """
                sed -i 's/mode: fast/mode: slow/' "$1"
                touch %s
                i=0
                while [ ! -e %s ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
                """.formatted(opened, go));
        CompletableFuture<CliHarness.Result> editing = CompletableFuture.supplyAsync(
                () -> edit(editor.toString(), "configmap", "settings", "-n", "edit-conflict"));
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(opened));
        // Another writer changes another field while the user edits: the patch only carries the user's change.
        assertThat(admin.mergePatch("/api/v1/namespaces/edit-conflict/configmaps/settings",
                "{\"data\":{\"level\":\"9\"}}").code()).isEqualTo(200);
        Files.createFile(go);
        CliHarness.Result r = editing.get(60, TimeUnit.SECONDS).ok();
        assertThat(r.out()).isEqualTo("configmap/settings edited\n");
        JsonNode cm = configMap("edit-conflict", "settings");
        assertThat(cm.path("data").path("mode").asString()).isEqualTo("slow");
        assertThat(cm.path("data").path("level").asString()).isEqualTo("9");
    }

    @Test
    void anInvalidEditReopensTheEditorWithTheError() throws IOException {
        configMapIn("edit-invalid", "settings");
        Path count = dir.resolve("count");
        Path second = dir.resolve("second-opening.yaml");
        Path editor = script("fix-on-second.sh", """
                if [ ! -e %1$s ]; then
                  touch %1$s
                  sed -i 's/mode: fast/mode: [broken/' "$1"
                else
                  cp "$1" %2$s
                  sed -i 's/mode: \\[broken/mode: fixed/' "$1"
                fi
                """.formatted(count, second));
        CliHarness.Result r = edit(editor.toString(), "cm", "settings", "-n", "edit-invalid").ok();
        assertThat(r.out()).isEqualTo("configmap/settings edited\n");
        assertThat(Files.readString(second)).startsWith("# Please edit the object below.")
                .contains("# configmaps \"settings\" was not valid:\n# * error: ");
        assertThat(configMap("edit-invalid", "settings").path("data").path("mode").asString()).isEqualTo("fixed");

        Path stubborn = script("stubborn.sh", "sed -i 's/mode: fixed/mode: [broken/' \"$1\"\n");
        CliHarness.Result gaveUp = edit(stubborn.toString(), "cm", "settings", "-n", "edit-invalid");
        assertThat(gaveUp.code()).isEqualTo(1);
        assertThat(gaveUp.err()).contains("error: Edit cancelled, no valid changes were saved.\n")
                .contains("A copy of your changes has been stored to \"");
    }
}
