package io.kube4j.cli.commands.pods;

import io.kube4j.cli.output.Io;
import io.kube4j.cli.shell.K4jRunner;
import io.kube4j.cli.testsupport.CliHarness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A k4j command running in this JVM on a thread of its own (the real application of {@link CliHarness}), for commands
 * that keep running ({@code logs -f}, {@code attach}, {@code port-forward}): output read while it runs, stdin typed
 * at will, stopped like Ctrl-C stops kubectl (here: an interrupt).
 */
final class RunningK4j implements AutoCloseable {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final PipedOutputStream stdin = new PipedOutputStream();
    private final Thread thread;
    private volatile Integer code;

    private RunningK4j(Path kubeconfig, List<String> args) throws IOException {
        PipedInputStream in = new PipedInputStream(stdin, 64 * 1024);
        Map<String, String> env = new HashMap<>();
        env.put("KUBECONFIG", kubeconfig.toString());
        env.put("HOME", System.getProperty("java.io.tmpdir") + "/k4j-test-home");
        Io io = new Io(in, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false, env, Path.of("").toAbsolutePath());
        K4jRunner runner = CliHarness.shared().bean(K4jRunner.class);
        thread = new Thread(() -> code = runner.run(args, io), "k4j-test-" + args.get(0));
        thread.setDaemon(true);
        thread.start();
    }

    static RunningK4j start(Path kubeconfig, String... args) {
        try {
            return new RunningK4j(kubeconfig, List.of(args));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** The exit code once it ended, else null. */
    Integer code() {
        return code;
    }

    void type(String text) {
        try {
            stdin.write(text.getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws Exception {
        thread.interrupt();
        stdin.close();
        thread.join(10_000);
        if (thread.isAlive()) {
            throw new AssertionError("k4j did not stop when interrupted; stdout: " + out() + "\nstderr: " + err());
        }
    }
}
