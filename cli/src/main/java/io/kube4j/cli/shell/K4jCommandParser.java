package io.kube4j.cli.shell;

import org.springframework.shell.core.command.CommandArgument;
import org.springframework.shell.core.command.CommandParser;
import org.springframework.shell.core.command.CommandRegistry;
import org.springframework.shell.core.command.ParsedInput;
import org.springframework.stereotype.Component;

import java.util.List;

/**
 * Replaces Spring Shell's parser (which splits on spaces and knows only double quotes) in the interactive shell:
 * shell quoting, the longest registered multi-word command name, and every other word handed to the command as a
 * raw argument for kubectl-style flag parsing ({@link io.kube4j.cli.command.Flags}).
 */
@Component
public class K4jCommandParser implements CommandParser {

    private final CommandRegistry registry;

    public K4jCommandParser(CommandRegistry registry) {
        this.registry = registry;
    }

    @Override
    public ParsedInput parse(String input) {
        List<String> words = CommandLine.words(input.trim());
        CommandLine line = CommandLine.of(words, registry);
        String[] nameWords = line.name().isEmpty() ? new String[]{""} : line.name().split(" ");
        ParsedInput.Builder b = ParsedInput.builder().commandName(nameWords[0]);
        for (int i = 1; i < nameWords.length; i++) {
            b.addSubCommand(nameWords[i]);
        }
        int i = 0;
        for (String a : line.args()) {
            b.addArgument(new CommandArgument(i++, a));
        }
        return b.build();
    }
}
