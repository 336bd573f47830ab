package io.kube4j.controller.rootcacertpublisher;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;

import io.kube4j.client.controller.Startable;
import io.kube4j.controller.manager.ControllerContext;
import io.kube4j.controller.manager.ControllerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * Makes the root CA publisher ({@code --controllers} name {@code root-ca-cert-publisher}); a bean only when
 * {@code kube4j.controller.root-ca-file} is set. The file is read and checked (PEM certificates) when the controller
 * is made, so a leader with a bad file fails loudly.
 */
@Component
@ConditionalOnProperty("kube4j.controller.root-ca-file")
public final class RootCaCertPublisherFactory implements ControllerFactory {

    private final RootCaCertPublisherProperties props;

    public RootCaCertPublisherFactory(RootCaCertPublisherProperties props) {
        this.props = props;
    }

    @Override
    public String name() {
        return RootCaCertPublisher.NAME;
    }

    @Override
    public Startable create(ControllerContext context) {
        return new RootCaCertPublisher(context, readBundle(props));
    }

    /** The PEM text of {@code kube4j.controller.root-ca-file}, which must hold at least one certificate. */
    static String readBundle(RootCaCertPublisherProperties props) {
        if (props.rootCaFile() == null) {
            throw new IllegalArgumentException("kube4j.controller.root-ca-file is not set");
        }
        byte[] pem;
        try {
            pem = Files.readAllBytes(props.rootCaFile());
        } catch (IOException e) {
            throw new UncheckedIOException("kube4j.controller.root-ca-file: cannot read " + props.rootCaFile(), e);
        }
        try {
            if (CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem)).isEmpty()) {
                throw new CertificateException("no certificate found");
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException("kube4j.controller.root-ca-file: " + props.rootCaFile()
                    + " is not a PEM certificate bundle: " + e.getMessage(), e);
        }
        return new String(pem, StandardCharsets.UTF_8);
    }
}
