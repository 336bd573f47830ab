package io.kube4j.cli.shell;

import io.kube4j.cli.api.ApiResource;
import io.kube4j.cli.api.Discovery;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.output.Io;
import io.kube4j.cli.session.Sessions;
import io.kube4j.api.codec.Codecs;
import org.jline.reader.Candidate;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;
import org.springframework.shell.core.command.CommandRegistry;
import org.springframework.shell.jline.CommandCompleter;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The interactive shell's Tab completion (replaces Spring Shell's {@link CommandCompleter}): {@link Completions} fed
 * with the live cluster of the context in use. Names are LISTed from the apiserver and cached for a few seconds;
 * any failure (no cluster, no permission) just offers nothing.
 */
@Component
public class K4jCompleter extends CommandCompleter implements Completions.Source {

    private static final Duration TTL = Duration.ofSeconds(5);
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final Completions completions;
    private final Sessions sessions;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(long at, List<String> values) {
    }

    public K4jCompleter(CommandRegistry registry, Sessions sessions) {
        super(registry);
        this.sessions = sessions;
        this.completions = new Completions(registry, this);
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        List<String> words = line.words();
        int idx = Math.min(line.wordIndex(), words.size());
        List<String> prior = new ArrayList<>(words.subList(0, idx));
        prior.removeIf(String::isEmpty);
        String current = line.word() == null ? "" : line.word().substring(0, Math.min(line.wordCursor(),
                line.word().length()));
        for (String c : completions.complete(prior, current)) {
            // "type/" and "--flag=" continue the same word
            boolean complete = !c.endsWith("/") && !c.endsWith("=");
            candidates.add(new Candidate(c, c, null, null, null, null, complete));
        }
    }

    private Invocation invocation(Flags.Parsed flags) {
        return new Invocation("completion", flags, Io.system(), sessions);
    }

    @Override
    public List<String> resourceTypes(Flags.Parsed flags) {
        return cached("types|" + key(flags), () -> {
            TreeSet<String> types = new TreeSet<>();
            for (ApiResource r : discovery(flags).resources()) {
                if (r.supports("list")) {
                    types.add(r.plural());
                }
            }
            return List.copyOf(types);
        });
    }

    @Override
    public List<String> names(Flags.Parsed flags, String type) {
        Invocation inv = invocation(flags);
        return cached("names|" + key(flags) + "|" + inv.namespace() + "|" + type, () -> {
            ApiResource r = discovery(flags).resolve(type);
            String path = r.collectionPath(r.namespaced() ? inv.namespace() : null);
            byte[] body = inv.client().raw().get(path).block(TIMEOUT);
            List<String> names = new ArrayList<>();
            for (JsonNode item : Codecs.json().readTree(body).path("items")) {
                names.add(item.path("metadata").path("name").asString());
            }
            names.sort(null);
            return names;
        });
    }

    @Override
    public List<String> contexts(Flags.Parsed flags) {
        try {
            return invocation(flags).kubeconfigs().contextNames();
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    private Discovery discovery(Flags.Parsed flags) {
        return invocation(flags).discovery();
    }

    private static String key(Flags.Parsed flags) {
        return flags.string("kubeconfig") + "|" + flags.string("context");
    }

    private List<String> cached(String key, java.util.function.Supplier<List<String>> load) {
        long now = System.nanoTime();
        Cached c = cache.get(key);
        if (c != null && now - c.at() < TTL.toNanos()) {
            return c.values();
        }
        try {
            List<String> v = load.get();
            cache.put(key, new Cached(now, v));
            return v;
        } catch (RuntimeException e) {
            return List.of();
        }
    }
}
