package io.kube4j.cli.command;

import io.kube4j.cli.api.Discovery;
import io.kube4j.cli.output.Io;
import io.kube4j.cli.session.Sessions;
import io.kube4j.client.ApiStatusException;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.shell.core.command.Command;
import org.springframework.shell.core.command.CommandArgument;
import org.springframework.shell.core.command.CommandContext;
import org.springframework.shell.core.command.ExitStatus;

import java.net.ConnectException;
import java.util.List;
import java.util.Locale;

/**
 * A {@code k4j} command: a Spring Shell {@link Command} whose arguments are the raw words the user typed, parsed
 * kubectl's way by {@link Flags}. Subclasses declare their flags ({@link #flags}) and do the work ({@link #run});
 * this class adds the global flags, prints help, and turns failures into kubectl's messages and exit codes.
 * Commands are Spring beans ({@code @Component}); their name may have several words ({@code rollout status}).
 */
public abstract class KubeCommand implements Command {

    private final String name;
    private final String description;
    private volatile Flags flags;
    private Sessions sessions;

    protected KubeCommand(String name, String description) {
        this.name = name;
        this.description = description;
    }

    @Autowired
    void setSessions(Sessions sessions) {
        this.sessions = sessions;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public String getDescription() {
        return description;
    }

    @Override
    public String getGroup() {
        return "Kubernetes";
    }

    /** The command's own flags (the global ones are added for every command). */
    protected void flags(Flags.Builder b) {
    }

    /** Longer help printed after the description by {@code --help}: examples, mostly. */
    protected String examples() {
        return "";
    }

    /** Does the work; the exit code (0 success). Throw {@link UsageException} or {@link CliException} to fail. */
    protected abstract int run(Invocation inv) throws Exception;

    public Flags flagSpec() {
        Flags f = flags;
        if (f == null) {
            Flags.Builder b = Flags.builder(name);
            globalFlags(b);
            flags(b);
            f = flags = b.build();
        }
        return f;
    }

    static void globalFlags(Flags.Builder b) {
        b.string("--kubeconfig", "FILE", null, "Path to the kubeconfig file to use for CLI requests.");
        b.string("--context", "NAME", null, "The name of the kubeconfig context to use");
        b.string("-n, --namespace", "NAMESPACE", null, "If present, the namespace scope for this CLI request");
        b.string("--request-timeout", "DURATION", "0",
                "The length of time to wait before giving up on a single server request (0: the default, 30s)");
        b.bool("--no-color", "Never colour the output (it is coloured only on a terminal anyway)");
        b.bool("-h, --help", "Help for this command");
    }

    /** Spring Shell's entry (interactive mode): the arguments are the raw words after the command name. */
    @Override
    public ExitStatus execute(CommandContext context) {
        List<String> args = context.parsedInput().arguments().stream().map(CommandArgument::value).toList();
        int code = execute(args, Io.system());
        return code == 0 ? ExitStatus.OK : new ExitStatus(code, "exit code " + code);
    }

    /** Runs with {@code args} (the words after the command name), writing to {@code io}; the exit code. */
    public int execute(List<String> args, Io io) {
        try {
            Flags.Parsed parsed = flagSpec().parse(args);
            if (parsed.bool("help")) {
                io.out().println(description);
                String ex = examples();
                if (!ex.isBlank()) {
                    io.out().println();
                    io.out().println("Examples:");
                    io.out().println(ex.stripTrailing());
                }
                io.out().println();
                io.out().print(flagSpec().usage());
                io.out().flush();
                return 0;
            }
            Invocation inv = new Invocation(name, parsed, io, sessions);
            int code = run(inv);
            io.out().flush();
            return code;
        } catch (Throwable e) {
            io.out().flush();
            return report(e, io);
        }
    }

    /** Prints {@code e} as kubectl would and returns the exit code. */
    int report(Throwable e, Io io) {
        Throwable t = unwrap(e);
        if (t instanceof CliException c) {
            if (c.getMessage() != null) {
                io.err().println("error: " + c.getMessage());
            }
            return c.exitCode();
        }
        if (t instanceof UsageException) {
            io.err().println("error: " + t.getMessage());
            io.err().println("See 'k4j " + name + " -h' for help and examples");
            return 1;
        }
        if (t instanceof ApiStatusException a) {
            io.err().println(serverError(a));
            return 1;
        }
        if (t instanceof Discovery.ResourceTypeNotFound) {
            io.err().println("error: " + t.getMessage());
            return 1;
        }
        ConnectException refused = cause(t, ConnectException.class);
        if (refused != null) {
            String server;
            try {
                server = java.net.URI.create(new Invocation(name, flagSpec().parse(List.of()), io, sessions)
                        .clientConfig().server()).getAuthority();
            } catch (RuntimeException ignored) {
                server = "the server";
            }
            io.err().println("The connection to the server " + server
                    + " was refused - did you specify the right host or port?");
            return 1;
        }
        String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        io.err().println("error: " + msg);
        if (System.getenv("K4J_DEBUG") != null) {
            t.printStackTrace(io.err());
        }
        return 1;
    }

    /** {@code Error from server (NotFound): pods "x" not found}. */
    public static String serverError(ApiStatusException a) {
        String reason = a.status() != null && a.status().getReason() != null && !a.status().getReason().isEmpty()
                ? a.status().getReason() : reasonOf(a.code());
        return "Error from server (" + reason + "): " + a.getMessage();
    }

    private static String reasonOf(int code) {
        return switch (code) {
            case 400 -> "BadRequest";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "NotFound";
            case 405 -> "MethodNotAllowed";
            case 409 -> "Conflict";
            case 410 -> "Gone";
            case 422 -> "Invalid";
            case 429 -> "TooManyRequests";
            case 500 -> "InternalError";
            case 503 -> "ServiceUnavailable";
            case 504 -> "Timeout";
            default -> "Unknown (" + code + ")";
        };
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof java.util.concurrent.CompletionException
                || t instanceof java.util.concurrent.ExecutionException
                || t.getClass().getName().startsWith("reactor.core.Exceptions$"))
                && t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        if (!(t instanceof ApiStatusException) && t.getCause() instanceof ApiStatusException a) {
            return a;
        }
        return t;
    }

    private static <X extends Throwable> X cause(Throwable t, Class<X> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    /** A word as kubectl lower-cases it. */
    protected static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
