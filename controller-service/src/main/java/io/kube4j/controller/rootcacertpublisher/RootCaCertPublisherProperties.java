package io.kube4j.controller.rootcacertpublisher;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The root CA the {@code root-ca-cert-publisher} controller publishes, {@code kube4j.controller.root-ca-file}
 * (kube-controller-manager's {@code --root-ca-file}): a PEM file with the cluster CA certificate(s). Unset: the
 * controller does not run.
 *
 * @param rootCaFile the cluster CA bundle (PEM)
 */
@ConfigurationProperties("kube4j.controller")
public record RootCaCertPublisherProperties(Path rootCaFile) {
}
