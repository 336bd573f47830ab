package io.kube4j.cli.commands.pods;

import io.kube4j.cli.testsupport.CliHarness;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * k4j as a process (the exec jar) under another program, for what needs one: a pseudo-terminal ({@code script}).
 * Output goes to files read at will; stdin is an open pipe.
 */
final class K4jProcess implements AutoCloseable {

    private final Process process;
    private final Path out;
    private final Path err;

    private K4jProcess(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    /** Any command line (e.g. {@code script -qec "..."}) with {@code KUBECONFIG=kubeconfig}. */
    static K4jProcess startCommand(Path dir, Path kubeconfig, List<String> cmd) {
        try {
            Path o = Files.createTempFile(dir, "k4j", ".out");
            Path e = Files.createTempFile(dir, "k4j", ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(o.toFile()).redirectError(e.toFile());
            pb.environment().put("KUBECONFIG", kubeconfig.toString());
            pb.environment().put("HOME", dir.toString());
            return new K4jProcess(pb.start(), o, e);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static String jar() {
        return CliHarness.execJar().toAbsolutePath().toString();
    }

    String out() {
        return read(out);
    }

    String err() {
        return read(err);
    }

    boolean alive() {
        return process.isAlive();
    }

    void type(String text) {
        try {
            OutputStream in = process.getOutputStream();
            in.write(text.getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    int waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("k4j did not exit within " + seconds + " s; stdout: " + out() + "\nstderr: " + err());
        }
        return process.exitValue();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
