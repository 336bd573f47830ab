package io.kube4j.proxy.exec;

import java.time.Duration;
import java.util.List;

/**
 * Runs a host command (iptables-restore, iptables-save, ipvsadm, ipset, ip, conntrack): the one side effect every
 * proxy mode has, behind a narrow interface with a recording fake beside it for unit tests (kube-proxy's
 * {@code utilexec.Interface} / {@code iptablestest.NewFake}).
 */
public interface CommandRunner {

    /**
     * Runs {@code argv} with {@code stdin} (may be empty) and waits for it.
     *
     * @return its exit code and output; a non-zero exit is a result, not an exception
     * @throws CommandException when the command cannot be started (not installed) or exceeds {@code timeout}
     */
    Result run(List<String> argv, byte[] stdin, Duration timeout);

    /** {@link #run(List, byte[], Duration)} without input, with a 30 s timeout. */
    default Result run(String... argv) {
        return run(List.of(argv), new byte[0], Duration.ofSeconds(30));
    }

    /** True when {@code command} (a bare name looked up on PATH and in /usr/sbin, /sbin, or a path) can be run. */
    boolean available(String command);

    /**
     * A finished command.
     *
     * @param argv     what ran
     * @param exitCode its exit code
     * @param stdout   what it printed
     * @param stderr   what it printed on stderr
     */
    record Result(List<String> argv, int exitCode, String stdout, String stderr) {

        public boolean ok() {
            return exitCode == 0;
        }

        /** This result, or a {@link CommandException} naming the command, its exit code and stderr. */
        public Result orThrow() {
            if (!ok()) {
                throw new CommandException(String.join(" ", argv) + " exited " + exitCode
                        + (stderr.isBlank() ? "" : ": " + stderr.strip()));
            }
            return this;
        }
    }

    /** A command that could not run or did not succeed; the message names it. */
    class CommandException extends RuntimeException {
        public CommandException(String message) {
            super(message);
        }

        public CommandException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
