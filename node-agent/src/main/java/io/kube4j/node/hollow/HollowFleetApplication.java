package io.kube4j.node.hollow;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import io.kube4j.client.KubeClient;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.node.config.NodeAgentProperties;
import io.kube4j.node.runtime.hollow.HollowRuntime;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Runs a hollow fleet from the command line (a plain {@code main}, no Spring context):
 * {@code java -cp ... io.kube4j.node.hollow.HollowFleetApplication [apiserver-url]} with system properties
 * {@code kube4j.node.*} (e.g. {@code -Dkube4j.node.hollow.nodes=1000 -Dkube4j.node.hollow.name-prefix=hollow-}),
 * {@code kube4j.client.*} (server, token, kubeconfig, ...; the URL argument wins) and
 * {@code kube4j.node.hollow.cpus}/{@code memory}/{@code storage} for what each node advertises. Runs until killed.
 */
public final class HollowFleetApplication {

    private static final Logger log = LoggerFactory.getLogger(HollowFleetApplication.class);

    private HollowFleetApplication() {
    }

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> sys = systemProperties();
        NodeAgentProperties props = bind(sys);
        Map<String, String> clientProps = new HashMap<>();
        sys.forEach((k, v) -> {
            if (k.startsWith("kube4j.client.")) {
                clientProps.put(k.substring("kube4j.client.".length()), v);
            }
        });
        if (args.length > 0) {
            clientProps.put("server", args[0]);
        }
        if (!clientProps.containsKey("server") && !clientProps.containsKey("kubeconfig")) {
            System.err.println("usage: HollowFleetApplication <apiserver-url> (or -Dkube4j.client.server=...)");
            System.exit(2);
        }
        HollowRuntime.Resources res = resources(sys);
        // one long-lived pod watch per node: the shared pool needs more than the default 500 connections
        System.getProperties().putIfAbsent("kube4j.client.max-connections", "20000");
        KubeClient client = KubeClient.create(ClientConfig.fromProperties(clientProps));
        HollowFleet fleet = new HollowFleet(client, props, props.hollow().nodes(), res, new SimpleMeterRegistry(),
                HollowFleet.fullAgents(io.kube4j.node.config.PodLifecycleProperties.defaults(),
                        java.util.concurrent.Executors.newFixedThreadPool(8)));
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            fleet.close();
            client.close();
            done.countDown();
        }, "hollow-fleet-shutdown"));
        fleet.start();
        log.info("hollow fleet of {} nodes against {} (lease every {}, status every {})", props.hollow().nodes(),
                client.config().server(), props.lease().renewInterval(), props.statusUpdateFrequency());
        done.await();
    }

    /** {@code kube4j.node.*} from flat properties, with every default of {@link NodeAgentProperties}. */
    public static NodeAgentProperties bind(Map<String, String> flat) {
        // Spring's conversion service: durations ("10s") and data sizes ("100Mi") as in application properties.
        return new Binder(List.of(new MapConfigurationPropertySource(flat)), null,
                ApplicationConversionService.getSharedInstance()).bindOrCreate("kube4j.node", NodeAgentProperties.class);
    }

    static HollowRuntime.Resources resources(Map<String, String> sys) {
        HollowRuntime.Resources d = HollowRuntime.Resources.DEFAULT;
        int cpus = Integer.parseInt(sys.getOrDefault("kube4j.node.hollow.cpus", Integer.toString(d.cpus())));
        long mem = org.springframework.util.unit.DataSize.parse(
                sys.getOrDefault("kube4j.node.hollow.memory", d.memoryBytes() + "B")).toBytes();
        long storage = org.springframework.util.unit.DataSize.parse(
                sys.getOrDefault("kube4j.node.hollow.storage", d.storageBytes() + "B")).toBytes();
        return new HollowRuntime.Resources(cpus, mem, storage);
    }

    private static Map<String, String> systemProperties() {
        Map<String, String> m = new HashMap<>();
        System.getProperties().forEach((k, v) -> m.put(k.toString(), v.toString()));
        return m;
    }
}
