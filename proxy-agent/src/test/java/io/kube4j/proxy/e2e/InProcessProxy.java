package io.kube4j.proxy.e2e;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.kube4j.client.KubeClient;
import io.kube4j.client.informer.SharedInformerFactory;
import io.kube4j.client.util.Clock;
import io.kube4j.proxy.Proxier;
import io.kube4j.proxy.ProxyAgentApplication;
import io.kube4j.proxy.SyncResult;
import io.kube4j.proxy.model.ProxyState;
import io.kube4j.proxy.sync.SyncListener;
import io.kube4j.proxy.sync.SyncRunner;
import io.kube4j.proxy.tracker.ProxyStateTracker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * One proxy agent for one node, in this JVM: either the real application ({@link #startApplication}, what
 * {@code ./kube4j up} runs) or hand-wired ({@link #start}) where a test needs a proxier configured in a way the
 * application only chooses on its own (userspace without netfilter is what it runs when not root). Hand-wired, shared
 * informers for every Service and EndpointSlice (all namespaces) feed a {@link ProxyStateTracker}, whose changes a
 * {@link SyncRunner} turns into syncs of the given {@link Proxier} with kube-proxy's default periods (min 1 s, full
 * every 30 s); the first sync happens only after both informers have synced, as in kube-proxy.
 */
final class InProcessProxy implements AutoCloseable {

    static final Duration MIN_SYNC_PERIOD = Duration.ofSeconds(1);
    static final Duration SYNC_PERIOD = Duration.ofSeconds(30);

    /** One successful sync as the runner reported it. */
    record Sync(Instant at, boolean full, Duration renderTime, Duration applyTime) {
        @Override
        public String toString() {
            return (full ? "full" : "partial") + " sync (render " + renderTime.toMillis() + " ms, apply "
                    + applyTime.toMillis() + " ms)";
        }
    }

    private final Runnable stopper;
    private final SyncRunner runner;
    private final Proxier proxier;
    private final List<Sync> syncs = new CopyOnWriteArrayList<>();
    private boolean closed;

    private InProcessProxy(Runnable stopper, SyncRunner runner, Proxier proxier) {
        this.stopper = stopper;
        this.runner = runner;
        this.proxier = proxier;
        runner.addListener(new SyncListener() {
            @Override
            public void syncSucceeded(ProxyState state, SyncResult result) {
                syncs.add(new Sync(Instant.now(), result.full(), result.renderTime(), result.applyTime()));
            }
        });
    }

    /**
     * Starts informers on {@code namespace} only (so that the Services other tests leave in the shared apiserver are
     * not served by this test's proxy), waits for them, starts the sync loop and waits for its first successful sync.
     */
    static InProcessProxy start(KubeClient client, String nodeName, String namespace, Proxier proxier) {
        SharedInformerFactory informers = SharedInformerFactory.forClient(client, Duration.ZERO);
        ProxyStateTracker tracker = new ProxyStateTracker(nodeName, Clock.system());
        informers.informerFor(Service.class, namespace).addEventHandler(tracker.serviceHandler());
        informers.informerFor(EndpointSlice.class, namespace).addEventHandler(tracker.endpointSliceHandler());
        informers.startAll();
        SyncRunner runner = null;
        try {
            if (!informers.waitForCacheSync(Duration.ofSeconds(30))) {
                throw new IllegalStateException("Service/EndpointSlice informers did not sync within 30 s");
            }
            runner = new SyncRunner(proxier, tracker, MIN_SYNC_PERIOD, SYNC_PERIOD, new SimpleMeterRegistry(),
                    Clock.system());
            SyncRunner r = runner;
            InProcessProxy proxy = new InProcessProxy(() -> {
                try {
                    r.stop();
                } finally {
                    informers.stopAll();
                }
            }, runner, proxier);
            runner.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> r.lastSuccessfulSync() != null);
            return proxy;
        } catch (RuntimeException e) {
            if (runner != null) {
                runner.stop();
            }
            informers.stopAll();
            throw e;
        }
    }

    /**
     * Starts the real proxy agent, {@link ProxyAgentApplication}, in-process against {@code apiServerUrl} with
     * {@code kube4j.proxy.*} settings (node name, mode, healthz on a free loopback port, plus {@code extra}
     * {@code key=value} pairs), and waits for its first successful sync. Its Reactor Netty resources are its own, so
     * closing it leaves the apiserver and the test's clients in this JVM alone.
     */
    static InProcessProxy startApplication(String apiServerUrl, String nodeName, String mode, String... extra) {
        List<String> args = new ArrayList<>(List.of("server.port=0", "server.address=127.0.0.1",
                "kube4j.client.server=" + apiServerUrl, "kube4j.proxy.node-name=" + nodeName,
                "kube4j.proxy.mode=" + mode, "kube4j.proxy.healthz-bind-address=127.0.0.1:0"));
        args.addAll(List.of(extra));
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(ProxyAgentApplication.class)
                .initializers(c -> ((GenericApplicationContext) c).registerBean(ReactorResourceFactory.class, () -> {
                    ReactorResourceFactory f = new ReactorResourceFactory();
                    f.setUseGlobalResources(false);
                    return f;
                }))
                .run(args.stream().map(a -> "--" + a).toArray(String[]::new));
        try {
            SyncRunner runner = ctx.getBean(SyncRunner.class);
            InProcessProxy proxy = new InProcessProxy(ctx::close, runner, ctx.getBean(Proxier.class));
            await().atMost(Duration.ofSeconds(30)).until(() -> runner.lastSuccessfulSync() != null);
            return proxy;
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
    }

    /**
     * Runs the application's cleanup path in-process ({@code proxy-agent --cleanup}, as {@code ./kube4j down} does):
     * every mode's cleanup without contacting the apiserver; returns its exit code.
     */
    static int runCleanupCommand() {
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(ProxyAgentApplication.class)
                .web(WebApplicationType.NONE).run("--kube4j.proxy.cleanup=true");
        return SpringApplication.exit(ctx);
    }

    SyncRunner runner() {
        return runner;
    }

    Proxier proxier() {
        return proxier;
    }

    /** The successful syncs that finished after {@code since}, oldest first. */
    List<Sync> syncsSince(Instant since) {
        return syncs.stream().filter(s -> s.at().isAfter(since)).toList();
    }

    /** Stops syncing (the rules stay in place) and the informers. */
    void stop() {
        if (!closed) {
            closed = true;
            stopper.run();
        }
    }

    /** {@link #stop()}, then the proxier's {@link Proxier#cleanup()}: everything the mode made is removed. */
    @Override
    public void close() {
        try {
            stop();
        } finally {
            proxier.cleanup();
        }
    }
}
