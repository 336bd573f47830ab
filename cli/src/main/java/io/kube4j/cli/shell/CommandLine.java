package io.kube4j.cli.shell;

import org.springframework.shell.core.command.Command;
import org.springframework.shell.core.command.CommandRegistry;

import java.util.ArrayList;
import java.util.List;

/**
 * A command line split into the command (the longest run of leading words that names a registered command:
 * {@code rollout status}, {@code config use-context}) and its raw arguments.
 */
public record CommandLine(Command command, String name, List<String> args) {

    /** Splits {@code words}; the command is null when no registered command matches the first word. */
    public static CommandLine of(List<String> words, CommandRegistry registry) {
        Command best = null;
        int bestLen = 0;
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (w.startsWith("-")) {
                break;
            }
            if (i > 0) {
                name.append(' ');
            }
            name.append(w);
            Command c = registry.getCommandByName(name.toString());
            if (c == null) {
                c = registry.getCommandByAlias(name.toString());
            }
            if (c != null) {
                best = c;
                bestLen = i + 1;
            } else if (registry.getCommandsByPrefix(name + " ").isEmpty()) {
                break;
            }
        }
        if (best == null) {
            return new CommandLine(null, words.isEmpty() ? "" : words.get(0), words.isEmpty() ? List.of()
                    : List.copyOf(words.subList(1, words.size())));
        }
        return new CommandLine(best, String.join(" ", words.subList(0, bestLen)),
                List.copyOf(words.subList(bestLen, words.size())));
    }

    /**
     * Splits a typed line into words as a POSIX shell does for quoting: single quotes keep everything, double quotes
     * keep everything but {@code \"} and {@code \\}, a backslash outside quotes escapes the next character.
     */
    public static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote == '\'') {
                if (c == '\'') {
                    quote = 0;
                } else {
                    cur.append(c);
                }
            } else if (quote == '"') {
                if (c == '"') {
                    quote = 0;
                } else if (c == '\\' && i + 1 < line.length() && (line.charAt(i + 1) == '"'
                        || line.charAt(i + 1) == '\\')) {
                    cur.append(line.charAt(++i));
                } else {
                    cur.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (c == '\\' && i + 1 < line.length()) {
                cur.append(line.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(cur.toString());
                    cur.setLength(0);
                    inWord = false;
                }
            } else {
                cur.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unterminated " + (quote == '\'' ? "single" : "double") + " quote");
        }
        if (inWord) {
            words.add(cur.toString());
        }
        return words;
    }
}
