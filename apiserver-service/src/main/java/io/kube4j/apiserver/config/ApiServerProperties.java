package io.kube4j.apiserver.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;
import java.util.List;

/**
 * Settings of the apiserver, under {@code kube4j.apiserver}. The README's configuration table mirrors this.
 *
 * @param etcd                  how to reach etcd
 * @param serviceClusterIpRange CIDR that Service ClusterIPs are allocated from
 * @param serviceNodePortRange  port range ({@code from-to}) NodePorts are allocated from
 * @param watchCache            the watch cache's sizing
 * @param eventTtl              how long core/v1 Events are kept
 * @param maxRequestBodySize    the largest request body accepted (Kubernetes: 3 MiB)
 * @param kubelet               how the apiserver reaches node agents (pods/log, exec, attach, portforward)
 * @param encryptionProviderConfig path of an {@code apiserver.config.k8s.io/v1 EncryptionConfiguration} file:
 *                              the resources encrypted at rest in etcd and their keys (empty: nothing encrypted)
 * @param store                 the storage backend: {@code etcd} (default; the standalone apiserver) or
 *                              {@code embedded} (one local file, no etcd; needs {@code embedded.data-dir})
 * @param embedded              the embedded store's settings
 * @param compactionInterval    how often the store's history is compacted, to the revision seen one interval
 *                              earlier (kube-apiserver's {@code --etcd-compaction-interval}); 0 disables it
 * @param advertiseAddress      the address pods reach this apiserver at, published in the {@code default/kubernetes}
 *                              Service's Endpoints and EndpointSlice (kube-apiserver's {@code --advertise-address});
 *                              blank: the Service is kept but no endpoint is published for this apiserver
 * @param advertisePort         the port published with it (0: the port this apiserver listens on)
 * @param endpointReconcileInterval how often each apiserver renews its endpoint Lease and rewrites the endpoints from
 *                              the live Leases (a Lease lives 1.5 intervals, as kube-apiserver's lease reconciler)
 */
@ConfigurationProperties("kube4j.apiserver")
public record ApiServerProperties(
        @DefaultValue Etcd etcd,
        @DefaultValue("10.96.0.0/12") String serviceClusterIpRange,
        @DefaultValue("30000-32767") String serviceNodePortRange,
        @DefaultValue WatchCache watchCache,
        @DefaultValue("1h") Duration eventTtl,
        @DefaultValue("3145728") long maxRequestBodySize,
        @DefaultValue Kubelet kubelet,
        String encryptionProviderConfig,
        @DefaultValue("etcd") String store,
        @DefaultValue Embedded embedded,
        @DefaultValue("5m") Duration compactionInterval,
        @DefaultValue("") String advertiseAddress,
        @DefaultValue("0") int advertisePort,
        @DefaultValue("10s") Duration endpointReconcileInterval) {

    public static final String STORE_ETCD = "etcd";
    public static final String STORE_EMBEDDED = "embedded";

    public ApiServerProperties {
        // defaults here as well: the record is also built without the binder's @DefaultValue (tests, other modules)
        store = store == null || store.isBlank() ? STORE_ETCD : store.trim();
        embedded = embedded != null ? embedded : new Embedded(null, null);
        compactionInterval = compactionInterval != null ? compactionInterval : Duration.ofMinutes(5);
        advertiseAddress = advertiseAddress == null ? "" : advertiseAddress.trim();
        endpointReconcileInterval = endpointReconcileInterval != null ? endpointReconcileInterval : Duration.ofSeconds(10);
        if (advertisePort < 0 || advertisePort > 65535) {
            throw new IllegalArgumentException("kube4j.apiserver.advertise-port must be 0..65535, got " + advertisePort);
        }
        if (endpointReconcileInterval.isNegative() || endpointReconcileInterval.isZero()) {
            throw new IllegalArgumentException("kube4j.apiserver.endpoint-reconcile-interval must be positive");
        }
        if (!store.equals(STORE_ETCD) && !store.equals(STORE_EMBEDDED)) {
            throw new IllegalArgumentException("kube4j.apiserver.store must be 'etcd' or 'embedded', not '" + store + "'");
        }
        if (store.equals(STORE_EMBEDDED) && (embedded.dataDir() == null || embedded.dataDir().isBlank())) {
            throw new IllegalArgumentException("kube4j.apiserver.store=embedded needs kube4j.apiserver.embedded.data-dir"
                    + " (the directory that holds the store file)");
        }
        if (compactionInterval.isNegative()) {
            throw new IllegalArgumentException("kube4j.apiserver.compaction-interval must not be negative (0 disables)");
        }
    }

    /**
     * @param dataDir       directory of the embedded store's file (created when missing); required for
     *                      {@code store=embedded}
     * @param retentionTime how long freed file space is kept before reuse (every commit is fsynced)
     */
    public record Embedded(String dataDir, @DefaultValue("10s") Duration retentionTime) {

        public Embedded {
            retentionTime = retentionTime != null ? retentionTime : Duration.ofSeconds(10);
        }
    }

    /**
     * @param insecureTls    do not verify the node API's certificate (kube-apiserver's {@code --kubelet-insecure-tls});
     *                       node agents serve a self-signed one by default. Ignored when {@code caFile} is set.
     * @param caFile         PEM CA bundle that signs the node APIs' certificates ({@code --kubelet-certificate-authority}):
     *                       when set, node certificates and their host names are always verified
     * @param https          reach node agents over HTTPS (false: plain HTTP, for node agents started without TLS)
     * @param connectTimeout deadline to connect to a node agent
     * @param clientCertFile PEM client certificate the apiserver presents to node agents
     *                       ({@code --kubelet-client-certificate}; CN kube-apiserver-kubelet-client), read again
     *                       when it changes
     * @param clientKeyFile  PEM private key of {@code clientCertFile}
     */
    public record Kubelet(
            @DefaultValue("true") boolean insecureTls,
            String caFile,
            @DefaultValue("true") boolean https,
            @DefaultValue("10s") Duration connectTimeout,
            String clientCertFile,
            String clientKeyFile) {

        public boolean verifies() {
            return caFile != null && !caFile.isBlank();
        }
    }

    /**
     * @param endpoints      etcd client URLs
     * @param requestTimeout deadline of one etcd request
     * @param connectTimeout deadline to connect
     * @param caFile         PEM CA bundle that signs etcd's certificate (enables TLS)
     * @param certFile       PEM client certificate for etcd
     * @param keyFile        PEM client key for etcd
     */
    public record Etcd(
            @DefaultValue("http://127.0.0.1:2379") List<String> endpoints,
            @DefaultValue("5s") Duration requestTimeout,
            @DefaultValue("5s") Duration connectTimeout,
            String caFile,
            String certFile,
            String keyFile) {
    }

    /**
     * @param windowSize         events kept per resource for watches that resume from a resourceVersion
     * @param startupReplay      store revisions replayed into the window at start, so clients resume across restarts
     * @param bookmarkInterval   how often watches that ask for bookmarks get one
     * @param watcherBufferSize  events buffered for one slow watcher before its stream is closed
     * @param consistentReadWait how long a list waits for the cache to catch up with etcd before reading etcd
     */
    public record WatchCache(
            @DefaultValue("5000") int windowSize,
            @DefaultValue("10000") long startupReplay,
            @DefaultValue("60s") Duration bookmarkInterval,
            @DefaultValue("10000") int watcherBufferSize,
            @DefaultValue("500ms") Duration consistentReadWait) {
    }
}
