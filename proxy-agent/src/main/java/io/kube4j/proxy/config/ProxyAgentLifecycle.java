package io.kube4j.proxy.config;

import io.kube4j.client.informer.SharedInformerFactory;
import io.kube4j.proxy.sync.SyncRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.time.Duration;
import java.util.List;

/**
 * Runs the agent for the application's lifetime, in kube-proxy's order: the health servers first (so that
 * {@code /healthz} answers from the start), then the Service and EndpointSlice informers, and once both have listed
 * (never program a half-listed state) the sync loop, whose first sync is full. Stops in reverse. The rules stay in
 * place when the agent stops, as kube-proxy's do: traffic keeps flowing; {@code --cleanup} removes them.
 */
public class ProxyAgentLifecycle implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ProxyAgentLifecycle.class);
    private static final Duration WAIT_LOG_EVERY = Duration.ofSeconds(30);

    private final SharedInformerFactory informers;
    private final SyncRunner runner;
    private final List<ManagedServer> servers;
    private final Runnable startedLog;
    private volatile boolean running;
    private Thread starter;

    /**
     * A server started before the informers and stopped after the runner.
     *
     * @param name  for logs
     * @param start starts it
     * @param stop  stops it
     */
    public record ManagedServer(String name, Runnable start, Runnable stop) {
    }

    public ProxyAgentLifecycle(SharedInformerFactory informers, SyncRunner runner, List<ManagedServer> servers,
                               Runnable startedLog) {
        this.informers = informers;
        this.runner = runner;
        this.servers = servers;
        this.startedLog = startedLog;
    }

    @Override
    public synchronized void start() {
        running = true;
        servers.forEach(s -> s.start().run());
        informers.startAll();
        starter = new Thread(this::startWhenSynced, "proxy-agent-start");
        starter.setDaemon(true);
        starter.start();
        startedLog.run();
    }

    private void startWhenSynced() {
        long waited = 0;
        while (running) {
            if (informers.waitForCacheSync(WAIT_LOG_EVERY)) {
                synchronized (this) {
                    if (running) {
                        log.info("Services and EndpointSlices listed: starting the sync loop (first sync: full)");
                        runner.start();
                    }
                }
                return;
            }
            waited += WAIT_LOG_EVERY.toSeconds();
            if (running) {
                log.warn("still waiting for the Service and EndpointSlice informers to list after {}s "
                        + "(is the apiserver reachable?); no rules are programmed until they have", waited);
            }
        }
    }

    @Override
    public void stop() {
        Thread t;
        synchronized (this) {
            running = false;
            t = starter;
        }
        if (t != null) {
            t.interrupt();
        }
        runner.stop();
        informers.stopAll();
        for (int i = servers.size() - 1; i >= 0; i--) {
            try {
                servers.get(i).stop().run();
            } catch (RuntimeException e) {
                log.warn("stopping {} failed: {}", servers.get(i).name(), e.toString());
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
