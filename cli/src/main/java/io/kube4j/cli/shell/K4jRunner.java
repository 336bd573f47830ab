package io.kube4j.cli.shell;

import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.output.Io;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.shell.core.InputReader;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.springframework.shell.jline.PromptProvider;
import org.springframework.shell.core.command.Command;
import org.springframework.shell.core.command.CommandArgument;
import org.springframework.shell.core.command.CommandContext;
import org.springframework.shell.core.command.CommandRegistry;
import org.springframework.shell.core.command.ExitStatus;
import org.springframework.shell.core.command.ParsedInput;
import org.springframework.stereotype.Component;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Replaces Spring Shell's application runner. With arguments (one-shot, for scripts) it runs that one command with
 * the words exactly as the OS passed them (Spring Shell's own one-shot runner re-joins them with spaces, which breaks
 * quoting, and drops the exit code) and makes its exit code the process's. Without arguments it starts the
 * interactive shell (unless {@code spring.shell.interactive.enabled} is false: then it does nothing, which is how
 * tests embed the application and call {@link #run(List, Io)}).
 */
@Component("springShellApplicationRunner")
public class K4jRunner implements ApplicationRunner, ExitCodeGenerator {

    private final CommandRegistry registry;
    private final ObjectProvider<LineReader> lineReader;
    private final ObjectProvider<PromptProvider> prompt;
    private final boolean interactive;
    private int exitCode;

    public K4jRunner(CommandRegistry registry, ObjectProvider<LineReader> lineReader,
                     ObjectProvider<PromptProvider> prompt,
                     @Value("${spring.shell.interactive.enabled:true}") boolean interactive) {
        this.registry = registry;
        this.lineReader = lineReader;
        this.prompt = prompt;
        this.interactive = interactive;
    }

    @Override
    public void run(ApplicationArguments args) throws Exception {
        String[] words = args.getSourceArgs();
        if (words.length == 0) {
            if (interactive) {
                interactive(lineReader.getObject(), prompt.getObject(), Io.system());
            }
            return;
        }
        exitCode = run(Arrays.asList(words), Io.system());
    }

    /**
     * The interactive shell: Spring Shell's JLine line reader (its history, our completer and prompt) read line by
     * line, each line run as one-shot words are. A failed command prints its error and the shell goes on;
     * {@code exit}, {@code quit} and Ctrl-D leave; Ctrl-C abandons the line being typed.
     */
    void interactive(LineReader reader, PromptProvider prompt, Io io) {
        while (true) {
            String input;
            try {
                input = reader.readLine(prompt.getPrompt().toAnsi(reader.getTerminal()));
            } catch (UserInterruptException e) {
                continue;
            } catch (EndOfFileException e) {
                return;
            }
            List<String> words;
            try {
                words = CommandLine.words(input);
            } catch (IllegalArgumentException e) {
                io.err().println("error: " + e.getMessage());
                continue;
            }
            if (words.isEmpty()) {
                continue;
            }
            if (words.size() == 1 && (words.get(0).equals("exit") || words.get(0).equals("quit"))) {
                return;
            }
            Thread worker = Thread.currentThread();
            Terminal.SignalHandler previous = reader.getTerminal().handle(Terminal.Signal.INT, s -> worker.interrupt());
            try {
                run(words, io);
            } finally {
                reader.getTerminal().handle(Terminal.Signal.INT, previous);
                Thread.interrupted();
                io.out().flush();
                io.err().flush();
            }
        }
    }

    /** Runs one command line (already split into words); the exit code. */
    public int run(List<String> words, Io io) {
        if (words.isEmpty() || words.get(0).equals("--help") || words.get(0).equals("-h")) {
            printCommands(io);
            return 0;
        }
        CommandLine line = CommandLine.of(words, registry);
        if (line.command() == null) {
            io.err().println("error: unknown command \"" + line.name() + "\" for \"k4j\"");
            io.err().println("Run 'k4j --help' for usage.");
            return 1;
        }
        if (line.command() instanceof KubeCommand k) {
            return k.execute(line.args(), io);
        }
        // Spring Shell's own commands (help, version, ...)
        PrintWriter w = new PrintWriter(io.out(), true, StandardCharsets.UTF_8);
        ParsedInput.Builder b = ParsedInput.builder().commandName(line.name().split(" ")[0]);
        int i = 0;
        for (String a : line.args()) {
            b.addArgument(new CommandArgument(i++, a));
        }
        try {
            ExitStatus s = line.command().execute(new CommandContext(b.build(), registry, w, new InputReader() {
            }));
            w.flush();
            return s.code();
        } catch (Exception e) {
            w.flush();
            io.err().println("error: " + e.getMessage());
            return 1;
        }
    }

    private void printCommands(Io io) {
        io.out().println("k4j controls a kube4j (or any Kubernetes) cluster. Without arguments it is an interactive shell.");
        io.out().println();
        io.out().println("Commands:");
        registry.getCommands().stream().filter(c -> !c.isHidden())
                .sorted(Comparator.comparing(Command::getName))
                .forEach(c -> io.out().printf("  %-22s %s%n", c.getName(), c.getDescription()));
        io.out().println();
        io.out().println("Use \"k4j <command> --help\" for more information about a given command.");
    }

    @Override
    public int getExitCode() {
        return exitCode;
    }
}
