package io.kube4j.benchmarks;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.defaulting.Defaulting;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.apply.FieldManager;
import io.kube4j.apiserver.registry.ObjectCodec;

import java.util.Locale;

/**
 * What managedFields bookkeeping adds to a write, in process and single-threaded: for the benchmark pod (the one
 * {@link CreateThroughputBenchmark} creates), the time of {@link FieldManager#update} on a create and on an update
 * that changes one label, next to the time of encoding the object for storage (work every write already does), and
 * the stored size with and without managedFields. Settings: {@code -Dn=20000 -Dwarmup=5000}.
 */
public final class ManagedFieldsBenchmark {

    public static void main(String[] args) {
        int n = BenchSupport.intProp("n", 20000);
        int warmup = BenchSupport.intProp("warmup", 5000);
        ResourceType pods = ResourceRegistry.builtin().byPath("", "v1", "pods").orElseThrow();
        Pod template = Codecs.json().readValue(BenchSupport.podJson("bench", "p-0"), Pod.class);
        Defaulting.apply(template);
        int plain = ObjectCodec.encodeForStorage(copy(template)).length;
        Pod created = copy(template);
        FieldManager.update(pods, null, created, "kubectl-create", "");
        int tracked = ObjectCodec.encodeForStorage(created).length;

        for (int round = 0; round < 2; round++) {
            int iterations = round == 0 ? warmup : n;
            long encode = 0;
            long create = 0;
            long update = 0;
            for (int i = 0; i < iterations; i++) {
                Pod a = copy(template);
                long t0 = System.nanoTime();
                ObjectCodec.encodeForStorage(a);
                long t1 = System.nanoTime();
                FieldManager.update(pods, null, a, "kubectl-create", "");
                long t2 = System.nanoTime();
                Pod b = copy(a);
                b.getMetadata().getLabels().put("rev", Integer.toString(i));
                long t3 = System.nanoTime();
                FieldManager.update(pods, a, b, "kubectl-label", "");
                long t4 = System.nanoTime();
                encode += t1 - t0;
                create += t2 - t1;
                update += t4 - t3;
            }
            if (round == 1) {
                System.out.printf(Locale.ROOT, "ManagedFieldsBenchmark: %d iterations, pod of %d bytes stored "
                                + "(%d with one manager's managedFields)%n"
                                + "  encodeForStorage (baseline work per write): %6.1f us%n"
                                + "  FieldManager.update on create:             %6.1f us%n"
                                + "  FieldManager.update on a label change:     %6.1f us%n",
                        n, plain, tracked, encode / 1e3 / n, create / 1e3 / n, update / 1e3 / n);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends HasMetadata> T copy(T o) {
        return (T) Codecs.json().convertValue(o, o.getClass());
    }
}
