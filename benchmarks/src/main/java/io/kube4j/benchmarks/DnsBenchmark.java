package io.kube4j.benchmarks;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.kube4j.addons.dns.DnsServer;
import io.kube4j.addons.dns.DnsZone;
import io.kube4j.addons.dns.ZoneBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Cluster DNS throughput: the DNS add-on's {@link DnsServer} in process on loopback with a zone of N Services, asked
 * for their A records over UDP by T client threads, each with one question in flight (as stub resolvers are), for a
 * bounded time after a warm-up. Prints questions/s and p50/p99/max latency (client-side, round trip), and the load
 * average, since client and server share the machine's cores.
 * <p>
 * {@code ./mvnw -q -o -pl benchmarks exec:java -Dexec.mainClass=io.kube4j.benchmarks.DnsBenchmark
 * [-Ddns.services=10000] [-Ddns.threads=8] [-Ddns.seconds=15] [-Ddns.warmup=3] [-Ddns.serverThreads=2]}
 */
public final class DnsBenchmark {

    public static void main(String[] args) throws Exception {
        int services = Integer.getInteger("dns.services", 10_000);
        int threads = Integer.getInteger("dns.threads", 8);
        int seconds = Math.min(20, Integer.getInteger("dns.seconds", 15));
        int warmup = Integer.getInteger("dns.warmup", 3);
        int serverThreads = Integer.getInteger("dns.serverThreads", Runtime.getRuntime().availableProcessors());

        List<Service> svcs = new ArrayList<>(services);
        for (int i = 0; i < services; i++) {
            svcs.add(new ServiceBuilder().withNewMetadata().withNamespace("ns" + (i % 100)).withName("svc" + i)
                    .endMetadata().withNewSpec().withClusterIP(ip(i)).addNewPort().withName("http")
                    .withProtocol("TCP").withPort(80).endPort().endSpec().build());
        }
        ZoneBuilder builder = new ZoneBuilder("cluster.local", 5, "local");
        long t0 = System.nanoTime();
        builder.build(svcs, List.of(), List.of(), List.of(), 1);
        long buildMs = (System.nanoTime() - t0) / 1_000_000;
        t0 = System.nanoTime(); // once more, warm: what a rebuild after a change costs
        DnsZone zone = builder.build(svcs, List.of(), List.of(), List.of(), 2);
        long rebuildMs = (System.nanoTime() - t0) / 1_000_000;
        DnsServer server = new DnsServer(InetAddress.getLoopbackAddress(), 0, () -> zone, List.of(),
                Duration.ofSeconds(1), new SimpleMeterRegistry(), serverThreads);
        server.start();
        System.out.printf(Locale.ROOT, "zone: %d Services, %d names, built in %d ms (rebuilt warm in %d ms); server: %d UDP threads; "
                + "clients: %d threads; %d s (+%d s warm-up)%n", services, zone.names().size(), buildMs, rebuildMs,
                serverThreads, threads, seconds, warmup);

        // the questions, encoded once: each client rewrites only the ID
        byte[][] questions = new byte[services][];
        for (int i = 0; i < services; i++) {
            Name q = Name.fromString("svc" + i + ".ns" + (i % 100) + ".svc.cluster.local.");
            questions[i] = Message.newQuery(Record.newRecord(q, Type.A, DClass.IN)).toWire();
        }
        InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port());
        long warmEnd = System.nanoTime() + Duration.ofSeconds(warmup).toNanos();
        long end = warmEnd + Duration.ofSeconds(seconds).toNanos();
        AtomicLong errors = new AtomicLong();
        AtomicLong timeouts = new AtomicLong();
        long[][] samples = new long[threads][];
        int[] counts = new int[threads];
        List<Thread> clients = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int me = t;
            Thread c = new Thread(() -> {
                long[] lat = new long[1 << 20];
                int n = 0;
                try (DatagramSocket s = new DatagramSocket()) {
                    s.setSoTimeout(1000);
                    byte[] in = new byte[512];
                    DatagramPacket resp = new DatagramPacket(in, in.length);
                    int idx = me * 7919;
                    int id = me << 12;
                    while (true) {
                        long start = System.nanoTime();
                        if (start >= end) {
                            break;
                        }
                        byte[] q = questions[idx++ % services].clone();
                        id = (id + 1) & 0xffff;
                        q[0] = (byte) (id >> 8);
                        q[1] = (byte) id;
                        s.send(new DatagramPacket(q, q.length, to));
                        try {
                            do {
                                resp.setData(in);
                                s.receive(resp);
                            } while (((in[0] & 0xff) << 8 | (in[1] & 0xff)) != id); // a late answer to a timed-out one
                        } catch (SocketTimeoutException e) {
                            timeouts.incrementAndGet();
                            continue;
                        }
                        long took = System.nanoTime() - start;
                        int rcode = in[3] & 0x0f;
                        int ancount = (in[6] & 0xff) << 8 | (in[7] & 0xff);
                        if (rcode != 0 || ancount != 1) {
                            errors.incrementAndGet();
                        }
                        if (start >= warmEnd) {
                            if (n == lat.length) {
                                lat = Arrays.copyOf(lat, n * 2);
                            }
                            lat[n++] = took;
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                samples[me] = lat;
                counts[me] = n;
            }, "dns-client-" + t);
            c.start();
            clients.add(c);
        }
        for (Thread c : clients) {
            c.join();
        }
        server.close();
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int pos = 0;
        for (int t = 0; t < threads; t++) {
            System.arraycopy(samples[t], 0, all, pos, counts[t]);
            pos += counts[t];
        }
        Arrays.sort(all);
        System.out.printf(Locale.ROOT, "A over UDP: %d questions in %d s = %.0f q/s; latency p50 %.1f us, "
                        + "p99 %.1f us, max %.1f ms; wrong answers %d, timeouts %d; load average %.2f on %d CPUs%n",
                total, seconds, total / (double) seconds, pct(all, 0.50) / 1e3, pct(all, 0.99) / 1e3,
                all.length == 0 ? 0 : all[all.length - 1] / 1e6, errors.get(), timeouts.get(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors());
    }

    private static String ip(int i) {
        return "10.96." + (i / 250) + "." + (i % 250 + 1);
    }

    private static long pct(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))];
    }
}
