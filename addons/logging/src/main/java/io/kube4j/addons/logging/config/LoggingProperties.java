package io.kube4j.addons.logging.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The log collector, {@code kube4j.logging.*}.
 *
 * @param nodeName     the node whose containers are collected (the node agent's {@code kube4j.node.name}; default:
 *                     the host name, lower-cased)
 * @param dataDir      where the store's segments and the checkpoints live
 * @param retention    how long lines are kept (whole hours: a segment goes when its hour is older than this)
 * @param maxBytes     the store's size bound; the oldest segments go first
 * @param dockerHost   the engine whose json-file logs are read (must be this host's: the files are read directly)
 * @param pollInterval how often logs are read when no container event wakes the collector
 * @param rediscover   how often the engine's container list is read even without events
 * @param labelWait    how long a new container's lines wait for its pod to reach the informer (for its labels)
 * @param searchMaxLimit the largest {@code limit} a search may ask for
 * @param forward      optional forwarding to an external Loki or Elasticsearch
 */
@ConfigurationProperties("kube4j.logging")
public record LoggingProperties(
        String nodeName,
        @DefaultValue("/var/lib/kube4j/logs") Path dataDir,
        @DefaultValue("24h") Duration retention,
        @DefaultValue("1GB") DataSize maxBytes,
        @DefaultValue("unix:///var/run/docker.sock") String dockerHost,
        @DefaultValue("250ms") Duration pollInterval,
        @DefaultValue("10s") Duration rediscover,
        @DefaultValue("5s") Duration labelWait,
        @DefaultValue("100000") int searchMaxLimit,
        @DefaultValue Forward forward) {

    public LoggingProperties {
        nodeName = nodeName == null || nodeName.isBlank() ? hostname() : nodeName.strip().toLowerCase(Locale.ROOT);
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("kube4j.logging.retention must be positive, got " + retention);
        }
        if (maxBytes.toBytes() <= 0) {
            throw new IllegalArgumentException("kube4j.logging.max-bytes must be positive, got " + maxBytes);
        }
    }

    /**
     * Forwarding, {@code kube4j.logging.forward.*}; each target is off while its URL is empty.
     *
     * @param lokiUrl            Loki's push endpoint, e.g. {@code http://loki:3100/loki/api/v1/push}
     * @param elasticsearchUrl   an Elasticsearch/OpenSearch {@code _bulk} endpoint, e.g. {@code http://es:9200/_bulk}
     * @param elasticsearchIndex the index documents go to
     * @param batchSize          lines per request at most
     * @param flushInterval      the longest a line waits for its batch to fill
     * @param bufferLines        lines held while a target is slow or down; beyond it the oldest are dropped
     * @param maxRetries         retries of a failed batch (back-off doubling from {@code retryBackoff}) before it is dropped
     * @param retryBackoff       the first retry's delay
     */
    public record Forward(
            @DefaultValue("") String lokiUrl,
            @DefaultValue("") String elasticsearchUrl,
            @DefaultValue("kube4j-logs") String elasticsearchIndex,
            @DefaultValue("1000") int batchSize,
            @DefaultValue("1s") Duration flushInterval,
            @DefaultValue("100000") int bufferLines,
            @DefaultValue("5") int maxRetries,
            @DefaultValue("500ms") Duration retryBackoff) {
    }

    static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
