package io.kube4j.proxy.exec;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A {@link CommandRunner} for unit tests: records every command with its input and answers with what the test
 * scripted (by default: exit 0, no output).
 */
public final class RecordingCommandRunner implements CommandRunner {

    /** One recorded call. */
    public record Call(List<String> argv, String stdin) {
        public String command() {
            return String.join(" ", argv);
        }
    }

    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final List<Function<Call, Result>> responders = new CopyOnWriteArrayList<>();
    private volatile Set<String> installed = null;

    /** Answers calls whose command line starts with {@code prefix} with {@code exitCode}/{@code stdout}/{@code stderr}. */
    public RecordingCommandRunner respond(String prefix, int exitCode, String stdout, String stderr) {
        responders.add(0, c -> c.command().startsWith(prefix) ? new Result(c.argv(), exitCode, stdout, stderr) : null);
        return this;
    }

    /** Only these commands are {@link #available}; by default every command is. */
    public RecordingCommandRunner installed(String... commands) {
        installed = Set.of(commands);
        return this;
    }

    @Override
    public Result run(List<String> argv, byte[] stdin, Duration timeout) {
        Call call = new Call(List.copyOf(argv), stdin == null ? "" : new String(stdin, StandardCharsets.UTF_8));
        calls.add(call);
        for (Function<Call, Result> r : responders) {
            Result res = r.apply(call);
            if (res != null) {
                return res;
            }
        }
        return new Result(call.argv(), 0, "", "");
    }

    @Override
    public boolean available(String command) {
        return installed == null || installed.contains(command);
    }

    /** Every call so far, in order. */
    public List<Call> calls() {
        return new ArrayList<>(calls);
    }

    /** Calls whose command line starts with {@code prefix}. */
    public List<Call> calls(String prefix) {
        return calls.stream().filter(c -> c.command().startsWith(prefix)).toList();
    }

    public void clear() {
        calls.clear();
    }
}
