package io.kube4j.e2e;

import org.junit.jupiter.api.Nested;

/**
 * The kubectl scenario ({@link KubectlScenario}) with two kubectl versions, each in a namespace of its own:
 * the {@code kubectl} on PATH (on these machines a dispatcher that runs the version matching the server's minor,
 * 1.31) and the versioned {@code kubectl.1.29}, two minors older.
 */
class KubectlScenarioIT {

    @Nested
    class KubectlOnPath extends KubectlScenario {
        KubectlOnPath() {
            super(null);
        }
    }

    @Nested
    class Kubectl129 extends KubectlScenario {
        Kubectl129() {
            super("1.29");
        }
    }
}
