package io.kube4j.cli.commands.pods;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A detached tmux session (on a tmux server of its own) running one shell command on a real pseudo-terminal of a
 * given size: keys typed into it, its screen read back, its window resized (the program in it gets SIGWINCH).
 */
final class TmuxSession implements AutoCloseable {

    private final String socket = "k4j-it-" + UUID.randomUUID().toString().substring(0, 8);
    private final Path dir;

    private TmuxSession(Path dir) {
        this.dir = dir;
    }

    /** Starts {@code command} (run by the shell) in a {@code width}x{@code height} window. */
    static TmuxSession start(Path dir, String command, int width, int height) {
        TmuxSession s = new TmuxSession(dir);
        s.tmux("new-session", "-d", "-s", "k4j", "-x", Integer.toString(width), "-y", Integer.toString(height), command);
        return s;
    }

    /** Types {@code keys} followed by Enter. */
    void typeLine(String keys) {
        tmux("send-keys", "-t", "k4j", "-l", keys);
        tmux("send-keys", "-t", "k4j", "Enter");
    }

    void resize(int width, int height) {
        tmux("resize-window", "-t", "k4j", "-x", Integer.toString(width), "-y", Integer.toString(height));
    }

    /** The screen and its scroll-back as text (empty once the session has ended). */
    String screen() {
        return run(true, "capture-pane", "-p", "-J", "-S", "-1000", "-t", "k4j");
    }

    private String tmux(String... args) {
        return run(false, args);
    }

    private String run(boolean lenient, String... args) {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket));
        cmd.addAll(List.of(args));
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("TMUX_TMPDIR", dir.toString());
            pb.environment().remove("TMUX");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("tmux " + String.join(" ", args) + " did not finish");
            }
            if (p.exitValue() != 0 && !lenient) {
                throw new IllegalStateException("tmux " + String.join(" ", args) + " failed: " + out);
            }
            return p.exitValue() == 0 ? out : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        run(true, "kill-server");
    }
}
