package io.kube4j.proxy.userspace;

import java.util.BitSet;
import java.util.Random;

/**
 * Hands out the local ports the userspace proxy listens on (kube-proxy's {@code port_allocator.go}, without its
 * background filler goroutine). With no range every allocation is {@code 0}: the kernel picks an ephemeral port.
 * With a range ({@code --proxy-port-range}, {@code "min-max"} or {@code "base+size"}) a random free port of the
 * range is tried first and the range then scanned upwards, so that a port just released is not handed out again at
 * once.
 */
public final class PortAllocator {

    private final int base;
    private final int size;
    private final BitSet used = new BitSet();
    private final Random random;

    private PortAllocator(int base, int size, Random random) {
        this.base = base;
        this.size = size;
        this.random = random;
    }

    /**
     * Parses {@code range}: {@code ""} (or null) = ephemeral ports, {@code "36000-36999"}, {@code "36000+1000"} or a
     * single port {@code "36000"}.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public static PortAllocator parse(String range, Random random) {
        if (range == null || range.isBlank()) {
            return new PortAllocator(0, 0, random);
        }
        String r = range.strip();
        int base;
        int last;
        try {
            if (r.contains("-")) {
                String[] p = r.split("-", 2);
                base = Integer.parseInt(p[0].strip());
                last = Integer.parseInt(p[1].strip());
            } else if (r.contains("+")) {
                String[] p = r.split("\\+", 2);
                base = Integer.parseInt(p[0].strip());
                last = base + Integer.parseInt(p[1].strip()) - 1;
            } else {
                base = Integer.parseInt(r);
                last = base;
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("proxy port range \"" + range
                    + "\" is not \"min-max\", \"base+size\" or a port number", e);
        }
        if (base < 1 || last > 65535 || last < base) {
            throw new IllegalArgumentException("proxy port range \"" + range
                    + "\" must be within 1-65535 with min <= max");
        }
        return new PortAllocator(base, last - base + 1, random);
    }

    /** True when every allocation is an ephemeral port (no range configured). */
    public boolean ephemeral() {
        return size == 0;
    }

    /** Size of the range (0 when ephemeral). */
    public int size() {
        return size;
    }

    /**
     * The next port to listen on: {@code 0} (ephemeral) or a free port of the range, now marked used.
     *
     * @throws IllegalStateException when every port of the range is in use
     */
    public synchronized int allocateNext() {
        if (size == 0) {
            return 0;
        }
        int j = random.nextInt(size);
        int free = used.nextClearBit(j);
        if (free >= size) {
            free = used.nextClearBit(0);
        }
        if (free >= size) {
            throw new IllegalStateException("no proxy port left in " + base + "-" + (base + size - 1)
                    + " (all " + size + " in use)");
        }
        used.set(free);
        return base + free;
    }

    /** Gives {@code port} back; ports outside the range (ephemeral ones) are ignored. */
    public synchronized void release(int port) {
        int i = port - base;
        if (size > 0 && i >= 0 && i < size) {
            used.clear(i);
        }
    }
}
