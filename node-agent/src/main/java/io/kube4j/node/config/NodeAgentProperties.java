package io.kube4j.node.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The node agent's configuration, {@code kube4j.node.*}.
 *
 * @param name              the Node's name (blank: the host name, lower-cased)
 * @param labels            extra Node labels
 * @param taints            Node taints as {@code key[=value]:Effect}
 * @param podCidr           this node's pod range; pod IPs come from it on the node's Docker bridge network
 * @param clusterCidr       the range holding every node's pod CIDR (blank: none); with the Docker runtime on a local
 *                          engine as root, forwarding within it is accepted so pods reach pods of the other nodes of
 *                          this host (see {@code ClusterCidrForwarding})
 * @param rootDir           where pod volumes and state live (blank: {@code ~/.kube4j/nodes/<name>})
 * @param runtime           {@code docker} or {@code hollow}
 * @param maxPods           pods capacity
 * @param reserved          system + kube reservations subtracted from capacity to make allocatable
 * @param lease             Lease renewal
 * @param statusReportInterval the Node status is written when it changes and at least this often
 * @param statusUpdateFrequency how often the Node's conditions are computed
 * @param syncFrequency     every pod is resynced at least this often
 * @param relistPeriod      how often the runtime is relisted for container state changes (the PLEG)
 * @param staticPodPath     a directory of static pod manifests (blank: none)
 * @param manifestUrl       a URL serving pod manifests (blank: none)
 * @param manifestUrlPeriod how often {@code manifestUrl} and {@code staticPodPath} are re-read
 * @param docker            the Docker runtime
 * @param hollow            the hollow runtime
 * @param server            the node API server (logs, exec, stats)
 * @param eviction          hard eviction thresholds
 * @param podWorkers        threads that sync pods (they block on the runtime)
 * @param localPathDir      where this node's {@code local-path} volumes live, advertised in the Node annotation
 *                          {@code kube4j.io/local-path-dir} (blank: {@code <rootDir>/local-path})
 * @param clusterDns        the cluster DNS servers ClusterFirst pods use (the kubelet's {@code clusterDNS}: the
 *                          kube-dns Service's ClusterIP); empty: they get the node's resolution, as the kubelet's
 * @param clusterDomain     the cluster's DNS domain, for ClusterFirst pods' searches
 * @param resolvConf        the node's resolv.conf, the base of {@code Default} pods with a {@code dnsConfig} and the
 *                          searches after the cluster ones (blank: none)
 */
@ConfigurationProperties("kube4j.node")
public record NodeAgentProperties(
        @DefaultValue("") String name,
        @DefaultValue Map<String, String> labels,
        @DefaultValue List<String> taints,
        @DefaultValue("10.244.1.0/24") String podCidr,
        @DefaultValue("") String clusterCidr,
        @DefaultValue("") String rootDir,
        @DefaultValue("docker") String runtime,
        @DefaultValue("110") int maxPods,
        @DefaultValue Reserved reserved,
        @DefaultValue Lease lease,
        @DefaultValue("5m") Duration statusReportInterval,
        @DefaultValue("10s") Duration statusUpdateFrequency,
        @DefaultValue("60s") Duration syncFrequency,
        @DefaultValue("1s") Duration relistPeriod,
        @DefaultValue("") String staticPodPath,
        @DefaultValue("") String manifestUrl,
        @DefaultValue("20s") Duration manifestUrlPeriod,
        @DefaultValue Docker docker,
        @DefaultValue Hollow hollow,
        @DefaultValue Server server,
        @DefaultValue Eviction eviction,
        @DefaultValue("8") int podWorkers,
        @DefaultValue("") String localPathDir,
        @DefaultValue List<String> clusterDns,
        @DefaultValue("cluster.local") String clusterDomain,
        @DefaultValue("/etc/resolv.conf") String resolvConf) {

    public NodeAgentProperties {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        taints = taints == null ? List.of() : List.copyOf(taints);
        clusterDns = clusterDns == null ? List.of() : List.copyOf(clusterDns);
    }

    /** The node name: {@code name}, else the host name (lower-cased, as Kubernetes requires). */
    public String nodeName() {
        if (name != null && !name.isBlank()) {
            return name.trim();
        }
        try {
            return InetAddress.getLocalHost().getHostName().toLowerCase(java.util.Locale.ROOT);
        } catch (UnknownHostException e) {
            String env = System.getenv("HOSTNAME");
            return env == null || env.isBlank() ? "localhost" : env.toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The state directory: {@code rootDir}, else {@code ~/.kube4j/nodes/<nodeName>}. */
    public Path rootPath() {
        if (rootDir != null && !rootDir.isBlank()) {
            return Path.of(rootDir);
        }
        return Path.of(System.getProperty("user.home"), ".kube4j", "nodes", nodeName());
    }

    /** The local-path volume directory of a node whose state directory is {@code root} (absolute). */
    public Path localPathPath(Path root) {
        if (localPathDir != null && !localPathDir.isBlank()) {
            return Path.of(localPathDir).toAbsolutePath();
        }
        return root.toAbsolutePath().resolve("local-path");
    }

    /** A copy with another name, pod CIDR and root directory (hollow fleets, several agents per host). */
    public NodeAgentProperties withIdentity(String newName, String newPodCidr, String newRootDir) {
        return new NodeAgentProperties(newName, labels, taints, newPodCidr, clusterCidr, newRootDir, runtime, maxPods, reserved,
                lease, statusReportInterval, statusUpdateFrequency, syncFrequency, relistPeriod, staticPodPath,
                manifestUrl, manifestUrlPeriod, docker, hollow, server, eviction, podWorkers, localPathDir,
                clusterDns, clusterDomain, resolvConf);
    }

    /** A copy with another runtime ({@code docker} / {@code hollow}). */
    public NodeAgentProperties withRuntime(String newRuntime) {
        return new NodeAgentProperties(name, labels, taints, podCidr, clusterCidr, rootDir, Objects.requireNonNull(newRuntime),
                maxPods, reserved, lease, statusReportInterval, statusUpdateFrequency, syncFrequency, relistPeriod,
                staticPodPath, manifestUrl, manifestUrlPeriod, docker, hollow, server, eviction, podWorkers, localPathDir,
                clusterDns, clusterDomain, resolvConf);
    }

    /** Resources held back from pods (kube-reserved + system-reserved). */
    public record Reserved(@DefaultValue("100m") String cpu, @DefaultValue("256Mi") String memory,
                           @DefaultValue("1Gi") String ephemeralStorage) {
    }

    /** The node's Lease in {@code kube-node-lease}: renewed every {@code renewInterval}. */
    public record Lease(@DefaultValue("40s") Duration duration, @DefaultValue("10s") Duration renewInterval) {
    }

    /**
     * @param host          the engine's address ({@code unix:///var/run/docker.sock}, {@code tcp://...})
     * @param networkName   the node's bridge network (blank: {@code kube4j-<nodeName>})
     * @param pauseImage    the sandbox image; built locally from busybox when absent and {@code busybox} is set
     * @param busybox       a static busybox binary to build the pause image from (blank: do not build)
     * @param apiVersion    the Docker API version to speak (blank: negotiate)
     * @param retryInitial  first wait before connecting again to an engine that does not answer (doubles each time)
     * @param retryMax      the longest wait between two connects
     * @param checkPeriod   how often an engine that answers is pinged (the kubelet checks its runtime every 5 s)
     */
    public record Docker(@DefaultValue("unix:///var/run/docker.sock") String host,
                         @DefaultValue("") String networkName,
                         @DefaultValue("kube4j/pause:3.10") String pauseImage,
                         @DefaultValue("/bin/busybox") String busybox,
                         @DefaultValue("") String apiVersion,
                         @DefaultValue("1s") Duration retryInitial,
                         @DefaultValue("30s") Duration retryMax,
                         @DefaultValue("5s") Duration checkPeriod) {

        @org.springframework.boot.context.properties.bind.ConstructorBinding
        public Docker {
        }

        /** With the default retry and check periods (1 s doubling to 30 s; 5 s). */
        public Docker(String host, String networkName, String pauseImage, String busybox, String apiVersion) {
            this(host, networkName, pauseImage, busybox, apiVersion, Duration.ofSeconds(1), Duration.ofSeconds(30),
                    Duration.ofSeconds(5));
        }
    }

    /**
     * @param startDelay    how long a hollow container takes to start
     * @param nodes         how many hollow nodes one {@code hollow} process runs
     * @param namePrefix    hollow node names are {@code <prefix><index>}
     */
    public record Hollow(@DefaultValue("0s") Duration startDelay, @DefaultValue("1") int nodes,
                         @DefaultValue("hollow-node-") String namePrefix) {
    }

    /**
     * The node API (kubelet's port 10250).
     *
     * @param address      listen address (also advertised in the Node's addresses when not 0.0.0.0)
     * @param port         listen port (0: pick one)
     * @param tls          serve HTTPS with a self-signed certificate (or {@code certFile}/{@code keyFile})
     * @param certFile     PEM serving certificate (read again when it changes: rotation without restart)
     * @param keyFile      PEM private key of {@code certFile}
     * @param clientCaFile PEM CA bundle: when set, every caller must present a client certificate of this CA
     *                     (kubelet's {@code --client-ca-file}); unset: any caller (development)
     * @param allowedClientNames CNs of the client certificates allowed with {@code clientCaFile} (empty: any CN of
     *                     that CA); by default only the apiserver's kubelet-client identity
     */
    public record Server(@DefaultValue("0.0.0.0") String address, @DefaultValue("10250") int port,
                         @DefaultValue("true") boolean tls, @DefaultValue("") String certFile,
                         @DefaultValue("") String keyFile, @DefaultValue("") String clientCaFile,
                         @DefaultValue("kube-apiserver-kubelet-client") List<String> allowedClientNames) {
    }

    /** Hard eviction thresholds: below these the node reports pressure and evicts pods. */
    public record Eviction(@DefaultValue("100MB") DataSize memoryAvailable,
                           @DefaultValue("10") int nodefsAvailablePercent,
                           @DefaultValue("5") int nodefsInodesFreePercent,
                           @DefaultValue("10s") Duration monitoringInterval,
                           @DefaultValue("true") boolean enabled) {
    }
}
