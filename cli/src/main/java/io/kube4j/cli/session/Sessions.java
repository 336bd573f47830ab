package io.kube4j.cli.session;

import io.kube4j.cli.api.Discovery;
import io.kube4j.client.KubeClient;
import io.kube4j.client.config.ClientConfig;
import jakarta.annotation.PreDestroy;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The clients and discovery of this process, one per apiserver identity (server, credentials): one-shot runs use
 * one; the interactive shell keeps them across commands, so a context's connection pool and discovery are reused.
 * {@link #invalidateDiscovery()} forgets discovery (after CRDs change).
 */
@Component
public class Sessions {

    private final Map<String, KubeClient> clients = new ConcurrentHashMap<>();
    private final Map<String, Discovery> discoveries = new ConcurrentHashMap<>();

    /** The client of {@code config} (its namespace is ignored: commands pass namespaces explicitly). */
    public KubeClient client(ClientConfig config, Duration requestTimeout) {
        ClientConfig c = requestTimeout == null ? config : config.withRequestTimeout(requestTimeout);
        return clients.computeIfAbsent(key(c) + "|" + c.requestTimeout(), k -> KubeClient.create(c));
    }

    public Discovery discovery(KubeClient client) {
        return discoveries.computeIfAbsent(key(client.config()), k -> Discovery.fetch(client));
    }

    public void invalidateDiscovery() {
        discoveries.clear();
    }

    private static String key(ClientConfig c) {
        return c.server() + "|" + java.util.Arrays.hashCode(c.clientCertPem()) + "|" + c.token() + "|" + c.tokenFile();
    }

    @PreDestroy
    public void close() {
        clients.values().forEach(KubeClient::close);
        clients.clear();
    }
}
