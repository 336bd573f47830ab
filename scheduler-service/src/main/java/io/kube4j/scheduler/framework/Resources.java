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
        return q == null ? 0 : q.getNumericalAmount().multiply(BigDecimal.valueOf(1000))
                .setScale(0, RoundingMode.CEILING).longValueExact();
    }

    /** A quantity as a whole number, rounded up as Kubernetes' {@code Value}. */
    public static long value(Quantity q) {
        return q == null ? 0 : q.getNumericalAmount().setScale(0, RoundingMode.CEILING).longValueExact();
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
