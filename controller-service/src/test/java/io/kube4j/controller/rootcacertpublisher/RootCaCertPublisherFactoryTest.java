package io.kube4j.controller.rootcacertpublisher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import io.kube4j.security.pki.CertificateAuthority;
import io.kube4j.security.pki.PemFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

class RootCaCertPublisherFactoryTest {

    @TempDir
    Path dir;

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(RootCaCertPublisherProperties.class)
    @Import(RootCaCertPublisherFactory.class)
    static class Config {
    }

    final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Config.class);

    @Test
    void theControllerExistsOnlyWithARootCaFile() throws Exception {
        runner.run(ctx -> assertThat(ctx).doesNotHaveBean(RootCaCertPublisherFactory.class));
        Path file = dir.resolve("ca.crt");
        Files.writeString(file, PemFiles.encodeCertificate(CertificateAuthority.create("ca").certificate()));
        runner.withPropertyValues("kube4j.controller.root-ca-file=" + file).run(ctx -> {
            assertThat(ctx).hasSingleBean(RootCaCertPublisherFactory.class);
            assertThat(ctx.getBean(RootCaCertPublisherFactory.class).name()).isEqualTo("root-ca-cert-publisher");
            assertThat(RootCaCertPublisherFactory.readBundle(ctx.getBean(RootCaCertPublisherProperties.class)))
                    .isEqualTo(Files.readString(file));
        });
    }

    @Test
    void aFileThatIsNotACertificateBundleIsRefused() throws Exception {
        Path file = dir.resolve("bad.crt");
        Files.writeString(file, "hello");
        assertThatThrownBy(() -> RootCaCertPublisherFactory.readBundle(new RootCaCertPublisherProperties(file)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kube4j.controller.root-ca-file").hasMessageContaining("not a PEM certificate");
        assertThatThrownBy(() -> RootCaCertPublisherFactory.readBundle(
                new RootCaCertPublisherProperties(dir.resolve("missing"))))
                .hasMessageContaining("cannot read");
    }
}
