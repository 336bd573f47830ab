package io.kube4j.cli.shell;

import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import org.junit.jupiter.api.Test;
import org.springframework.shell.core.command.CommandRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The completion logic with a fake cluster: which words are offered where. */
class CompletionsTest {

    /** A command that declares an output flag, as get does. */
    static final class Cmd extends KubeCommand {
        Cmd(String name) {
            super(name, name);
        }

        @Override
        protected void flags(Flags.Builder b) {
            b.string("-o, --output", "FORMAT", null, "format");
            b.bool("-w, --watch", "watch");
        }

        @Override
        protected int run(Invocation inv) {
            return 0;
        }
    }

    private final List<String> asked = new ArrayList<>();

    private final Completions.Source cluster = new Completions.Source() {
        @Override
        public List<String> resourceTypes(Flags.Parsed flags) {
            return List.of("deployments", "namespaces", "nodes", "pods");
        }

        @Override
        public List<String> names(Flags.Parsed flags, String type) {
            asked.add(type + "@" + flags.string("namespace"));
            return switch (type) {
                case "pods", "pod", "po" -> List.of("web-1", "web-2", "db-0");
                case "namespaces" -> List.of("default", "team");
                case "nodes" -> List.of("node-0");
                default -> List.of();
            };
        }

        @Override
        public List<String> contexts(Flags.Parsed flags) {
            return List.of("dev", "prod");
        }
    };

    private final Completions completions = new Completions(new CommandRegistry(Set.of(new Cmd("get"),
            new Cmd("logs"), new Cmd("config use-context"), new Cmd("config view"), new Cmd("create"),
            new Cmd("create deployment"), new Cmd("cordon"))), cluster);

    private List<String> complete(String line) {
        List<String> words = new ArrayList<>(CommandLine.words(line));
        String current = line.isEmpty() || line.endsWith(" ") ? "" : words.remove(words.size() - 1);
        return completions.complete(words, current);
    }

    @Test
    void commandWordsIncludingMultiWordNames() {
        assertThat(complete("")).containsExactly("config", "cordon", "create", "get", "logs");
        assertThat(complete("co")).containsExactly("config", "cordon");
        assertThat(complete("config ")).containsExactly("use-context", "view");
        assertThat(complete("config u")).containsExactly("use-context");
        // "create" is a command and a prefix of "create deployment": both the subcommand and nothing else
        assertThat(complete("create d")).containsExactly("deployment");
    }

    @Test
    void typesThenLiveNamesOfTheTypeInTheNamespaceTyped() {
        assertThat(complete("get ")).containsExactly("deployments", "namespaces", "nodes", "pods");
        assertThat(complete("get po")).containsExactly("pods");
        assertThat(complete("get pods ")).containsExactly("db-0", "web-1", "web-2");
        assertThat(complete("get -n team pods w")).containsExactly("web-1", "web-2");
        assertThat(asked).contains("pods@team");
        assertThat(complete("get pods web-1 ")).containsExactly("db-0", "web-2");
        assertThat(complete("get po/w")).containsExactly("po/web-1", "po/web-2");
        assertThat(complete("get -w pods --output yaml ")).containsExactly("db-0", "web-1", "web-2");
    }

    @Test
    void flagsAndFlagValues() {
        assertThat(complete("get --o")).containsExactly("--output");
        assertThat(complete("get -o ")).contains("json", "yaml", "wide", "name");
        assertThat(complete("get --output=y")).containsExactly("--output=yaml");
        assertThat(complete("get pods -n ")).containsExactly("default", "team");
        assertThat(complete("get --namespace=t")).containsExactly("--namespace=team");
        assertThat(complete("get --context ")).containsExactly("dev", "prod");
    }

    @Test
    void podsForLogsNodesForCordonContextsForUseContext() {
        assertThat(complete("logs ")).containsExactly("db-0", "web-1", "web-2");
        assertThat(complete("logs web-1 ")).isEmpty();
        assertThat(complete("cordon ")).containsExactly("node-0");
        assertThat(complete("config use-context ")).containsExactly("dev", "prod");
        assertThat(complete("config use-context dev ")).isEmpty();
    }

    @Test
    void positionalsSkipFlagsAndTheirValues() {
        Map<String, Boolean> flags = Map.of("-n", true, "-w", false);
        assertThat(Completions.positionals(List.of("-n", "x", "pods", "-w", "a", "--x=y", "--", "z"), flags))
                .containsExactly("pods", "a");
    }
}
