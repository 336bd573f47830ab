package io.kube4j.security.pki;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Command line of the cluster PKI, for the {@code kube4j} script (plain arguments, no Spring, starts in well under a
 * second): {@code ensure --dir DIR [--kubeconfig-dir DIR] --server URL [--nodes a,b] [--apiserver-names x,y]
 * [--node-addresses x,y] [--service-ip IP] [--cert-validity 365d] [--gateway-server URL] [--gateway-names x,y]}.
 * With {@code --gateway-server} the admin kubeconfig points at the api-gateway.
 */
public final class PkiTool {

    private PkiTool() {
    }

    public static void main(String[] args) {
        try {
            System.exit(run(args));
        } catch (IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException e) {
            System.err.println("kube4j pki: " + e.getMessage());
            System.exit(2);
        }
    }

    static int run(String... args) {
        if (args.length == 0 || !"ensure".equals(args[0])) {
            System.err.println(usage());
            return args.length > 0 && ("help".equals(args[0]) || "--help".equals(args[0])) ? 0 : 2;
        }
        Path dir = null;
        Path kubeconfigDir = null;
        String server = null;
        List<String> nodes = List.of();
        List<String> apiserverNames = List.of();
        List<String> nodeAddresses = List.of();
        String serviceIp = null;
        Duration validity = null;
        String gatewayServer = null;
        List<String> gatewayNames = List.of();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            String v;
            int eq = a.indexOf('=');
            if (eq > 0) {
                v = a.substring(eq + 1);
                a = a.substring(0, eq);
            } else {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a value\n" + usage());
                }
                v = args[++i];
            }
            switch (a) {
                case "--dir" -> dir = Path.of(v);
                case "--kubeconfig-dir" -> kubeconfigDir = Path.of(v);
                case "--server" -> server = v;
                case "--nodes" -> nodes = list(v);
                case "--apiserver-names" -> apiserverNames = list(v);
                case "--node-addresses" -> nodeAddresses = list(v);
                case "--service-ip" -> serviceIp = v;
                case "--cert-validity" -> validity = duration(v);
                case "--gateway-server" -> gatewayServer = v;
                case "--gateway-names" -> gatewayNames = list(v);
                default -> throw new IllegalArgumentException("unknown option " + a + "\n" + usage());
            }
        }
        if (dir == null || server == null) {
            throw new IllegalArgumentException("--dir and --server are required\n" + usage());
        }
        ClusterPki pki = ClusterPki.ensure(dir, new ClusterPki.Spec(server, apiserverNames, nodes, nodeAddresses,
                serviceIp, kubeconfigDir, validity, null, gatewayServer, gatewayNames));
        for (ClusterPki.Change c : pki.changes()) {
            if (!"kept".equals(c.action()) || !c.reason().isEmpty()) {
                System.out.println(c);
            }
        }
        return 0;
    }

    private static List<String> list(String v) {
        List<String> out = new ArrayList<>();
        Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(out::add);
        return out;
    }

    /** {@code 365d}, {@code 12h}, {@code 30m}, {@code 90s}, or ISO-8601 ({@code PT1H}). */
    static Duration duration(String v) {
        if (v.matches("\\d+[dhms]")) {
            long n = Long.parseLong(v.substring(0, v.length() - 1));
            return switch (v.charAt(v.length() - 1)) {
                case 'd' -> Duration.ofDays(n);
                case 'h' -> Duration.ofHours(n);
                case 'm' -> Duration.ofMinutes(n);
                default -> Duration.ofSeconds(n);
            };
        }
        try {
            return Duration.parse(v);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("not a duration: " + v + " (use 365d, 12h, 30m, 90s or PT1H)", e);
        }
    }

    static String usage() {
        return "usage: PkiTool ensure --dir DIR --server URL [--kubeconfig-dir DIR] [--nodes a,b]"
                + " [--apiserver-names x,y] [--node-addresses x,y] [--service-ip IP] [--cert-validity 365d]"
                + " [--gateway-server URL] [--gateway-names x,y]";
    }
}
