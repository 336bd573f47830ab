package io.kube4j.node.testsupport;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectVolumeResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.node.config.NodeAgentProperties;
import io.kube4j.node.runtime.RuntimeLabels;
import io.kube4j.node.runtime.docker.DockerSpecs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Docker helpers for node-agent tests: a shared docker-java client, a free pod CIDR, a runtime config, and the
 * cleanup of everything a test node left in the engine (all of it carries {@code io.kube4j.node=<node>}).
 */
public final class DockerTestSupport {

    private static DockerClient client;

    private DockerTestSupport() {
    }

    /** The engine's address: {@code DOCKER_HOST}, else the default unix socket. */
    public static String dockerHost() {
        String env = System.getenv("DOCKER_HOST");
        return env == null || env.isBlank() ? "unix:///var/run/docker.sock" : env;
    }

    /** A client shared by the tests of this JVM (skips or fails the test when there is no engine). */
    public static synchronized DockerClient client() {
        if (client == null) {
            Requirements.requireDocker();
            DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                    .withDockerHost(dockerHost()).build();
            client = DockerClientImpl.getInstance(config, new ApacheDockerHttpClient.Builder()
                    .dockerHost(config.getDockerHost()).sslConfig(config.getSSLConfig())
                    .connectionTimeout(Duration.ofSeconds(10)).build());
        }
        return client;
    }

    /** A static busybox binary on this host, if any. */
    public static Optional<Path> staticBusybox() {
        for (String p : List.of("/bin/busybox", "/usr/bin/busybox")) {
            Path path = Path.of(p);
            try {
                io.kube4j.node.runtime.docker.BusyboxImage.readStaticBusybox(path);
                return Optional.of(path);
            } catch (java.io.IOException e) {
                // try the next
            }
        }
        return Optional.empty();
    }

    /** The runtime configuration for tests: this engine, the given pause image, built from the static busybox. */
    public static NodeAgentProperties.Docker dockerConfig(String pauseImage) {
        String busybox = staticBusybox().map(Path::toString).orElse("");
        return new NodeAgentProperties.Docker(dockerHost(), "", pauseImage, busybox, "");
    }

    /** A unique node name with {@code prefix} (lower case, DNS-safe). */
    public static String uniqueNodeName(String prefix) {
        return prefix + "-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
    }

    /** A random {@code 10.244.<100-250>.0/24} that overlaps no Docker network now. */
    public static String freePodCidr() {
        List<DockerSpecs.Cidr> taken = new ArrayList<>();
        for (Network n : client().listNetworksCmd().exec()) {
            if (n.getIpam() != null && n.getIpam().getConfig() != null) {
                for (Network.Ipam.Config c : n.getIpam().getConfig()) {
                    try {
                        taken.add(DockerSpecs.Cidr.parse(c.getSubnet()));
                    } catch (IllegalArgumentException e) {
                        // IPv6 or none
                    }
                }
            }
        }
        for (int i = 0; i < 200; i++) {
            String cidr = "10.244." + ThreadLocalRandom.current().nextInt(100, 251) + ".0/24";
            DockerSpecs.Cidr c = DockerSpecs.Cidr.parse(cidr);
            if (taken.stream().noneMatch(c::overlaps)) {
                return cidr;
            }
        }
        throw new IllegalStateException("no free /24 in 10.244.100-250.0 among Docker networks " + taken);
    }

    /** Removes every container, volume and network labelled {@code io.kube4j.node=<nodeName>}. */
    public static void cleanupNode(String nodeName) {
        DockerClient docker = client();
        String label = RuntimeLabels.NODE + "=" + nodeName;
        for (Container c : docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(RuntimeLabels.NODE, nodeName)).exec()) {
            try {
                docker.removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec();
            } catch (NotFoundException e) {
                // gone
            } catch (com.github.dockerjava.api.exception.ConflictException e) {
                // a removal already in progress (the agent being stopped was cleaning up): let it finish
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() ->
                        docker.listContainersCmd().withShowAll(true).withIdFilter(List.of(c.getId())).exec().isEmpty());
            }
        }
        List<InspectVolumeResponse> volumes = docker.listVolumesCmd().withFilter("label", List.of(label)).exec()
                .getVolumes();
        if (volumes != null) {
            for (InspectVolumeResponse v : volumes) {
                try {
                    docker.removeVolumeCmd(v.getName()).exec();
                } catch (NotFoundException e) {
                    // gone
                }
            }
        }
        for (Network n : docker.listNetworksCmd().withFilter("label", List.of(label)).exec()) {
            try {
                docker.removeNetworkCmd(n.getId()).exec();
            } catch (NotFoundException e) {
                // gone
            }
        }
    }
}
