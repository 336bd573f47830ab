package io.kube4j.cli.command;

/** The user's command line is wrong: printed as {@code error: ...} with a pointer to the command's help, exit 1. */
public class UsageException extends RuntimeException {

    public UsageException(String message) {
        super(message);
    }
}
