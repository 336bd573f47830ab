package io.kube4j.apiserver.resourcemetrics;

import java.time.Duration;

/**
 * Usage figures written as Kubernetes writes quantities in canonical form, so that clients see what
 * metrics-server sends: CPU as a decimal quantity of nanocores ({@code 123456n}, {@code 5m}, {@code 2}),
 * memory as a binary quantity of bytes ({@code 1234Ki}, {@code 3Mi}, or plain digits when not a multiple of
 * 1024), and the window as a Go duration ({@code 15.002s}).
 */
final class MetricQuantities {

    private static final String[] DECIMAL = {"n", "u", "m", "", "k", "M", "G", "T", "P", "E"};
    private static final String[] BINARY = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};

    private MetricQuantities() {
    }

    /** {@code nanoCores} × 10⁻⁹ in canonical DecimalSI form: trailing zeros folded into the next SI suffix. */
    static String cpu(long nanoCores) {
        if (nanoCores == 0) {
            return "0";
        }
        long amount = nanoCores;
        int exponent = -9;
        while (amount % 10 == 0) {
            amount /= 10;
            exponent++;
        }
        // back to a multiple of three, the exponents the suffixes name
        while (Math.floorMod(exponent, 3) != 0) {
            amount *= 10;
            exponent--;
        }
        return amount + DECIMAL[(exponent + 9) / 3];
    }

    /**
     * {@code bytes} in canonical BinarySI form ({@code Ki}, {@code Mi}, ... while divisible by 1024); below 1024
     * Kubernetes switches to DecimalSI ({@code 1k} for 1000 bytes).
     */
    static String memory(long bytes) {
        if (bytes > -1024 && bytes < 1024) {
            return decimal(bytes);
        }
        long amount = bytes;
        int exponent = 0;
        while (amount % 1024 == 0 && exponent < BINARY.length - 1) {
            amount /= 1024;
            exponent++;
        }
        return amount + BINARY[exponent];
    }

    private static String decimal(long value) {
        if (value == 0) {
            return "0";
        }
        long amount = value;
        int exponent = 0;
        while (amount % 10 == 0) {
            amount /= 10;
            exponent++;
        }
        while (exponent % 3 != 0) {
            amount *= 10;
            exponent--;
        }
        return amount + DECIMAL[exponent / 3 + 3];
    }

    /** Go's {@code time.Duration.String()}: {@code 15s}, {@code 1.5s}, {@code 1m0.25s}, {@code 500ms}. */
    static String goDuration(Duration d) {
        long nanos = d.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        boolean negative = nanos < 0;
        long n = Math.abs(nanos);
        String out;
        if (n < 1_000_000_000L) {
            if (n < 1_000) {
                out = n + "ns";
            } else if (n < 1_000_000) {
                out = fraction(n, 1_000) + "µs";
            } else {
                out = fraction(n, 1_000_000) + "ms";
            }
        } else {
            long hours = n / 3_600_000_000_000L;
            long minutes = n / 60_000_000_000L % 60;
            String seconds = fraction(n % 60_000_000_000L, 1_000_000_000L) + "s";
            out = hours > 0 ? hours + "h" + minutes + "m" + seconds : minutes > 0 ? minutes + "m" + seconds : seconds;
        }
        return negative ? "-" + out : out;
    }

    /** {@code value / unit} with the fraction's trailing zeros dropped. */
    private static String fraction(long value, long unit) {
        long whole = value / unit;
        long rest = value % unit;
        if (rest == 0) {
            return Long.toString(whole);
        }
        String digits = String.format("%0" + Long.toString(unit).length() + "d", rest).substring(1);
        return whole + "." + digits.replaceAll("0+$", "");
    }
}
