package io.kube4j.cli.command;

/**
 * A failure the command has already explained: {@code message} is printed as {@code error: message} (unless null)
 * and the process exits with {@code exitCode} (e.g. an exec'd command's own exit code).
 */
public class CliException extends RuntimeException {

    private final int exitCode;

    public CliException(String message) {
        this(message, 1);
    }

    public CliException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
