package io.kube4j.cli.output;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where a command reads and writes: the process's stdin/stdout/stderr in real use, captured streams in tests. Commands
 * never touch {@code System.out} directly. {@code terminal} says whether stdout is a terminal (colour, progress bars);
 * {@code env} is the environment the command sees ({@code KUBECONFIG}, {@code EDITOR}, {@code NO_COLOR}, {@code HOME}).
 */
public record Io(InputStream in, PrintStream out, PrintStream err, boolean terminal, Map<String, String> env,
                 Path workingDir) {

    /** The process's own streams and environment. */
    public static Io system() {
        return new Io(System.in, new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8), System.err, System.console() != null, System.getenv(),
                Path.of("").toAbsolutePath());
    }

    /** A variable of {@link #env()}, or null. */
    public String env(String name) {
        return env.get(name);
    }

    /** A path the user typed, relative to {@link #workingDir()}. */
    public Path path(String p) {
        return workingDir.resolve(p);
    }
}
