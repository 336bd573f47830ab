package io.kube4j.apiserver.storage.embedded;

import io.kube4j.apiserver.storage.WriteResult;
import reactor.core.publisher.Flux;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Hollow nodes renewing their Leases against an embedded store in simulated time (no waiting): every
 * {@code renewEvery} each node updates its ~400-byte Lease (all nodes at once, as they would race), and every
 * {@code compactEvery} the store is compacted to the revision seen one compaction earlier, as the apiserver's
 * compactor does. Samples the store file's size, to show whether the file stays bounded.
 */
public final class LeaseRenewalSimulation {

    /** The file size after {@code simulated} time, at store revision {@code revision}. */
    public record Sample(Duration simulated, long revision, long fileBytes) {
    }

    private LeaseRenewalSimulation() {
    }

    public static List<Sample> run(EmbeddedStorage store, int nodes, Duration simulated, Duration renewEvery,
                                   Duration compactEvery, Duration sampleEvery) {
        long[] modRevisions = new long[nodes];
        for (int i = 0; i < nodes; i++) {
            WriteResult r = store.create(key(i), lease(i, 0), null).block();
            modRevisions[i] = r.object().modRevision();
        }
        long ticks = simulated.toMillis() / renewEvery.toMillis();
        long ticksPerCompaction = compactEvery.toMillis() / renewEvery.toMillis();
        long ticksPerSample = sampleEvery.toMillis() / renewEvery.toMillis();
        long seenAtLastCompaction = 0;
        List<Sample> samples = new ArrayList<>();
        for (long t = 1; t <= ticks; t++) {
            long tick = t;
            Flux.range(0, nodes)
                    .flatMap(i -> store.update(key(i), lease(i, tick), modRevisions[i], null)
                            .doOnNext(r -> {
                                if (!r.succeeded()) {
                                    throw new IllegalStateException("lease " + i + " lost its update: " + r);
                                }
                                modRevisions[i] = r.object().modRevision();
                            }), nodes)
                    .blockLast();
            if (t % ticksPerCompaction == 0) {
                long now = store.currentRevision().block();
                if (seenAtLastCompaction > 0) {
                    store.compact(seenAtLastCompaction).block();
                }
                seenAtLastCompaction = now;
            }
            if (t % ticksPerSample == 0) {
                samples.add(new Sample(renewEvery.multipliedBy(t), store.currentRevision().block(), store.fileSize()));
            }
        }
        return samples;
    }

    private static String key(int node) {
        return "/registry/leases/kube-node-lease/hollow-node-" + node;
    }

    /** A Lease as the apiserver stores it (~400 bytes of JSON). */
    private static byte[] lease(int node, long tick) {
        String json = "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":\"hollow-node-"
                + node + "\",\"namespace\":\"kube-node-lease\",\"uid\":\"6b1c7a2e-0000-4000-8000-" + String.format("%012d", node)
                + "\",\"creationTimestamp\":\"2026-11-28T00:00:00Z\",\"ownerReferences\":[{\"apiVersion\":\"v1\",\"kind\":"
                + "\"Node\",\"name\":\"hollow-node-" + node + "\",\"uid\":\"0d5e9b1f-0000-4000-8000-000000000000\"}]},"
                + "\"spec\":{\"holderIdentity\":\"hollow-node-" + node + "\",\"leaseDurationSeconds\":40,\"renewTime\":"
                + "\"2026-11-28T00:00:00.000000Z\",\"tick\":" + tick + "}}";
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
