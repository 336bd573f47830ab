package io.kube4j.e2e.fault;

import java.util.ArrayList;
import java.util.List;

/**
 * What a fault test started (processes, network namespaces, directories, clients), undone in reverse order by
 * {@link #closeAll()}: every step runs even when an earlier one fails, and failures are printed, not thrown, so that
 * cleaning up never hides the test's own failure.
 */
final class Cleanups {

    private final String tag;
    private final List<AutoCloseable> steps = new ArrayList<>();

    Cleanups(String tag) {
        this.tag = tag;
    }

    /** Registers {@code step}; returns nothing, so it reads as a statement after the thing it undoes. */
    synchronized void add(AutoCloseable step) {
        steps.add(step);
    }

    /** Runs every registered step, the last registered first, and forgets them. */
    synchronized void closeAll() {
        for (int i = steps.size() - 1; i >= 0; i--) {
            try {
                steps.get(i).close();
            } catch (Exception e) {
                System.err.println(tag + " cleanup: " + e);
            }
        }
        steps.clear();
    }
}
