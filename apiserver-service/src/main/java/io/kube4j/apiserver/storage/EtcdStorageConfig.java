package io.kube4j.apiserver.storage;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How {@link EtcdStorage} reaches etcd. TLS is used when {@code caFile} is set; {@code certFile} and
 * {@code keyFile} (PKCS#8 PEM) add a client certificate.
 *
 * @param endpoints      etcd client URLs, e.g. {@code http://127.0.0.1:2379}
 * @param requestTimeout upper bound for every single request (reads, writes, lease grants, compaction)
 * @param connectTimeout how long to wait for a TCP/TLS connection to an endpoint
 * @param caFile         PEM bundle to trust, or null for plain text
 * @param certFile       client certificate PEM, or null
 * @param keyFile        client key PEM, or null
 */
public record EtcdStorageConfig(List<String> endpoints, Duration requestTimeout, Duration connectTimeout,
                                String caFile, String certFile, String keyFile) {

    public EtcdStorageConfig {
        Objects.requireNonNull(endpoints, "endpoints");
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("at least one etcd endpoint is required");
        }
        endpoints = List.copyOf(endpoints);
        requestTimeout = requestTimeout != null ? requestTimeout : Duration.ofSeconds(5);
        connectTimeout = connectTimeout != null ? connectTimeout : Duration.ofSeconds(5);
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("certFile and keyFile must be given together");
        }
        if (certFile != null && caFile == null) {
            throw new IllegalArgumentException("a client certificate needs caFile (TLS) as well");
        }
    }

    /** Plain-text access to {@code endpoints} with default timeouts (5 s request, 5 s connect). */
    public static EtcdStorageConfig of(String... endpoints) {
        return new EtcdStorageConfig(List.of(endpoints), null, null, null, null, null);
    }

    public boolean tls() {
        return caFile != null;
    }
}
