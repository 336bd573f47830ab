package io.kube4j.cli.commands.pods;

import io.kube4j.cli.api.RemoteCommand;
import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Invocation;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

import java.io.IOException;
import java.io.InputStream;
import java.util.EnumSet;

/**
 * Runs an exec or attach session for a command: plain binary-safe pipes, or with {@code -t} on a real terminal the
 * local terminal in raw mode (JLine), its size sent at the start and on every SIGWINCH, restored at the end.
 */
final class RemoteSession {

    static final String NO_TTY = "Unable to use a TTY - input is not a terminal or the right kind of file";

    private RemoteSession() {
    }

    /** Whether a TTY can be used: asked for, with stdin, on a terminal; else kubectl's warning (and none). */
    /** The flags exec and attach share: {@code -c}, {@code -i}, {@code -t}, {@code -q}. */
    static void streamFlags(io.kube4j.cli.command.Flags.Builder b) {
        b.string("-c, --container", "CONTAINER", null,
                "Container name. If omitted, use the kubectl.kubernetes.io/default-container annotation for selecting "
                        + "the container to be attached or the first container in the pod will be chosen");
        b.bool("-i, --stdin", "Pass stdin to the container");
        b.bool("-t, --tty", "Stdin is a TTY");
        b.bool("-q, --quiet", "Only print output from the remote session");
    }

    static boolean useTty(Invocation inv, boolean ttyFlag, boolean stdinFlag) {
        if (!ttyFlag) {
            return false;
        }
        if (!stdinFlag || !inv.io().terminal()) {
            inv.err().println(NO_TTY);
            return false;
        }
        return true;
    }

    /** Runs the session at {@code path}; the remote exit code (non-zero printed as kubectl does). */
    static int run(Invocation inv, String path, boolean stdin, boolean tty) throws IOException {
        int code;
        if (!tty) {
            code = RemoteCommand.run(inv.client(), path, new RemoteCommand.Streams(stdin ? inv.io().in() : null,
                    inv.out(), inv.err()));
        } else {
            code = runOnTerminal(inv, path);
        }
        if (code != 0) {
            inv.err().println("command terminated with exit code " + code);
        }
        return code;
    }

    private static int runOnTerminal(Invocation inv, String path) throws IOException {
        try (Terminal terminal = TerminalBuilder.builder().system(true).jansi(false).build()) {
            Sinks.Many<int[]> sizes = Sinks.many().replay().latest();
            Size size = terminal.getSize();
            sizes.tryEmitNext(new int[] {size.getColumns(), size.getRows()});
            Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.WINCH, s -> {
                Size now = terminal.getSize();
                sizes.tryEmitNext(new int[] {now.getColumns(), now.getRows()});
            });
            Attributes saved = terminal.enterRawMode();
            Attributes raw = new Attributes(terminal.getAttributes());
            // kubectl's term.MakeRaw: Ctrl-C and Ctrl-Z go to the remote process, output is not post-processed
            raw.setLocalFlags(EnumSet.of(Attributes.LocalFlag.ISIG), false);
            raw.setOutputFlags(EnumSet.of(Attributes.OutputFlag.OPOST), false);
            // kubectl's term.MakeRaw also blocks reads until a byte is there (VMIN 1): one read returns everything the
            // terminal has, so an escape sequence (an arrow key, a cursor-position report) is sent in one piece
            raw.setControlChar(Attributes.ControlChar.VMIN, 1);
            raw.setControlChar(Attributes.ControlChar.VTIME, 0);
            terminal.setAttributes(raw);
            try {
                // the process's stdin itself, not JLine's reader (that one reads byte by byte on a thread of its own)
                InputStream in = inv.io().in();
                Flux<int[]> resizes = sizes.asFlux();
                return RemoteCommand.run(inv.client(), path, new RemoteCommand.Streams(in, inv.out(), null, resizes));
            } catch (RemoteCommand.RemoteFailure e) {
                throw new CliException(e.getMessage());
            } finally {
                terminal.setAttributes(saved);
                terminal.handle(Terminal.Signal.WINCH, previous);
                terminal.flush();
            }
        }
    }

    /** The query parameters for the streams a session uses. */
    static String streamsQuery(boolean stdin, boolean tty) {
        return "&stdin=" + stdin + "&stdout=true&stderr=" + !tty + "&tty=" + tty;
    }
}
