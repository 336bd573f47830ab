package io.kube4j.cli.command;

import io.kube4j.cli.api.Discovery;
import io.kube4j.cli.output.Colors;
import io.kube4j.cli.output.Io;
import io.kube4j.cli.session.KubeConfigs;
import io.kube4j.cli.session.Sessions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.config.ClientConfig;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/**
 * One run of one command: its parsed flags, where it writes, and (lazily) the kubeconfig, client and discovery the
 * global flags ({@code --kubeconfig}, {@code --context}, {@code -n}, {@code --request-timeout}) select.
 */
public final class Invocation {

    private final String command;
    private final Flags.Parsed flags;
    private final Io io;
    private final Sessions sessions;
    private final Colors colors;
    private KubeConfigs kubeconfigs;
    private ClientConfig clientConfig;

    public Invocation(String command, Flags.Parsed flags, Io io, Sessions sessions) {
        this.command = command;
        this.flags = flags;
        this.io = io;
        this.sessions = sessions;
        boolean color = io.terminal() && !flags.bool("no-color") && io.env("NO_COLOR") == null;
        this.colors = new Colors(color);
    }

    public String command() {
        return command;
    }

    public Flags.Parsed flags() {
        return flags;
    }

    /** The positional arguments (before {@code --}). */
    public List<String> args() {
        return flags.args();
    }

    public Io io() {
        return io;
    }

    public PrintStream out() {
        return io.out();
    }

    public PrintStream err() {
        return io.err();
    }

    public Colors colors() {
        return colors;
    }

    /** The merged kubeconfig ({@code --kubeconfig}, else {@code $KUBECONFIG}, else {@code ~/.kube/config}). */
    public KubeConfigs kubeconfigs() {
        if (kubeconfigs == null) {
            kubeconfigs = KubeConfigs.load(flags.string("kubeconfig"), io.env());
        }
        return kubeconfigs;
    }

    /** The context in use: {@code --context}, else the current context (null if none). */
    public String contextName() {
        String c = flags.string("context");
        return c != null && !c.isBlank() ? c : kubeconfigs().currentContext();
    }

    public ClientConfig clientConfig() {
        if (clientConfig == null) {
            clientConfig = kubeconfigs().clientConfig(flags.string("context"));
        }
        return clientConfig;
    }

    public KubeClient client() {
        String t = flags.string("request-timeout");
        return sessions.client(clientConfig(), t == null || t.isBlank() || t.equals("0") ? null : Durations.parse(t));
    }

    public Discovery discovery() {
        return sessions.discovery(client());
    }

    public Sessions sessions() {
        return sessions;
    }

    /** The namespace: {@code -n}, else the context's, else {@code default}. */
    public String namespace() {
        String n = flags.string("namespace");
        if (n != null && !n.isBlank()) {
            return n;
        }
        return clientConfig().namespace();
    }

    /** Whether {@code -n} was given explicitly (kubectl refuses some namespace mismatches only then). */
    public boolean namespaceGiven() {
        return flags.given("namespace");
    }

    /** Durations as kubectl's flags take them: {@code 30s}, {@code 5m}, {@code 1h30m}, {@code 500ms}, or bare seconds. */
    public static final class Durations {
        private Durations() {
        }

        public static Duration parse(String s) {
            String v = s.trim();
            if (v.matches("\\d+")) {
                return Duration.ofSeconds(Long.parseLong(v));
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)").matcher(v);
            Duration d = Duration.ZERO;
            int end = 0;
            while (m.find()) {
                if (m.start() != end) {
                    break;
                }
                double n = Double.parseDouble(m.group(1));
                d = d.plus(switch (m.group(2)) {
                    case "ms" -> Duration.ofNanos((long) (n * 1_000_000));
                    case "s" -> Duration.ofNanos((long) (n * 1_000_000_000L));
                    case "m" -> Duration.ofNanos((long) (n * 60_000_000_000L));
                    default -> Duration.ofNanos((long) (n * 3_600_000_000_000L));
                });
                end = m.end();
            }
            if (end != v.length() || end == 0) {
                throw new UsageException("invalid duration \"" + s + "\" (use e.g. 30s, 5m, 1h)");
            }
            return d;
        }
    }
}
