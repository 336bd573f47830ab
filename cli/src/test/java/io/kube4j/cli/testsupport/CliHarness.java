package io.kube4j.cli.testsupport;

import io.kube4j.cli.K4jApplication;
import io.kube4j.cli.output.Io;
import io.kube4j.cli.shell.K4jRunner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * k4j in this JVM: the real Spring application (commands, parser, sessions) started once, commands run with captured
 * stdout/stderr and an environment of the test's choosing. What one-shot {@code k4j ARGS...} does, minus the JVM
 * start; tests of the process itself (exit codes, a pty) run the exec jar instead ({@link #execJar()}).
 */
public final class CliHarness {

    private static CliHarness shared;

    private final ConfigurableApplicationContext context;
    private final K4jRunner runner;

    private CliHarness() {
        Map<String, Object> props = new HashMap<>(K4jApplicationProperties.oneShot());
        props.put("spring.shell.interactive.enabled", "false");
        // the test JVM excludes Spring Shell's auto-configuration (a system property, so that the in-process
        // apiservers and agents do not run a shell); k4j's own context needs it back, above system properties
        context = new SpringApplicationBuilder(K4jApplication.class).web(WebApplicationType.NONE)
                .properties(props).logStartupInfo(false)
                .initializers(c -> c.getEnvironment().getPropertySources().addFirst(new MapPropertySource(
                        "k4j-harness", Map.of("spring.autoconfigure.exclude", "",
                                "spring.shell.interactive.enabled", "false"))))
                .run();
        runner = context.getBean(K4jRunner.class);
    }

    /** The harness of this test JVM (started on first use, closed at exit). */
    public static synchronized CliHarness shared() {
        if (shared == null) {
            shared = new CliHarness();
            Runtime.getRuntime().addShutdownHook(new Thread(shared.context::close));
        }
        return shared;
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    /** What one run printed and returned. */
    public record Result(int code, String out, String err) {
        /** Asserts success (exit 0) and returns this, for chaining; the failure message shows stderr. */
        public Result ok() {
            if (code != 0) {
                throw new AssertionError("k4j exited " + code + "\nstdout:\n" + out + "\nstderr:\n" + err);
            }
            return this;
        }
    }

    /** Runs {@code args} with {@code KUBECONFIG=kubeconfig}, no stdin, not a terminal. */
    public Result run(Path kubeconfig, String... args) {
        return run(Map.of("KUBECONFIG", kubeconfig.toString()), "", args);
    }

    /** Runs {@code args} with exactly {@code env} (HOME defaults to a directory with no kubeconfig) and {@code stdin}. */
    public Result run(Map<String, String> env, String stdin, String... args) {
        Map<String, String> e = new HashMap<>(env);
        e.putIfAbsent("HOME", System.getProperty("java.io.tmpdir") + "/k4j-test-home");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream r = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            Io io = new Io(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), o, r, false, e,
                    Path.of("").toAbsolutePath());
            int code = runner.run(List.copyOf(Arrays.asList(args)), io);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }

    /** The built one-shot jar ({@code cli/target/cli-*-exec.jar}), for tests that run k4j as a process. */
    public static Path execJar() {
        Path target = Path.of("target");
        try (var s = java.nio.file.Files.list(target)) {
            return s.filter(p -> p.getFileName().toString().matches("cli-.*-exec\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no cli-*-exec.jar in " + target.toAbsolutePath()
                            + ": run the failsafe tests after `package`"));
        } catch (java.io.IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    /** K4jApplication's default properties for one-shot runs (package-private there). */
    static final class K4jApplicationProperties {
        static Map<String, Object> oneShot() {
            return K4jApplication.defaultProperties(true);
        }
    }
}
