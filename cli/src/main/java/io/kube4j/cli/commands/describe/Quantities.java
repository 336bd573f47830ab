package io.kube4j.cli.commands.describe;

import io.fabric8.kubernetes.api.model.Quantity;
import tools.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;

import static io.kube4j.cli.api.Trees.list;
import static io.kube4j.cli.api.Trees.map;

/**
 * Resource quantities for describe's and top's arithmetic: parsing ({@code 250m}, {@code 128Mi}, {@code 1G}) and
 * printing sums the way Kubernetes' canonical form does for the common cases (CPU in cores or millicores, memory with
 * the largest binary suffix that divides it exactly).
 */
public final class Quantities {

    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);
    private static final String[] BINARY = {"Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};

    private Quantities() {
    }

    /** The amount in base units (cores, bytes); zero for null or empty. */
    public static BigDecimal parse(String q) {
        if (q == null || q.isBlank()) {
            return BigDecimal.ZERO;
        }
        return Quantity.getAmountInBytes(new Quantity(q));
    }

    /** CPU as Kubernetes prints it: {@code 0}, {@code 250m}, {@code 2}. */
    public static String cpu(BigDecimal cores) {
        BigDecimal milli = cores.multiply(THOUSAND).setScale(0, RoundingMode.UP);
        if (milli.signum() == 0) {
            return "0";
        }
        if (milli.remainder(THOUSAND).signum() == 0) {
            return milli.divide(THOUSAND).toPlainString();
        }
        return milli.toPlainString() + "m";
    }

    /** Bytes as Kubernetes prints a binary-SI quantity: {@code 0}, {@code 128Mi}, {@code 1536Ki}, {@code 100}. */
    public static String bytes(BigDecimal bytes) {
        BigDecimal b = bytes.setScale(0, RoundingMode.UP);
        if (b.signum() == 0) {
            return "0";
        }
        String suffix = "";
        BigDecimal k = BigDecimal.valueOf(1024);
        for (String s : BINARY) {
            if (b.remainder(k).signum() != 0) {
                break;
            }
            b = b.divide(k);
            suffix = s;
        }
        return b.toPlainString() + suffix;
    }

    /** {@code part} as an integer percentage of {@code whole} (truncated, 0 when whole is 0). */
    public static long percent(BigDecimal part, BigDecimal whole) {
        if (whole.signum() == 0) {
            return 0;
        }
        return part.multiply(BigDecimal.valueOf(100)).divide(whole, 0, RoundingMode.DOWN).longValue();
    }

    /**
     * A pod's effective requests and limits: {cpu req, cpu limit, memory req, memory limit, ephemeral req,
     * ephemeral limit} — the containers' sum, raised to the largest init container's (kubectl's PodRequests).
     * A limit left unset counts as zero, as describe node shows it.
     */
    public static BigDecimal[] podRequestsAndLimits(JsonNode pod) {
        BigDecimal[] sum = new BigDecimal[6];
        java.util.Arrays.fill(sum, BigDecimal.ZERO);
        for (JsonNode c : list(pod, "spec.containers")) {
            add(sum, c, false);
        }
        for (JsonNode c : list(pod, "spec.initContainers")) {
            add(sum, c, true);
        }
        return sum;
    }

    private static void add(BigDecimal[] sum, JsonNode c, boolean max) {
        Map<String, String> req = map(c, "resources.requests");
        Map<String, String> lim = map(c, "resources.limits");
        List<String> names = List.of("cpu", "memory", "ephemeral-storage");
        for (int i = 0; i < 3; i++) {
            String name = names.get(i);
            BigDecimal l = parse(lim.get(name));
            BigDecimal r = req.containsKey(name) ? parse(req.get(name)) : l;
            sum[2 * i] = max ? sum[2 * i].max(r) : sum[2 * i].add(r);
            sum[2 * i + 1] = max ? sum[2 * i + 1].max(l) : sum[2 * i + 1].add(l);
        }
    }
}
