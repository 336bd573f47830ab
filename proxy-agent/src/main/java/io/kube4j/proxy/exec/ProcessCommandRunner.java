package io.kube4j.proxy.exec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * {@link CommandRunner} that starts real processes. Bare command names are looked up on {@code PATH} and then in
 * {@code /usr/sbin} and {@code /sbin} (where Debian puts iptables, ipvsadm and ipset, often missing from a
 * non-root {@code PATH}). stdout and stderr are drained on their own threads so that large outputs
 * ({@code iptables-save} of 10,000 services) never block the process.
 */
public final class ProcessCommandRunner implements CommandRunner {

    private static final List<String> EXTRA_DIRS = List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin");

    @Override
    public Result run(List<String> argv, byte[] stdin, Duration timeout) {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        List<String> cmd = new ArrayList<>(argv);
        Path exe = resolve(cmd.get(0));
        if (exe == null) {
            throw new CommandException(cmd.get(0) + " is not installed (not on PATH, /usr/sbin or /sbin)");
        }
        cmd.set(0, exe.toString());
        Process p;
        try {
            p = new ProcessBuilder(cmd).start();
        } catch (IOException e) {
            throw new CommandException("cannot run " + String.join(" ", argv) + ": " + e.getMessage(), e);
        }
        CompletableFuture<byte[]> out = drain(p.getInputStream());
        CompletableFuture<byte[]> err = drain(p.getErrorStream());
        // Input is written on its own thread: iptables-restore does its (slow) work while reading, and the timeout
        // must bound that too, not start only once all of the input was taken.
        CompletableFuture<Void> feed = CompletableFuture.runAsync(() -> {
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null && stdin.length > 0) {
                    in.write(stdin);
                }
            } catch (IOException e) {
                // the process exited (or was killed) without reading all of its input; its exit code and stderr say why
            }
        }, ProcessCommandRunner::daemon);
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                feed.cancel(true);
                throw new CommandException(String.join(" ", argv) + " did not finish within " + timeout);
            }
            return new Result(List.copyOf(argv), p.exitValue(),
                    new String(out.get(), StandardCharsets.UTF_8), new String(err.get(), StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CommandException("interrupted while running " + String.join(" ", argv), e);
        } catch (ExecutionException e) {
            throw new CommandException("cannot read the output of " + String.join(" ", argv), e.getCause());
        }
    }

    @Override
    public boolean available(String command) {
        return resolve(command) != null;
    }

    private static Path resolve(String command) {
        if (command.contains("/")) {
            Path p = Path.of(command);
            return Files.isExecutable(p) ? p : null;
        }
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(":")));
        }
        dirs.addAll(EXTRA_DIRS);
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, command);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    private static CompletableFuture<byte[]> drain(InputStream s) {
        return CompletableFuture.supplyAsync(() -> {
            try (s; ByteArrayOutputStream buf = new ByteArrayOutputStream()) {
                s.transferTo(buf);
                return buf.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, ProcessCommandRunner::daemon);
    }

    private static void daemon(Runnable r) {
        Thread t = new Thread(r, "command-io");
        t.setDaemon(true);
        t.start();
    }
}
