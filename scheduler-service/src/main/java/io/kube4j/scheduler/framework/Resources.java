package io.kube4j.scheduler.framework;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Quantity;

/**
 * An amount of node resources: milli-CPU, bytes of memory and ephemeral storage, and scalar (extended) resources by
 * name. Immutable.
 */
public record Resources(long milliCpu, long memory, long ephemeralStorage, Map<String, Long> scalars) {

    public static final String CPU = "cpu";
    public static final String MEMORY = "memory";
    public static final String EPHEMERAL_STORAGE = "ephemeral-storage";
    public static final String PODS = "pods";
    public static final Resources ZERO = new Resources(0, 0, 0, Map.of());

    public Resources {
        scalars = Map.copyOf(scalars);
    }

    /** Reads a resource list ({@code requests}, {@code allocatable}); {@code pods} is not a resource here. */
    public static Resources of(Map<String, Quantity> list) {
        if (list == null || list.isEmpty()) {
            return ZERO;
        }
        long cpu = 0;
        long mem = 0;
        long eph = 0;
        Map<String, Long> scalars = new HashMap<>();
        for (Map.Entry<String, Quantity> e : list.entrySet()) {
            switch (e.getKey()) {
                case CPU -> cpu = milli(e.getValue());
                case MEMORY -> mem = value(e.getValue());
                case EPHEMERAL_STORAGE -> eph = value(e.getValue());
                case PODS -> {
                }
                default -> scalars.put(e.getKey(), value(e.getValue()));
            }
        }
        return new Resources(cpu, mem, eph, scalars);
    }

    /** A quantity in thousandths, rounded up as Kubernetes' {@code MilliValue}. */
    public static long milli(Quantity q) {
        if (q == null) {
            return 0;
        }
        long fast = fast(q, true);
        return fast != NO_FAST_PATH ? fast : q.getNumericalAmount().multiply(BigDecimal.valueOf(1000))
                .setScale(0, RoundingMode.CEILING).longValueExact();
    }

    /** A quantity as a whole number, rounded up as Kubernetes' {@code Value}. */
    public static long value(Quantity q) {
        if (q == null) {
            return 0;
        }
        long fast = fast(q, false);
        return fast != NO_FAST_PATH ? fast : q.getNumericalAmount().setScale(0, RoundingMode.CEILING).longValueExact();
    }

    private static final long NO_FAST_PATH = Long.MIN_VALUE;

    /**
     * {@link #milli} or {@link #value} without BigDecimal for the common shapes ({@code 500m}, {@code 4}, {@code 8Gi},
     * {@code 100M}: up to 15 plain digits and a suffix without an exponent), exactly as the BigDecimal path computes
     * them; {@link #NO_FAST_PATH} for anything else (fractions, signs, exponents, overflow), which takes that path.
     * Pods' requests are read several times per scheduling cycle, and parsing them through BigDecimal was a tenth of
     * the cycle.
     */
    private static long fast(Quantity q, boolean milli) {
        String amount = q.getAmount();
        String format = q.getFormat();
        int len = amount == null ? 0 : amount.length();
        if (len == 0 || len > 15) {
            return NO_FAST_PATH;
        }
        long digits = 0;
        for (int i = 0; i < len; i++) {
            char c = amount.charAt(i);
            if (c < '0' || c > '9') {
                return NO_FAST_PATH;
            }
            digits = digits * 10 + (c - '0');
        }
        long multiplier;
        switch (format == null ? "" : format) {
            case "" -> multiplier = 1;
            case "m" -> {
                // thousandths: exact in milli, rounded up as a whole number
                return milli ? digits : (digits + 999) / 1000;
            }
            case "k" -> multiplier = 1_000L;
            case "M" -> multiplier = 1_000_000L;
            case "G" -> multiplier = 1_000_000_000L;
            case "T" -> multiplier = 1_000_000_000_000L;
            case "P" -> multiplier = 1_000_000_000_000_000L;
            case "Ki" -> multiplier = 1L << 10;
            case "Mi" -> multiplier = 1L << 20;
            case "Gi" -> multiplier = 1L << 30;
            case "Ti" -> multiplier = 1L << 40;
            case "Pi" -> multiplier = 1L << 50;
            case "Ei" -> multiplier = 1L << 60;
            default -> {
                return NO_FAST_PATH;
            }
        }
        try {
            long v = Math.multiplyExact(digits, multiplier);
            return milli ? Math.multiplyExact(v, 1000L) : v;
        } catch (ArithmeticException e) {
            return NO_FAST_PATH;
        }
    }

    public long scalar(String name) {
        return scalars.getOrDefault(name, 0L);
    }

    public Resources plus(Resources o) {
        return combine(o, 1);
    }

    public Resources minus(Resources o) {
        return combine(o, -1);
    }

    /** The larger of each resource. */
    public Resources max(Resources o) {
        Map<String, Long> s = new HashMap<>(scalars);
        o.scalars.forEach((k, v) -> s.merge(k, v, Math::max));
        return new Resources(Math.max(milliCpu, o.milliCpu), Math.max(memory, o.memory),
                Math.max(ephemeralStorage, o.ephemeralStorage), s);
    }

    private Resources combine(Resources o, int sign) {
        if (o == ZERO) {
            return this;
        }
        Map<String, Long> s = new HashMap<>(scalars);
        o.scalars.forEach((k, v) -> s.merge(k, sign * v, Long::sum));
        return new Resources(milliCpu + sign * o.milliCpu, memory + sign * o.memory,
                ephemeralStorage + sign * o.ephemeralStorage, s);
    }
}
