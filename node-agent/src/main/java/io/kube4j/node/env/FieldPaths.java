package io.kube4j.node.env;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/**
 * The downward API's values, as the kubelet computes them ({@code pkg/fieldpath} and {@code pkg/api/v1/resource}):
 * fieldRef paths of the pod and resourceFieldRef values of a container, shared by environment variables and
 * downwardAPI volumes.
 */
public final class FieldPaths {

    private FieldPaths() {
    }

    /**
     * The value of a fieldRef path. {@code podIp}/{@code hostIp} may be null (then ""), the node name comes from
     * the pod's {@code spec.nodeName}.
     *
     * @throws IllegalArgumentException for a path the downward API does not support
     */
    public static String fieldValue(Pod pod, String fieldPath, String podIp, String hostIp) {
        var meta = pod.getMetadata();
        String path = fieldPath == null ? "" : fieldPath;
        String[] subscript = subscript(path);
        if (subscript != null) {
            Map<String, String> map = switch (subscript[0]) {
                case "metadata.labels" -> meta.getLabels();
                case "metadata.annotations" -> meta.getAnnotations();
                default -> throw new IllegalArgumentException("unsupported fieldPath: " + path);
            };
            String v = map == null ? null : map.get(subscript[1]);
            return v == null ? "" : v;
        }
        return switch (path) {
            case "metadata.name" -> nz(meta.getName());
            case "metadata.namespace" -> nz(meta.getNamespace());
            case "metadata.uid" -> nz(meta.getUid());
            case "metadata.labels" -> formatMap(meta.getLabels());
            case "metadata.annotations" -> formatMap(meta.getAnnotations());
            case "spec.nodeName" -> pod.getSpec() == null ? "" : nz(pod.getSpec().getNodeName());
            case "spec.serviceAccountName" -> pod.getSpec() == null ? "" : nz(pod.getSpec().getServiceAccountName());
            case "status.hostIP", "status.hostIPs" -> nz(hostIp);
            case "status.podIP", "status.podIPs" -> nz(podIp);
            default -> throw new IllegalArgumentException("unsupported fieldPath: " + path);
        };
    }

    /** {@code metadata.labels['key']} → {"metadata.labels", "key"}; null when the path has no subscript. */
    private static String[] subscript(String path) {
        int open = path.indexOf("['");
        if (open < 0 || !path.endsWith("']")) {
            return null;
        }
        return new String[] {path.substring(0, open), path.substring(open + 2, path.length() - 2)};
    }

    /** Kubernetes' {@code fieldpath.FormatMap}: sorted {@code key="value"} lines (Go %q quoting), no final newline. */
    public static String formatMap(Map<String, String> map) {
        if (map == null || map.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : new TreeMap<>(map).entrySet()) {
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            sb.append(e.getKey()).append('=').append(goQuote(e.getValue()));
        }
        return sb.toString();
    }

    static String goQuote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /**
     * A resourceFieldRef's value: {@code limits.cpu}, {@code requests.memory}, ... of {@code container}, divided
     * by {@code divisor} (default 1) and rounded up, as the kubelet does. A missing limit is the node's allocatable
     * amount ({@code allocatable} is asked only then); a missing request is 0.
     *
     * @throws IllegalArgumentException for an unsupported resource or a zero divisor
     */
    public static String resourceValue(Container container, String resource, Quantity divisor,
                                       Supplier<Map<String, BigDecimal>> allocatable) {
        String[] parts = resource == null ? new String[0] : resource.split("\\.", 2);
        if (parts.length != 2 || !(parts[0].equals("limits") || parts[0].equals("requests"))
                || !(parts[1].equals("cpu") || parts[1].equals("memory") || parts[1].equals("ephemeral-storage"))) {
            throw new IllegalArgumentException("unsupported container resource: " + resource);
        }
        ResourceRequirements r = container.getResources();
        Map<String, Quantity> m = r == null ? null : parts[0].equals("limits") ? r.getLimits() : r.getRequests();
        Quantity q = m == null ? null : m.get(parts[1]);
        BigDecimal value;
        if (q != null) {
            value = q.getNumericalAmount();
        } else if (parts[0].equals("limits")) {
            BigDecimal a = allocatable.get().get(parts[1]);
            value = a == null ? BigDecimal.ZERO : a;
        } else {
            value = BigDecimal.ZERO;
        }
        BigDecimal div = divisor == null || divisor.getAmount() == null || divisor.getAmount().isBlank()
                ? BigDecimal.ONE : divisor.getNumericalAmount();
        if (parts[1].equals("cpu")) {
            // MilliValue() rounds up to whole millicores on both sides, then ceil of the quotient
            BigDecimal milli = value.movePointRight(3).setScale(0, RoundingMode.CEILING);
            BigDecimal divMilli = div.movePointRight(3).setScale(0, RoundingMode.CEILING);
            if (divMilli.signum() == 0) {
                throw new IllegalArgumentException("divisor for " + resource + " must not be zero");
            }
            return milli.divide(divMilli, 0, RoundingMode.CEILING).toPlainString();
        }
        BigDecimal whole = value.setScale(0, RoundingMode.CEILING);
        BigDecimal divWhole = div.setScale(0, RoundingMode.CEILING);
        if (divWhole.signum() == 0) {
            throw new IllegalArgumentException("divisor for " + resource + " must not be zero");
        }
        return whole.divide(divWhole, 0, RoundingMode.CEILING).toPlainString();
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
