package io.kube4j.node.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.ExecCreateCmdResponse;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectExecResponse;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.command.InspectVolumeResponse;
import com.github.dockerjava.api.command.LogContainerCmd;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.api.model.InternetProtocol;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.Statistics;
import com.github.dockerjava.api.model.StatsConfig;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.api.model.Version;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.kube4j.node.config.NodeAgentProperties;
import io.kube4j.node.runtime.ContainerRuntime;
import io.kube4j.node.runtime.ContainerSpec;
import io.kube4j.node.runtime.ContainerStats;
import io.kube4j.node.runtime.ContainerStatus;
import io.kube4j.node.runtime.ExecResult;
import io.kube4j.node.runtime.ImageInfo;
import io.kube4j.node.runtime.ImagePullException;
import io.kube4j.node.runtime.LogRequest;
import io.kube4j.node.runtime.OutputSink;
import io.kube4j.node.runtime.RuntimeInfo;
import io.kube4j.node.runtime.EngineConnection;
import io.kube4j.node.runtime.EngineUnavailableException;
import io.kube4j.client.util.Clock;
import io.kube4j.node.runtime.RuntimeLabels;
import io.kube4j.node.runtime.RuntimeOperationException;
import io.kube4j.node.runtime.Sandbox;
import io.kube4j.node.runtime.SandboxSpec;
import io.kube4j.node.runtime.StreamHandle;
import io.kube4j.node.runtime.StreamIo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link ContainerRuntime} on a Docker engine (docker-java), laid out as dockershim did: a pod is a pause
 * container ({@code k8s_POD_<pod>_<ns>_<uid>_<attempt>}) on the node's bridge network, and its containers
 * ({@code k8s_<name>_<pod>_<ns>_<uid>_<attempt>}) join the pause container's network and IPC namespaces.
 * Everything created carries the {@link RuntimeLabels}, including {@code io.kube4j.node=<node>}, so several agents
 * can share one engine and an agent finds its containers again after a restart.
 *
 * <p>Usage:
 * <pre>{@code
 * try (DockerRuntime docker = DockerRuntime.connect("node-1", props.docker(), "10.244.1.0/24")) {
 *     Sandbox sb = docker.runSandbox(sandboxSpec);        // pause container with an IP from 10.244.1.0/24
 *     String id = docker.createContainer(sb, containerSpec);
 *     docker.startContainer(id);
 * }
 * }</pre>
 * {@link #connect} (or {@code new DockerRuntime(...).start()}) checks that the engine answers, creates the node's
 * bridge network ({@code kube4j-<node>}, subnet = the pod CIDR, gateway = its first address) when missing, and
 * builds the pause image from a static busybox when it is not present locally.
 *
 * <p>Known limits: a host-network sandbox has no IP of its own ({@link Sandbox#ip()} is null: use the node's);
 * A container's terminationMessagePath ends up in {@link ContainerStatus#message()} (at most 4096 bytes): from a
 * bind-mounted host file when the runtime has a termination-message directory, else read out of the exited
 * container with {@code docker cp} (which cannot see tmpfs, so not the default {@code /dev/termination-log}); a timed-out {@link #execSync} is abandoned, not killed (Docker
 * cannot kill an exec). An interactive exec with stdin and no tty runs over a connection of its own
 * ({@link HalfClosingExecStream}) so the end of stdin reaches the process; that path speaks plain
 * {@code unix://}/{@code tcp://} only. {@link #attach} cannot pass on the end of stdin (docker-java's transport
 * never half-closes).
 */
public class DockerRuntime implements ContainerRuntime {

    private static final Logger log = LoggerFactory.getLogger(DockerRuntime.class);

    /** Label on images this runtime builds. */
    public static final String IMAGE_LABEL = "io.kube4j.image";
    /** The pause container's command: sleeps forever and exits 0 on SIGTERM, so a stop is quick and clean. */
    public static final List<String> PAUSE_COMMAND = List.of("/bin/sh", "-c",
            "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done");

    /** Label holding a container's terminationMessagePath: the file is read out of the exited container. */
    public static final String TERMINATION_MESSAGE_PATH = "io.kubernetes.container.terminationMessagePath";
    /** Kubernetes caps termination messages at 4096 bytes. */
    static final int MAX_TERMINATION_MESSAGE = 4096;

    /** Label holding the host file bind-mounted at the terminationMessagePath. */
    public static final String TERMINATION_MESSAGE_HOST_PATH = "io.kube4j.termination-message-host-path";

    private final Path terminationMessageDir;
    private final String nodeName;
    private final NodeAgentProperties.Docker cfg;
    private final DockerSpecs.Cidr podCidr;
    private final String networkName;
    private final DockerClient docker;
    private final Map<String, CachedStatus> statusCache = new ConcurrentHashMap<>();
    private volatile String apiVersion = "";

    private record CachedStatus(String state, ContainerStatus status) {
    }

    /** A runtime for {@code nodeName} whose pods get IPs from {@code podCidr}; call {@link #start()} before use. */
    public DockerRuntime(String nodeName, NodeAgentProperties.Docker cfg, String podCidr) {
        this(nodeName, cfg, podCidr, null);
    }

    /**
     * As {@link #DockerRuntime(String, NodeAgentProperties.Docker, String)}, with a host directory (on the engine's
     * host) for termination-message files, which are bind-mounted at each container's terminationMessagePath
     * (null: the file is read out of the exited container instead, which misses files on tmpfs such as the default
     * {@code /dev/termination-log}).
     */
    public DockerRuntime(String nodeName, NodeAgentProperties.Docker cfg, String podCidr,
                         Path terminationMessageDir) {
        this.terminationMessageDir = terminationMessageDir;
        if (nodeName == null || nodeName.isBlank()) {
            throw new IllegalArgumentException("a node name is required");
        }
        this.nodeName = nodeName;
        this.cfg = cfg;
        this.podCidr = DockerSpecs.Cidr.parse(podCidr);
        this.networkName = cfg.networkName() == null || cfg.networkName().isBlank()
                ? "kube4j-" + nodeName : cfg.networkName();
        DefaultDockerClientConfig.Builder b = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(cfg.host());
        if (cfg.apiVersion() != null && !cfg.apiVersion().isBlank()) {
            b.withApiVersion(cfg.apiVersion());
        }
        DockerClientConfig config = b.build();
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .maxConnections(64)
                .connectionTimeout(Duration.ofSeconds(10))
                .build();
        this.docker = DockerClientImpl.getInstance(config, http);
    }

    /** {@code new DockerRuntime(nodeName, cfg, podCidr).start()}. */
    public static DockerRuntime connect(String nodeName, NodeAgentProperties.Docker cfg, String podCidr) {
        return new DockerRuntime(nodeName, cfg, podCidr).start();
    }

    /** {@code new DockerRuntime(nodeName, cfg, podCidr, terminationMessageDir).start()}. */
    public static DockerRuntime connect(String nodeName, NodeAgentProperties.Docker cfg, String podCidr,
                                        Path terminationMessageDir) {
        return new DockerRuntime(nodeName, cfg, podCidr, terminationMessageDir).start();
    }

    /**
     * Checks that the engine answers, ensures the node's network and the pause image; returns this. On failure the
     * client is closed: use {@link #prepare()} to try again on the same runtime.
     *
     * @throws EngineUnavailableException naming the engine's address when it does not answer
     * @throws RuntimeOperationException naming the network or the image that is wrong
     */
    public DockerRuntime start() {
        try {
            prepare();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        return this;
    }

    /**
     * What {@link #start()} does, leaving the client open on failure so that it can be called again (an
     * {@link EngineConnection} calls it until the engine answers, and again when it comes back).
     */
    public void prepare() {
        ping();
        try {
            Version v = docker.versionCmd().exec();
            apiVersion = v.getApiVersion() == null ? "" : v.getApiVersion();
        } catch (RuntimeException e) {
            throw new EngineUnavailableException(engineDownMessage(cfg.host(), e), e);
        }
        ensureNetwork();
        ensurePauseImage();
        log.info("docker runtime for node {}: engine {} (API {}), network {} ({}), pause image {}", nodeName,
                cfg.host(), apiVersion, networkName, podCidr, cfg.pauseImage());
    }

    /** Checks that the engine answers. @throws EngineUnavailableException naming its address and the fix */
    public void ping() {
        try {
            docker.pingCmd().exec();
        } catch (RuntimeException e) {
            throw new EngineUnavailableException(engineDownMessage(cfg.host(), e), e);
        }
    }

    /**
     * This runtime behind an {@link EngineConnection} configured by {@code kube4j.node.docker.retry-initial},
     * {@code retry-max} and {@code check-period}: connected now when the engine answers, waited for otherwise.
     *
     * @param onConnect host set-up to redo after each connect (cluster CIDR forwarding); null for none
     * @throws RuntimeOperationException when the engine answers but cannot be used (clashing network)
     */
    public EngineConnection connection(Runnable onConnect, Clock clock) {
        return new EngineConnection(nodeName, this, new EngineConnection.Engine(this::prepare, this::ping),
                onConnect, cfg.retryInitial(), cfg.retryMax(), cfg.checkPeriod(), clock).start();
    }

    /**
     * The node's reason when the engine does not answer, with the fix: {@code Docker engine at <host> does not
     * answer: <cause> (start dockerd or install docker.io)}, or the permission fix when the socket is not readable.
     */
    static String engineDownMessage(String host, Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String cause = root.getMessage() == null || root.getMessage().isBlank() ? root.getClass().getSimpleName()
                : root.getMessage();
        String fix = cause.toLowerCase(java.util.Locale.ROOT).contains("permission denied")
                ? "run the agent as root or as a member of the docker group"
                : "start dockerd or install docker.io";
        return "Docker engine at " + host + " does not answer: " + cause + " (" + fix + ")";
    }

    public String nodeName() {
        return nodeName;
    }

    /** The node's bridge network. */
    public String networkName() {
        return networkName;
    }

    /** The docker-java client (tests and diagnostics). */
    public DockerClient client() {
        return docker;
    }

    // ---------------------------------------------------------------- setup

    private void ensureNetwork() {
        List<Network> networks = docker.listNetworksCmd().exec();
        for (Network n : networks) {
            if (networkName.equals(n.getName())) {
                List<String> subnets = subnets(n);
                boolean same = subnets.stream().anyMatch(s -> safeCidr(s) != null && safeCidr(s).equals(podCidr));
                if (!same) {
                    throw new RuntimeOperationException("Docker network " + networkName + " exists with subnet "
                            + subnets + ", not the pod CIDR " + podCidr + " of node " + nodeName
                            + "; remove it (docker network rm " + networkName + ") or set kube4j.node.pod-cidr to"
                            + " match");
                }
                return;
            }
        }
        for (Network n : networks) {
            for (String s : subnets(n)) {
                DockerSpecs.Cidr other = safeCidr(s);
                if (other != null && other.overlaps(podCidr)) {
                    throw new RuntimeOperationException("pod CIDR " + podCidr + " of node " + nodeName
                            + " overlaps Docker network " + n.getName() + " (" + s + "); choose another"
                            + " kube4j.node.pod-cidr");
                }
            }
        }
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(RuntimeLabels.NODE, nodeName);
        labels.put("io.kube4j.pod-cidr", podCidr.toString());
        try {
            docker.createNetworkCmd()
                    .withName(networkName)
                    .withDriver("bridge")
                    .withCheckDuplicate(true)
                    .withLabels(labels)
                    .withIpam(new Network.Ipam().withConfig(new Network.Ipam.Config()
                            .withSubnet(podCidr.toString()).withGateway(podCidr.firstHost())))
                    .exec();
            log.info("created Docker network {} with subnet {}", networkName, podCidr);
        } catch (ConflictException e) {
            // another agent process for the same node made it in between: fine when it matches, checked next start
            log.info("Docker network {} was created concurrently: {}", networkName, e.getMessage());
        } catch (DockerException e) {
            throw new RuntimeOperationException("cannot create Docker network " + networkName + " with subnet "
                    + podCidr + ": " + dockerMessage(e), e);
        }
    }

    private static List<String> subnets(Network n) {
        List<String> out = new ArrayList<>();
        if (n.getIpam() != null && n.getIpam().getConfig() != null) {
            for (Network.Ipam.Config c : n.getIpam().getConfig()) {
                if (c.getSubnet() != null) {
                    out.add(c.getSubnet());
                }
            }
        }
        return out;
    }

    private static DockerSpecs.Cidr safeCidr(String s) {
        try {
            return DockerSpecs.Cidr.parse(s);
        } catch (IllegalArgumentException e) {
            return null; // IPv6 subnets cannot overlap an IPv4 pod CIDR
        }
    }

    private void ensurePauseImage() {
        String image = cfg.pauseImage();
        if (inspectImage(image).isPresent()) {
            return;
        }
        String busybox = cfg.busybox();
        if (busybox == null || busybox.isBlank()) {
            throw new RuntimeOperationException("pause image " + image + " is not present in the Docker engine at "
                    + cfg.host() + " and kube4j.node.docker.busybox is not set to build it; load the image or point"
                    + " busybox at a static busybox binary");
        }
        buildBusyboxImage(docker, image, Path.of(busybox), PAUSE_COMMAND, Map.of(IMAGE_LABEL, "pause"));
        log.info("built pause image {} from {}", image, busybox);
    }

    /**
     * Loads a one-layer image {@code tag} made of the static busybox binary at {@code busybox}, with {@code cmd}
     * and {@code labels}; used for the pause image and by tests for their busybox image.
     */
    public static void buildBusyboxImage(DockerClient docker, String tag, Path busybox, List<String> cmd,
                                         Map<String, String> labels) {
        byte[] archive;
        try {
            byte[] bin = BusyboxImage.readStaticBusybox(busybox);
            String arch = DockerSpecs.goArch(docker.versionCmd().exec().getArch());
            archive = BusyboxImage.loadArchive(tag, bin, BusyboxImage.applets(busybox), cmd, labels,
                    arch.isBlank() ? "amd64" : arch);
        } catch (IOException e) {
            throw new RuntimeOperationException("cannot build image " + tag + " from busybox " + busybox + ": "
                    + e.getMessage(), e);
        }
        try {
            docker.loadImageCmd(new ByteArrayInputStream(archive)).exec();
        } catch (DockerException e) {
            throw new RuntimeOperationException("cannot load image " + tag + " into the Docker engine: "
                    + dockerMessage(e), e);
        }
    }

    // ---------------------------------------------------------------- info

    @Override
    public RuntimeInfo info() {
        Info info = call("info", () -> docker.infoCmd().exec());
        Version version = call("version", () -> docker.versionCmd().exec());
        long storage = 0;
        for (String dir : new String[] {info.getDockerRootDir(), "/"}) {
            if (dir == null) {
                continue;
            }
            try {
                storage = Files.getFileStore(Path.of(dir)).getTotalSpace();
                break;
            } catch (IOException | RuntimeException e) {
                // not readable from this process (e.g. a remote engine): try the next
            }
        }
        String arch = version.getArch() != null ? version.getArch() : DockerSpecs.goArch(info.getArchitecture());
        return new RuntimeInfo("docker", info.getServerVersion(), version.getApiVersion(),
                info.getOsType() == null ? "linux" : info.getOsType(), info.getKernelVersion(),
                info.getOperatingSystem(), arch, info.getNCPU() == null ? 0 : info.getNCPU(),
                info.getMemTotal() == null ? 0 : info.getMemTotal(), storage, info.getCGroupDriver());
    }

    // ---------------------------------------------------------------- images

    @Override
    public Optional<ImageInfo> inspectImage(String image) {
        try {
            InspectImageResponse r = docker.inspectImageCmd(image).exec();
            return Optional.of(new ImageInfo(r.getId(), r.getRepoTags() == null ? List.of() : r.getRepoTags(),
                    r.getSize() == null ? 0 : r.getSize()));
        } catch (NotFoundException e) {
            return Optional.empty();
        } catch (DockerException | DockerClientException e) {
            throw new RuntimeOperationException("cannot inspect image " + image + ": " + dockerMessage(e), e);
        }
    }

    @Override
    public ImageInfo pullImage(String image) {
        String[] rt = DockerSpecs.repositoryAndTag(image);
        try {
            docker.pullImageCmd(rt[0]).withTag(rt[1]).exec(new PullImageResultCallback()).awaitCompletion();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImagePullException("pull of image \"" + image + "\" was interrupted", e);
        } catch (RuntimeException e) {
            throw new ImagePullException("Failed to pull image \"" + image + "\": " + dockerMessage(e), e);
        }
        return inspectImage(image).orElseThrow(() -> new ImagePullException("Failed to pull image \"" + image
                + "\": the engine reported success but the image is not present", null));
    }

    // ---------------------------------------------------------------- sandboxes

    @Override
    public Sandbox runSandbox(SandboxSpec spec) {
        Map<String, String> labels = new HashMap<>(spec.labels());
        labels.put(RuntimeLabels.POD_UID, spec.podUid());
        labels.put(RuntimeLabels.POD_NAME, spec.podName());
        labels.put(RuntimeLabels.POD_NAMESPACE, spec.namespace());
        labels.put(RuntimeLabels.CONTAINER_NAME, RuntimeLabels.SANDBOX_CONTAINER_NAME);
        labels.put(RuntimeLabels.CONTAINER_TYPE, RuntimeLabels.TYPE_SANDBOX);
        labels.put(RuntimeLabels.ATTEMPT, Integer.toString(spec.attempt()));
        labels.put(RuntimeLabels.NODE, nodeName);

        HostConfig host = HostConfig.newHostConfig()
                .withNetworkMode(spec.hostNetwork() ? "host" : networkName)
                .withIpcMode("shareable");
        if (!spec.hostNetwork()) {
            if (!spec.dnsServers().isEmpty()) {
                host.withDns(spec.dnsServers());
            }
            if (!spec.dnsSearches().isEmpty()) {
                host.withDnsSearch(spec.dnsSearches());
            }
            if (!spec.dnsOptions().isEmpty()) {
                host.withDnsOptions(spec.dnsOptions());
            }
        }
        List<ExposedPort> exposed = new ArrayList<>();
        Ports ports = new Ports();
        if (!spec.hostNetwork()) {
            for (SandboxSpec.PortMapping pm : spec.portMappings()) {
                if (pm.hostPort() <= 0) {
                    continue;
                }
                ExposedPort ep = new ExposedPort(pm.containerPort(), protocol(pm.protocol()));
                exposed.add(ep);
                ports.bind(ep, pm.hostIp() == null || pm.hostIp().isBlank()
                        ? Ports.Binding.bindPort(pm.hostPort())
                        : Ports.Binding.bindIpAndPort(pm.hostIp(), pm.hostPort()));
            }
            host.withPortBindings(ports);
        }
        String name = DockerSpecs.sandboxName(spec.podName(), spec.namespace(), spec.podUid(), spec.attempt());
        CreateContainerCmd create = docker.createContainerCmd(cfg.pauseImage())
                .withName(name)
                .withLabels(labels)
                .withEntrypoint(PAUSE_COMMAND)
                .withHostConfig(host);
        if (!spec.hostNetwork() && spec.hostname() != null && !spec.hostname().isBlank()) {
            create.withHostName(spec.hostname());
        }
        if (!exposed.isEmpty()) {
            create.withExposedPorts(exposed);
        }
        String id;
        try {
            id = create.exec().getId();
        } catch (ConflictException e) {
            throw new RuntimeOperationException("cannot create sandbox " + name + ": a container with that name"
                    + " exists (" + dockerMessage(e) + ")", e);
        } catch (NotFoundException e) {
            throw new RuntimeOperationException("cannot create sandbox " + name + ": " + dockerMessage(e)
                    + " (pause image " + cfg.pauseImage() + " or network " + networkName + " missing?)", e);
        } catch (DockerException e) {
            throw new RuntimeOperationException("cannot create sandbox " + name + ": " + dockerMessage(e), e);
        }
        try {
            docker.startContainerCmd(id).exec();
        } catch (DockerException e) {
            safeRemove(id);
            throw new RuntimeOperationException("cannot start sandbox " + name + ": " + dockerMessage(e), e);
        }
        InspectContainerResponse r = call("inspect sandbox " + name, () -> docker.inspectContainerCmd(id).exec());
        if (!spec.hostNetwork()) {
            rewriteResolvConf(r.getResolvConfPath(), spec);
            enableHairpin(name, r);
        }
        String ip = null;
        if (!spec.hostNetwork() && r.getNetworkSettings() != null && r.getNetworkSettings().getNetworks() != null) {
            ContainerNetwork n = r.getNetworkSettings().getNetworks().get(networkName);
            ip = n == null || n.getIpAddress() == null || n.getIpAddress().isBlank() ? null : n.getIpAddress();
        }
        boolean running = r.getState() != null && Boolean.TRUE.equals(r.getState().getRunning());
        return new Sandbox(id, spec.podUid(), spec.podName(), spec.namespace(), spec.attempt(),
                running ? Sandbox.State.READY : Sandbox.State.NOT_READY, ip, DockerSpecs.parseTime(r.getCreated()),
                Map.copyOf(labels));
    }

    /** Lets the pod reach itself through a Service (see {@link HairpinMode}); a remote engine keeps it off. */
    private void enableHairpin(String name, InspectContainerResponse r) {
        Long pid = r.getState() == null ? null : r.getState().getPidLong();
        if (pid == null || pid <= 0) {
            return;
        }
        try {
            HairpinMode.host().enable(pid).ifPresentOrElse(
                    dev -> log.debug("hairpin mode on {} for sandbox {}", dev, name),
                    () -> log.debug("sandbox {}: its veth is no bridge port here, hairpin mode left alone", name));
        } catch (IOException e) {
            log.warn("cannot set hairpin mode for sandbox {} (remote engine, or not root?): {}; the pod cannot"
                    + " reach itself through a Service", name, e.toString());
        }
    }

    /**
     * On a user-defined network Docker points resolv.conf at its embedded DNS (127.0.0.11), which forwards to the
     * configured servers; pods expect the cluster DNS itself there, so, as dockershim did, the file the sandbox's
     * containers share is rewritten. Only possible when the engine is local: otherwise the forwarding resolver stays.
     */
    private void rewriteResolvConf(String resolvConfPath, SandboxSpec spec) {
        if (spec.dnsServers().isEmpty() || resolvConfPath == null || resolvConfPath.isBlank()) {
            return;
        }
        Path path = Path.of(resolvConfPath);
        if (!Files.isWritable(path)) {
            log.debug("cannot rewrite {} (remote engine?): pods of this node resolve through Docker's embedded DNS",
                    path);
            return;
        }
        StringBuilder b = new StringBuilder();
        spec.dnsServers().forEach(s -> b.append("nameserver ").append(s).append('\n'));
        if (!spec.dnsSearches().isEmpty()) {
            b.append("search ").append(String.join(" ", spec.dnsSearches())).append('\n');
        }
        if (!spec.dnsOptions().isEmpty()) {
            b.append("options ").append(String.join(" ", spec.dnsOptions())).append('\n');
        }
        try {
            Files.writeString(path, b.toString());
        } catch (IOException e) {
            log.warn("cannot rewrite {}: {}; pods resolve through Docker's embedded DNS", path, e.toString());
        }
    }

    private static InternetProtocol protocol(String p) {
        if (p == null) {
            return InternetProtocol.TCP;
        }
        return switch (p.toUpperCase(java.util.Locale.ROOT)) {
            case "UDP" -> InternetProtocol.UDP;
            case "SCTP" -> InternetProtocol.SCTP;
            default -> InternetProtocol.TCP;
        };
    }

    @Override
    public void stopSandbox(String sandboxId) {
        stopContainer(sandboxId, Duration.ofSeconds(10));
    }

    @Override
    public void removeSandbox(String sandboxId) {
        removeContainer(sandboxId);
    }

    @Override
    public List<Sandbox> listSandboxes() {
        List<Container> containers = list(RuntimeLabels.TYPE_SANDBOX);
        List<Sandbox> out = new ArrayList<>(containers.size());
        for (Container c : containers) {
            Map<String, String> labels = c.getLabels() == null ? Map.of() : c.getLabels();
            String ip = null;
            if (c.getNetworkSettings() != null && c.getNetworkSettings().getNetworks() != null) {
                ContainerNetwork n = c.getNetworkSettings().getNetworks().get(networkName);
                if (n != null && n.getIpAddress() != null && !n.getIpAddress().isBlank()) {
                    ip = n.getIpAddress();
                }
            }
            out.add(new Sandbox(c.getId(), labels.get(RuntimeLabels.POD_UID), labels.get(RuntimeLabels.POD_NAME),
                    labels.get(RuntimeLabels.POD_NAMESPACE), attempt(labels),
                    "running".equals(c.getState()) ? Sandbox.State.READY : Sandbox.State.NOT_READY, ip,
                    c.getCreated() == null ? null : Instant.ofEpochSecond(c.getCreated()), Map.copyOf(labels)));
        }
        return out;
    }

    private List<Container> list(String type) {
        Map<String, String> filter = Map.of(RuntimeLabels.NODE, nodeName, RuntimeLabels.CONTAINER_TYPE, type);
        return call("list " + type + "s", () -> docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(filter).exec());
    }

    // ---------------------------------------------------------------- containers

    @Override
    public String createContainer(Sandbox sandbox, ContainerSpec spec) {
        Map<String, String> labels = new HashMap<>(spec.labels());
        labels.put(RuntimeLabels.POD_UID, spec.podUid());
        labels.put(RuntimeLabels.POD_NAME, spec.podName());
        labels.put(RuntimeLabels.POD_NAMESPACE, spec.namespace());
        labels.put(RuntimeLabels.CONTAINER_NAME, spec.name());
        labels.put(RuntimeLabels.CONTAINER_TYPE, RuntimeLabels.TYPE_CONTAINER);
        labels.put(RuntimeLabels.SANDBOX_ID, sandbox.id());
        labels.put(RuntimeLabels.ATTEMPT, Integer.toString(spec.attempt()));
        if (spec.hash() != null) {
            labels.put(RuntimeLabels.CONTAINER_HASH, spec.hash());
        }
        List<Bind> binds = new ArrayList<>();
        if (spec.terminationMessagePath() != null && !spec.terminationMessagePath().isBlank()) {
            labels.put(TERMINATION_MESSAGE_PATH, spec.terminationMessagePath());
            if (terminationMessageDir != null) {
                Path file = terminationMessageFile(spec);
                labels.put(TERMINATION_MESSAGE_HOST_PATH, file.toString());
                binds.add(new Bind(file.toString(), new Volume(spec.terminationMessagePath()), AccessMode.rw));
            }
        }
        labels.put(RuntimeLabels.NODE, nodeName);

        HostConfig host = HostConfig.newHostConfig()
                .withNetworkMode("container:" + sandbox.id())
                .withIpcMode("container:" + sandbox.id())
                .withCpuShares((int) DockerSpecs.cpuShares(spec.cpuRequestMillis()))
                .withPrivileged(spec.privileged());
        long quota = DockerSpecs.cpuQuota(spec.cpuLimitMillis());
        if (quota > 0) {
            host.withCpuPeriod(DockerSpecs.CFS_PERIOD_MICROS).withCpuQuota(quota);
        }
        if (spec.memoryLimitBytes() > 0) {
            // swap equal to memory: no swap, as the kubelet
            host.withMemory(spec.memoryLimitBytes()).withMemorySwap(spec.memoryLimitBytes());
        }
        for (ContainerSpec.Mount m : spec.mounts()) {
            String source = m.volumeName() != null ? m.volumeName() : m.hostPath();
            if (source == null || m.containerPath() == null) {
                throw new RuntimeOperationException("mount for container " + spec.name() + " of pod "
                        + spec.namespace() + "/" + spec.podName() + " has no source or no container path: " + m);
            }
            binds.add(new Bind(source, new Volume(m.containerPath()), m.readOnly() ? AccessMode.ro : AccessMode.rw));
        }
        if (!binds.isEmpty()) {
            host.withBinds(binds);
        }
        String name = DockerSpecs.containerName(spec.name(), spec.podName(), spec.namespace(), spec.podUid(),
                spec.attempt());
        CreateContainerCmd create = docker.createContainerCmd(spec.image())
                .withName(name)
                .withLabels(labels)
                .withHostConfig(host)
                .withTty(spec.tty())
                .withStdinOpen(spec.stdin())
                .withStdInOnce(spec.stdinOnce())
                .withAttachStdin(spec.stdin())
                .withEnv(spec.env().stream().map(e -> e.name() + "=" + (e.value() == null ? "" : e.value()))
                        .toList());
        if (!spec.command().isEmpty()) {
            create.withEntrypoint(spec.command());
        }
        if (!spec.args().isEmpty()) {
            create.withCmd(spec.args());
        } else if (!spec.command().isEmpty()) {
            // a new entrypoint drops the image's cmd in Kubernetes: command without args runs just the command
            create.withCmd(List.of());
        }
        if (spec.workingDir() != null && !spec.workingDir().isBlank()) {
            create.withWorkingDir(spec.workingDir());
        }
        if (spec.runAsUser() != null) {
            create.withUser(Long.toString(spec.runAsUser()));
        }
        try {
            return create.exec().getId();
        } catch (NotFoundException e) {
            throw new RuntimeOperationException("cannot create container " + spec.name() + ": " + dockerMessage(e),
                    e);
        } catch (DockerException e) {
            throw new RuntimeOperationException("cannot create container " + name + ": " + dockerMessage(e), e);
        }
    }

    /** An empty, world-writable file for one container attempt (the container may run as any user). */
    private Path terminationMessageFile(ContainerSpec spec) {
        Path file = terminationMessageDir.resolve(spec.podUid()).resolve(spec.name() + "_" + spec.attempt()
                + "_" + Long.toHexString(System.nanoTime())).resolve("termination-log");
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, new byte[0]);
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
            return file;
        } catch (IOException | UnsupportedOperationException e) {
            throw new RuntimeOperationException("cannot create the termination message file " + file + " for"
                    + " container " + spec.name() + ": " + e, e);
        }
    }

    @Override
    public void startContainer(String containerId) {
        try {
            docker.startContainerCmd(containerId).exec();
        } catch (NotModifiedException e) {
            // already running
        } catch (DockerException e) {
            throw new RuntimeOperationException("cannot start container " + shortId(containerId) + ": "
                    + dockerMessage(e), e);
        }
    }

    @Override
    public void stopContainer(String containerId, Duration gracePeriod) {
        Duration grace = gracePeriod == null || gracePeriod.isNegative() ? Duration.ZERO : gracePeriod;
        // docker's timeout is whole seconds; round up so a grace period is never cut short
        long seconds = grace.getSeconds() + (grace.getNano() > 0 ? 1 : 0);
        try {
            docker.stopContainerCmd(containerId).withTimeout((int) Math.min(Integer.MAX_VALUE, seconds)).exec();
        } catch (NotModifiedException | NotFoundException e) {
            // already stopped or gone: stopping is idempotent
        } catch (DockerException e) {
            throw new RuntimeOperationException("cannot stop container " + shortId(containerId) + ": "
                    + dockerMessage(e), e);
        }
    }

    @Override
    public void removeContainer(String containerId) {
        if (terminationMessageDir != null) {
            deleteTerminationMessageFile(containerId);
        }
        try {
            docker.removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException e) {
            // gone already
        } catch (ConflictException e) {
            if (!String.valueOf(e.getMessage()).contains("already in progress")) {
                throw new RuntimeOperationException("cannot remove container " + shortId(containerId) + ": "
                        + dockerMessage(e), e);
            }
        } catch (DockerException e) {
            throw new RuntimeOperationException("cannot remove container " + shortId(containerId) + ": "
                    + dockerMessage(e), e);
        }
        statusCache.remove(containerId);
    }

    private void deleteTerminationMessageFile(String containerId) {
        try {
            var cfgLabels = docker.inspectContainerCmd(containerId).exec().getConfig().getLabels();
            String host = cfgLabels == null ? null : cfgLabels.get(TERMINATION_MESSAGE_HOST_PATH);
            if (host != null && Path.of(host).startsWith(terminationMessageDir)) {
                Files.deleteIfExists(Path.of(host));
                Files.deleteIfExists(Path.of(host).getParent());
            }
        } catch (NotFoundException e) {
            // container gone: nothing to find
        } catch (IOException | DockerException e) {
            log.debug("cannot delete the termination message file of {}: {}", shortId(containerId), e.toString());
        }
    }

    private void safeRemove(String id) {
        try {
            removeContainer(id);
        } catch (RuntimeException e) {
            log.warn("cannot clean up container {}: {}", shortId(id), e.getMessage());
        }
    }

    /**
     * One {@code docker ps -a} filtered by this node's label; a container is inspected only when it is new or its
     * state changed since the last call, since the agent relists every second.
     */
    @Override
    public List<ContainerStatus> listContainers() {
        List<Container> containers = list(RuntimeLabels.TYPE_CONTAINER);
        Set<String> seen = new HashSet<>();
        List<ContainerStatus> out = new ArrayList<>(containers.size());
        for (Container c : containers) {
            seen.add(c.getId());
            String state = String.valueOf(c.getState());
            CachedStatus cached = statusCache.get(c.getId());
            if (cached != null && cached.state().equals(state)) {
                out.add(cached.status());
                continue;
            }
            inspectInto(c.getId()).ifPresent(out::add);
        }
        statusCache.keySet().retainAll(seen);
        return out;
    }

    @Override
    public Optional<ContainerStatus> inspectContainer(String containerId) {
        return inspectInto(containerId);
    }

    private Optional<ContainerStatus> inspectInto(String containerId) {
        InspectContainerResponse r;
        try {
            r = docker.inspectContainerCmd(containerId).exec();
        } catch (NotFoundException e) {
            statusCache.remove(containerId);
            return Optional.empty();
        } catch (DockerException e) {
            throw new RuntimeOperationException("cannot inspect container " + shortId(containerId) + ": "
                    + dockerMessage(e), e);
        }
        ContainerStatus status = toStatus(r);
        if (status.state() == ContainerStatus.State.EXITED
                && status.labels().containsKey(TERMINATION_MESSAGE_PATH)) {
            String hostFile = status.labels().get(TERMINATION_MESSAGE_HOST_PATH);
            String message = hostFile != null ? readHostFile(Path.of(hostFile))
                    : terminationMessage(r.getId(), status.labels().get(TERMINATION_MESSAGE_PATH));
            if (message != null) {
                status = new ContainerStatus(status.id(), status.podUid(), status.podName(), status.namespace(),
                        status.containerName(), status.attempt(), status.sandboxId(), status.state(),
                        status.createdAt(), status.startedAt(), status.finishedAt(), status.exitCode(),
                        status.reason(), message, status.image(), status.imageId(), status.hash(), status.labels());
            }
        }
        String dockerState = r.getState() == null ? "" : String.valueOf(r.getState().getStatus());
        statusCache.put(r.getId(), new CachedStatus(dockerState, status));
        return Optional.of(status);
    }

    static ContainerStatus toStatus(InspectContainerResponse r) {
        Map<String, String> labels = r.getConfig() != null && r.getConfig().getLabels() != null
                ? r.getConfig().getLabels() : Map.of();
        InspectContainerResponse.ContainerState s = r.getState();
        String dockerState = s == null || s.getStatus() == null ? "" : s.getStatus();
        ContainerStatus.State state = switch (dockerState) {
            case "created" -> ContainerStatus.State.CREATED;
            case "running", "paused", "restarting" -> ContainerStatus.State.RUNNING;
            case "exited", "dead" -> ContainerStatus.State.EXITED;
            default -> ContainerStatus.State.UNKNOWN;
        };
        int exitCode = s == null || s.getExitCodeLong() == null ? 0 : s.getExitCodeLong().intValue();
        String reason = null;
        String message = null;
        if (state == ContainerStatus.State.EXITED) {
            boolean oom = s != null && Boolean.TRUE.equals(s.getOOMKilled());
            reason = oom ? "OOMKilled" : exitCode == 0 ? "Completed" : "Error";
            if (s != null && s.getError() != null && !s.getError().isBlank()) {
                message = s.getError();
            }
        } else if (state == ContainerStatus.State.CREATED && s != null && s.getError() != null
                && !s.getError().isBlank()) {
            // a container docker failed to start stays "created" with the reason in Error
            reason = "StartError";
            message = s.getError();
        }
        String name = r.getName() == null ? "" : r.getName();
        return new ContainerStatus(r.getId(), labels.get(RuntimeLabels.POD_UID), labels.get(RuntimeLabels.POD_NAME),
                labels.get(RuntimeLabels.POD_NAMESPACE),
                labels.getOrDefault(RuntimeLabels.CONTAINER_NAME, name.startsWith("/") ? name.substring(1) : name),
                attempt(labels), labels.get(RuntimeLabels.SANDBOX_ID), state, DockerSpecs.parseTime(r.getCreated()),
                s == null ? null : DockerSpecs.parseTime(s.getStartedAt()),
                s == null ? null : DockerSpecs.parseTime(s.getFinishedAt()), exitCode, reason, message,
                r.getConfig() == null ? null : r.getConfig().getImage(), r.getImageId(),
                labels.get(RuntimeLabels.CONTAINER_HASH), Map.copyOf(labels));
    }

    /**
     * The termination message file of an exited container, read with {@code docker cp} (which works on stopped
     * containers), so no host directory has to be mounted; null when the file is absent or empty.
     */
    private String terminationMessage(String containerId, String path) {
        try (java.io.InputStream tar = docker.copyArchiveFromContainerCmd(containerId, path).exec()) {
            byte[] content = firstTarEntry(tar, MAX_TERMINATION_MESSAGE);
            return content == null || content.length == 0 ? null
                    : new String(content, java.nio.charset.StandardCharsets.UTF_8);
        } catch (NotFoundException e) {
            return null;
        } catch (IOException | DockerException e) {
            log.debug("cannot read termination message {} of {}: {}", path, shortId(containerId), e.toString());
            return null;
        }
    }

    private static String readHostFile(Path file) {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(MAX_TERMINATION_MESSAGE);
            return b.length == 0 ? null : new String(b, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null; // not on this host (another agent's engine view) or removed
        }
    }

    /** The first regular file of a tar stream, at most {@code max} bytes; null when there is none. */
    static byte[] firstTarEntry(java.io.InputStream tar, int max) throws IOException {
        while (true) {
            byte[] header = tar.readNBytes(512);
            if (header.length < 512 || header[0] == 0) {
                return null;
            }
            String sizeField = new String(header, 124, 12, java.nio.charset.StandardCharsets.US_ASCII)
                    .replace("\0", "").trim();
            long size = sizeField.isEmpty() ? 0 : Long.parseLong(sizeField, 8);
            byte type = header[156];
            if (type == '0' || type == 0) {
                return tar.readNBytes((int) Math.min(size, max));
            }
            long skip = (size + 511) / 512 * 512;
            tar.skipNBytes(skip);
        }
    }

    private static int attempt(Map<String, String> labels) {
        try {
            return Integer.parseInt(labels.getOrDefault(RuntimeLabels.ATTEMPT, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    // ---------------------------------------------------------------- volumes

    @Override
    public void ensureTmpfsVolume(String name, long sizeBytes, String podUid) {
        try {
            InspectVolumeResponse existing = docker.inspectVolumeCmd(name).exec();
            if (existing != null) {
                return;
            }
        } catch (NotFoundException e) {
            // create it below
        } catch (DockerException e) {
            throw new RuntimeOperationException("cannot inspect volume " + name + ": " + dockerMessage(e), e);
        }
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("type", "tmpfs");
        opts.put("device", "tmpfs");
        if (sizeBytes > 0) {
            opts.put("o", "size=" + sizeBytes);
        }
        try {
            docker.createVolumeCmd().withName(name).withDriver("local").withDriverOpts(opts)
                    .withLabels(Map.of(RuntimeLabels.POD_UID, podUid, RuntimeLabels.NODE, nodeName)).exec();
        } catch (DockerException e) {
            throw new RuntimeOperationException("cannot create tmpfs volume " + name + ": " + dockerMessage(e), e);
        }
    }

    @Override
    public void removePodVolumes(String podUid) {
        List<InspectVolumeResponse> volumes = call("list volumes", () -> docker.listVolumesCmd()
                .withFilter("label", List.of(RuntimeLabels.POD_UID + "=" + podUid, RuntimeLabels.NODE + "=" + nodeName))
                .exec().getVolumes());
        if (volumes == null) {
            return;
        }
        for (InspectVolumeResponse v : volumes) {
            try {
                docker.removeVolumeCmd(v.getName()).exec();
            } catch (NotFoundException e) {
                // gone
            } catch (DockerException e) {
                throw new RuntimeOperationException("cannot remove volume " + v.getName() + " of pod " + podUid
                        + ": " + dockerMessage(e), e);
            }
        }
    }

    // ---------------------------------------------------------------- exec, attach, logs, stats

    @Override
    public ExecResult execSync(String containerId, List<String> command, Duration timeout) {
        String execId = createExec(containerId, command, false, true, true, false);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ResultCallback.Adapter<Frame> cb = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                synchronized (out) {
                    (frame.getStreamType() == StreamType.STDERR ? err : out).writeBytes(frame.getPayload());
                }
            }
        };
        boolean done;
        try {
            docker.execStartCmd(execId).exec(cb);
            done = cb.awaitCompletion(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(cb);
            throw new RuntimeOperationException("exec in " + shortId(containerId) + " was interrupted", e);
        } catch (DockerException e) {
            closeQuietly(cb);
            throw new RuntimeOperationException("cannot exec " + command + " in " + shortId(containerId) + ": "
                    + dockerMessage(e), e);
        }
        if (!done) {
            closeQuietly(cb);
            synchronized (out) {
                return new ExecResult(-1, out.toByteArray(), err.toByteArray(), true);
            }
        }
        int code = execExitCode(execId, 2000);
        synchronized (out) {
            return new ExecResult(code, out.toByteArray(), err.toByteArray(), false);
        }
    }

    private String createExec(String containerId, List<String> command, boolean stdin, boolean stdout,
                              boolean stderr, boolean tty) {
        try {
            ExecCreateCmdResponse r = docker.execCreateCmd(containerId).withCmd(command.toArray(String[]::new))
                    .withAttachStdin(stdin).withAttachStdout(stdout).withAttachStderr(stderr).withTty(tty).exec();
            return r.getId();
        } catch (NotFoundException e) {
            throw new RuntimeOperationException("container " + shortId(containerId) + " not found", e);
        } catch (ConflictException e) {
            throw new RuntimeOperationException("container " + shortId(containerId) + " is not running", e);
        } catch (DockerException e) {
            throw new RuntimeOperationException("cannot exec " + command + " in " + shortId(containerId) + ": "
                    + dockerMessage(e), e);
        }
    }

    /** The exec's exit code; the stream can end a moment before the engine records the exit. */
    private int execExitCode(String execId, long waitMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        while (true) {
            InspectExecResponse r = call("inspect exec", () -> docker.inspectExecCmd(execId).exec());
            if (!Boolean.TRUE.equals(r.isRunning()) && r.getExitCodeLong() != null) {
                return r.getExitCodeLong().intValue();
            }
            if (System.nanoTime() > deadline) {
                return -1;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
    }

    @Override
    public StreamHandle exec(String containerId, List<String> command, StreamIo io) {
        String execId = createExec(containerId, command, io.stdin() != null, io.stdout(), io.stderr(), io.tty());
        if (io.stdin() != null && !io.tty() && HalfClosingExecStream.supports(cfg.host())) {
            // stdin's end must reach the process (cat, tar x): docker-java cannot half-close, this path can
            return HalfClosingExecStream.start(cfg.host(), cfg.apiVersion(), execId, io.stdin(), io.sink(),
                    () -> execExitCode(execId, 5000));
        }
        FrameHandle handle = new FrameHandle(io.sink(), Long.MAX_VALUE) {
            @Override
            protected int exitCode() {
                return execExitCode(execId, 5000);
            }

            @Override
            public void resize(int width, int height) {
                if (io.tty() && width > 0 && height > 0) {
                    try {
                        docker.resizeExecCmd(execId).withSize(height, width).exec();
                    } catch (DockerException e) {
                        log.debug("resize of exec {} failed: {}", execId, e.getMessage());
                    }
                }
            }
        };
        try {
            var cmd = docker.execStartCmd(execId).withTty(io.tty());
            if (io.stdin() != null) {
                cmd.withStdIn(io.stdin());
            }
            cmd.exec(handle);
        } catch (DockerException e) {
            throw new RuntimeOperationException("cannot start exec " + command + " in " + shortId(containerId) + ": "
                    + dockerMessage(e), e);
        }
        return handle;
    }

    @Override
    public StreamHandle attach(String containerId, StreamIo io) {
        FrameHandle handle = new FrameHandle(io.sink(), Long.MAX_VALUE) {
            @Override
            public void resize(int width, int height) {
                if (io.tty() && width > 0 && height > 0) {
                    try {
                        docker.resizeContainerCmd(containerId).withSize(height, width).exec();
                    } catch (DockerException e) {
                        log.debug("resize of container {} failed: {}", shortId(containerId), e.getMessage());
                    }
                }
            }
        };
        try {
            var cmd = docker.attachContainerCmd(containerId).withFollowStream(true).withStdOut(io.stdout())
                    .withStdErr(io.stderr()).withLogs(false);
            if (io.stdin() != null) {
                cmd.withStdIn(io.stdin());
            }
            cmd.exec(handle);
        } catch (NotFoundException e) {
            throw new RuntimeOperationException("container " + shortId(containerId) + " not found", e);
        } catch (DockerException e) {
            throw new RuntimeOperationException("cannot attach to " + shortId(containerId) + ": " + dockerMessage(e),
                    e);
        }
        return handle;
    }

    @Override
    public StreamHandle logs(String containerId, LogRequest request, OutputSink sink) {
        long limit = request.limitBytes() == null || request.limitBytes() <= 0 ? Long.MAX_VALUE : request.limitBytes();
        FrameHandle handle = new FrameHandle(sink, limit) {
            @Override
            public void resize(int width, int height) {
                // logs have no tty
            }
        };
        try {
            LogContainerCmd cmd = docker.logContainerCmd(containerId).withStdOut(true).withStdErr(true)
                    .withFollowStream(request.follow()).withTimestamps(request.timestamps());
            if (request.tailLines() != null && request.tailLines() >= 0) {
                cmd.withTail(request.tailLines());
            } else {
                cmd.withTailAll();
            }
            if (request.since() != null) {
                cmd.withSince((int) Math.max(0, request.since().getEpochSecond()));
            }
            cmd.exec(handle);
        } catch (NotFoundException e) {
            throw new RuntimeOperationException("container " + shortId(containerId) + " not found", e);
        } catch (DockerException e) {
            throw new RuntimeOperationException("cannot read the logs of " + shortId(containerId) + ": "
                    + dockerMessage(e), e);
        }
        return handle;
    }

    @Override
    public Optional<ContainerStats> stats(String containerId) {
        Statistics[] holder = new Statistics[1];
        ResultCallback.Adapter<Statistics> cb = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Statistics s) {
                holder[0] = s;
            }
        };
        try {
            docker.statsCmd(containerId).withNoStream(true).exec(cb);
            if (!cb.awaitCompletion(30, TimeUnit.SECONDS)) {
                closeQuietly(cb);
                throw new RuntimeOperationException("stats of " + shortId(containerId) + " did not answer in 30 s");
            }
        } catch (NotFoundException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (DockerException e) {
            throw new RuntimeOperationException("cannot read stats of " + shortId(containerId) + ": "
                    + dockerMessage(e), e);
        }
        Statistics s = holder[0];
        if (s == null || s.getCpuStats() == null || s.getCpuStats().getCpuUsage() == null
                || s.getCpuStats().getCpuUsage().getTotalUsage() == null || s.getMemoryStats() == null
                || s.getMemoryStats().getUsage() == null) {
            return Optional.empty(); // a stopped container reports zeroes and nulls
        }
        long usage = s.getMemoryStats().getUsage();
        StatsConfig mem = s.getMemoryStats().getStats();
        long inactiveFile = 0;
        long rss = 0;
        if (mem != null) {
            // cgroup v1 names these total_*; cgroup v2 has inactive_file/anon (anon lands in rss)
            inactiveFile = mem.getTotalInactiveFile() != null ? mem.getTotalInactiveFile()
                    : mem.getInactiveFile() != null ? mem.getInactiveFile() : 0;
            rss = mem.getTotalRss() != null ? mem.getTotalRss() : mem.getRss() != null ? mem.getRss() : 0;
        }
        long workingSet = Math.max(0, usage - inactiveFile);
        Instant ts = DockerSpecs.parseTime(s.getRead());
        return Optional.of(new ContainerStats(ts == null ? Instant.now() : ts,
                s.getCpuStats().getCpuUsage().getTotalUsage(), usage, workingSet, rss, -1));
    }

    @Override
    public void close() {
        try {
            docker.close();
        } catch (IOException e) {
            log.debug("closing the docker client: {}", e.getMessage());
        }
    }

    // ---------------------------------------------------------------- helpers

    /** A docker-java frame callback as a {@link StreamHandle}: frames go to the sink, at most {@code limit} bytes. */
    private abstract static class FrameHandle extends ResultCallback.Adapter<Frame> implements StreamHandle {

        private final OutputSink sink;
        private final long limit;
        private final AtomicLong written = new AtomicLong();
        private final AtomicBoolean closedByUs = new AtomicBoolean();
        private final CompletableFuture<Integer> completion = new CompletableFuture<>();

        FrameHandle(OutputSink sink, long limit) {
            this.sink = sink;
            this.limit = limit;
        }

        @Override
        public void onNext(Frame frame) {
            byte[] data = frame.getPayload();
            if (data == null || data.length == 0 || closedByUs.get()) {
                return;
            }
            long before = written.getAndAdd(data.length);
            if (before >= limit) {
                return;
            }
            if (before + data.length > limit) {
                data = java.util.Arrays.copyOf(data, (int) (limit - before));
            }
            if (frame.getStreamType() == StreamType.STDERR) {
                sink.stderr(data);
            } else {
                sink.stdout(data);
            }
            if (before + frame.getPayload().length >= limit) {
                close();
            }
        }

        @Override
        public void onError(Throwable throwable) {
            if (closedByUs.get()) {
                completion.complete(0);
            } else {
                completion.completeExceptionally(throwable);
            }
            super.onError(throwable);
        }

        @Override
        public void onComplete() {
            // before super.onComplete(): it closes the callback, and a close by us means "ended early: 0"
            if (!closedByUs.get() && !completion.isDone()) {
                try {
                    completion.complete(exitCode());
                } catch (RuntimeException e) {
                    completion.completeExceptionally(e);
                }
            }
            super.onComplete();
        }

        /** The value the completion gets when the stream ends by itself. */
        protected int exitCode() {
            return 0;
        }

        @Override
        public CompletableFuture<Integer> completion() {
            return completion;
        }

        @Override
        public void close() {
            if (closedByUs.compareAndSet(false, true)) {
                try {
                    super.close();
                } catch (IOException e) {
                    log.debug("closing a stream: {}", e.getMessage());
                }
                completion.complete(0);
            }
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            log.debug("closing: {}", e.getMessage());
        }
    }

    private static <T> T call(String what, java.util.function.Supplier<T> action) {
        try {
            return action.get();
        } catch (DockerException | DockerClientException e) {
            throw new RuntimeOperationException("docker " + what + " failed: " + dockerMessage(e), e);
        }
    }

    /** Docker's error text without docker-java's "Status 404: {"message":...}" wrapping. */
    static String dockerMessage(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int i = m.indexOf("{\"message\":\"");
        if (i >= 0) {
            int start = i + "{\"message\":\"".length();
            int end = m.indexOf("\"}", start);
            m = end > start ? m.substring(start, end) : m.substring(start);
            m = m.replace("\\\"", "\"");
        }
        return m.trim();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? dockerMessage(e) : dockerMessage(e) + " (" + t + ")";
    }

    private static String shortId(String id) {
        return id != null && id.length() > 12 ? id.substring(0, 12) : String.valueOf(id);
    }
}
