package io.kube4j.apiserver.testsupport;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Checks for external things a test needs (binaries, a Docker engine). When one is missing the test is skipped
 * with a loud reason, unless the environment variable {@code KUBE4J_REQUIRE_ALL=1} is set: then it fails, so
 * CI cannot go green by skipping everything.
 */
public final class Requirements {

    public static final String REQUIRE_ALL_ENV = "KUBE4J_REQUIRE_ALL";
    private static final List<Path> EXTRA_DIRS = List.of(Path.of("/usr/bin"), Path.of("/usr/local/bin"), Path.of("/bin"));

    private Requirements() {
    }

    /** Whether missing requirements fail instead of skip. */
    public static boolean requireAll() {
        return "1".equals(System.getenv(REQUIRE_ALL_ENV));
    }

    /** The executable {@code name} from PATH (or /usr/bin, /usr/local/bin); skips or fails when absent. */
    public static Path requireBinary(String name) {
        return findBinary(name).orElseGet(() -> {
            missing("the '" + name + "' executable is not on PATH (" + System.getenv("PATH") + ") nor in " + EXTRA_DIRS);
            throw new IllegalStateException("unreachable");
        });
    }

    /** A Docker engine that answers {@code docker version}; skips or fails when there is none. */
    public static void requireDocker() {
        Path docker = requireBinary("docker");
        String problem;
        try {
            Process p = new ProcessBuilder(docker.toString(), "version", "--format", "{{.Server.Version}}")
                    .redirectErrorStream(true).start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                problem = "'docker version' did not answer within 20 s";
            } else if (p.exitValue() != 0) {
                problem = "'docker version' failed: " + new String(p.getInputStream().readAllBytes()).trim();
            } else {
                return;
            }
        } catch (Exception e) {
            problem = "cannot run docker: " + e;
        }
        missing("no running Docker engine: " + problem);
    }

    /** Skips or fails with {@code reason} unless {@code condition} holds. */
    public static void require(boolean condition, String reason) {
        if (!condition) {
            missing(reason);
        }
    }

    public static Optional<Path> findBinary(String name) {
        List<Path> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    dirs.add(Path.of(dir));
                }
            }
        }
        dirs.addAll(EXTRA_DIRS);
        return dirs.stream().map(d -> d.resolve(name))
                .filter(p -> Files.isRegularFile(p) && Files.isExecutable(p))
                .findFirst();
    }

    private static void missing(String reason) {
        if (requireAll()) {
            throw new AssertionError("REQUIRED BUT MISSING (" + REQUIRE_ALL_ENV + "=1): " + reason);
        }
        String message = "SKIPPED, requirement missing: " + reason + " (set " + REQUIRE_ALL_ENV + "=1 to fail instead)";
        System.err.println("!!!!! " + message);
        Assumptions.abort(message);
    }
}
