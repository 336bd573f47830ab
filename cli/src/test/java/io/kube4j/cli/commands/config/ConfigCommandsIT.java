package io.kube4j.cli.commands.config;

import io.kube4j.cli.testsupport.CliHarness;
import io.kube4j.cli.testsupport.Golden;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code k4j config ...} on two merged kubeconfig files ({@code KUBECONFIG=a:b}). The golden files were printed by
 * kubectl 1.32 on the same two files: k4j must print the same.
 */
class ConfigCommandsIT {

    @TempDir
    Path dir;
    private Map<String, String> env;
    private Path a;
    private Path b;

    @BeforeEach
    void files() throws IOException {
        a = dir.resolve("a.yaml");
        b = dir.resolve("b.yaml");
        for (Path p : new Path[]{a, b}) {
            try (InputStream in = getClass().getResourceAsStream("/kubeconfigs/" + p.getFileName())) {
                Files.copy(in, p);
            }
        }
        env = Map.of("KUBECONFIG", a + ":" + b);
    }

    private static String resource(String name) {
        try (InputStream in = ConfigCommandsIT.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private CliHarness.Result k4j(String... args) {
        return CliHarness.shared().run(env, "", args);
    }

    @Test
    void viewPrintsTheMergedConfigAsKubectlDoes() {
        Golden.check("config/view.yaml", k4j("config", "view").ok().out());
        Golden.check("config/view.json", k4j("config", "view", "-o", "json").ok().out());
        Golden.check("config/view-minify-raw.yaml", k4j("config", "view", "--minify", "--raw").ok().out());
    }

    @Test
    void getContextsStarsTheCurrentOne() {
        // compared verbatim: kubectl pads the empty NAMESPACE and CURRENT cells (Golden's realignment would not keep them)
        assertThat(k4j("config", "get-contexts").ok().out()).isEqualTo(resource("/golden/config/get-contexts.txt"));
        assertThat(k4j("config", "get-contexts", "-o", "name").ok().out()).isEqualTo("ctx-a\nctx-b\n");
        CliHarness.Result missing = k4j("config", "get-contexts", "nope");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("error: context nope not found\n");
        assertThat(k4j("config", "get-clusters").ok().out()).isEqualTo("NAME\nc1\nc2\n");
        assertThat(k4j("config", "get-users").ok().out()).isEqualTo("NAME\nu1\nu2\n");
    }

    @Test
    void useSetAndDeleteContextWriteWhereKubectlWrites() throws IOException {
        assertThat(k4j("config", "current-context").ok().out()).isEqualTo("ctx-a\n");
        assertThat(k4j("config", "use-context", "ctx-b").ok().out()).isEqualTo("Switched to context \"ctx-b\".\n");
        assertThat(k4j("config", "current-context").ok().out()).isEqualTo("ctx-b\n");
        assertThat(Files.readString(a)).contains("current-context: ctx-b");
        assertThat(Files.readString(b)).contains("current-context: ctx-a");

        CliHarness.Result nope = k4j("config", "use-context", "nope");
        assertThat(nope.code()).isEqualTo(1);
        assertThat(nope.err()).isEqualTo("error: no context exists with the name: \"nope\"\n");

        assertThat(k4j("config", "set-context", "--current", "--namespace=apps").ok().out())
                .isEqualTo("Context \"ctx-b\" modified.\n");
        assertThat(k4j("config", "set-context", "ctx-a", "-n", "y").ok().out())
                .isEqualTo("Context \"ctx-a\" modified.\n");
        assertThat(k4j("config", "set-context", "ctx-new", "--cluster", "c1").ok().out())
                .isEqualTo("Context \"ctx-new\" created.\n");
        assertThat(k4j("config", "get-contexts").ok().out()).isEqualTo(
                "CURRENT   NAME      CLUSTER   AUTHINFO   NAMESPACE\n"
                + "          ctx-a     c1        u1         y\n"
                + "*         ctx-b     c2        u2         apps\n"
                + "          ctx-new   c1                   \n");
        assertThat(Files.readString(b)).contains("namespace: \"y\"");

        CliHarness.Result del = k4j("config", "delete-context", "ctx-a").ok();
        assertThat(del.out()).isEqualTo("deleted context ctx-a from " + b + "\n");
        CliHarness.Result again = k4j("config", "delete-context", "ctx-a");
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).isEqualTo("error: cannot delete context ctx-a, not in " + a + "\n");
    }

    @Test
    void withoutACurrentContextCurrentContextFails() throws IOException {
        Files.writeString(b, Files.readString(b).replace("current-context: ctx-a", ""));
        CliHarness.Result r = k4j("config", "current-context");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: current-context is not set\n");
    }
}
