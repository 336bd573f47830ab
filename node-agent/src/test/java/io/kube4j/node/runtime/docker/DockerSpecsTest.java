package io.kube4j.node.runtime.docker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DockerSpecsTest {

    @Test
    void namesAreDockershims() {
        assertThat(DockerSpecs.sandboxName("web", "default", "uid-1", 0)).isEqualTo("k8s_POD_web_default_uid-1_0");
        assertThat(DockerSpecs.containerName("nginx", "web", "prod", "uid-2", 3))
                .isEqualTo("k8s_nginx_web_prod_uid-2_3");
    }

    @ParameterizedTest
    @CsvSource({"0,2", "-5,2", "1,2", "2,2", "3,3", "100,102", "250,256", "1000,1024", "4000,4096",
            "1000000,262144"})
    void sharesAsTheKubelet(long millis, long shares) {
        assertThat(DockerSpecs.cpuShares(millis)).isEqualTo(shares);
    }

    @ParameterizedTest
    @CsvSource({"0,0", "-1,0", "1,1000", "5,1000", "10,1000", "100,10000", "500,50000", "1000,100000",
            "2500,250000"})
    void quotaPerHundredMillisecondPeriod(long millis, long quota) {
        assertThat(DockerSpecs.cpuQuota(millis)).isEqualTo(quota);
    }

    @Test
    void cidrs() {
        DockerSpecs.Cidr c = DockerSpecs.Cidr.parse("10.244.17.0/24");
        assertThat(c.toString()).isEqualTo("10.244.17.0/24");
        assertThat(c.firstHost()).isEqualTo("10.244.17.1");
        assertThat(DockerSpecs.Cidr.parse("10.244.17.99/24")).isEqualTo(c);
        assertThat(c.contains("10.244.17.200")).isTrue();
        assertThat(c.contains("10.244.18.1")).isFalse();
        assertThat(c.overlaps(DockerSpecs.Cidr.parse("10.244.0.0/16"))).isTrue();
        assertThat(DockerSpecs.Cidr.parse("10.244.0.0/16").overlaps(c)).isTrue();
        assertThat(c.overlaps(DockerSpecs.Cidr.parse("10.244.18.0/24"))).isFalse();
        assertThat(c.overlaps(DockerSpecs.Cidr.parse("172.17.0.0/16"))).isFalse();
        assertThat(DockerSpecs.Cidr.parse("0.0.0.0/0").overlaps(c)).isTrue();
        for (String bad : new String[] {"10.244.1.0", "10.244.1/24", "10.244.1.0/33", "a.b.c.d/8", "fd00::/64",
                "10.244.1.300/24"}) {
            assertThatThrownBy(() -> DockerSpecs.Cidr.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(bad);
        }
    }

    @Test
    void repositoryAndTag() {
        assertThat(DockerSpecs.repositoryAndTag("busybox")).containsExactly("busybox", "latest");
        assertThat(DockerSpecs.repositoryAndTag("busybox:1.36")).containsExactly("busybox", "1.36");
        assertThat(DockerSpecs.repositoryAndTag("localhost:5000/team/app"))
                .containsExactly("localhost:5000/team/app", "latest");
        assertThat(DockerSpecs.repositoryAndTag("localhost:5000/team/app:v2"))
                .containsExactly("localhost:5000/team/app", "v2");
        assertThat(DockerSpecs.repositoryAndTag("nginx@sha256:abc")).containsExactly("nginx", "sha256:abc");
    }

    @Test
    void dockerTimes() {
        assertThat(DockerSpecs.parseTime("0001-01-01T00:00:00Z")).isNull();
        assertThat(DockerSpecs.parseTime("")).isNull();
        assertThat(DockerSpecs.parseTime(null)).isNull();
        assertThat(DockerSpecs.parseTime("2024-05-01T10:11:12.123456789Z"))
                .isEqualTo(Instant.parse("2024-05-01T10:11:12.123456789Z"));
    }

    @Test
    void dockerErrorMessagesAreUnwrapped() {
        assertThat(DockerRuntime.dockerMessage(new RuntimeException(
                "Status 404: {\"message\":\"No such container: abc\"}\n"))).isEqualTo("No such container: abc");
        assertThat(DockerRuntime.dockerMessage(new RuntimeException("plain"))).isEqualTo("plain");
    }
}
