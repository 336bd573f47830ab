package io.kube4j.security.pki;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a leaf certificate says: subject (CN = user name, O = groups, as Kubernetes reads client certificates),
 * subject alternative names, what it may be used for, and how long it is valid.
 *
 * @param commonName    the subject CN
 * @param organizations the subject O values, in order
 * @param dnsNames      DNS subject alternative names
 * @param ipAddresses   IP subject alternative names (literal addresses)
 * @param usages        server and/or client authentication
 * @param validity      the lifetime from the moment of issue
 */
public record CertificateSpec(String commonName, List<String> organizations, List<String> dnsNames,
                              List<String> ipAddresses, Set<Usage> usages, Duration validity) {

    /** The default lifetime of a leaf certificate (Kubernetes' kubeadm issues one-year certificates). */
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(365);

    /** Extended key usages. */
    public enum Usage { SERVER, CLIENT }

    public CertificateSpec {
        Objects.requireNonNull(commonName, "commonName");
        if (commonName.isBlank()) {
            throw new IllegalArgumentException("a certificate needs a common name");
        }
        organizations = organizations == null ? List.of() : List.copyOf(organizations);
        dnsNames = dnsNames == null ? List.of() : List.copyOf(new LinkedHashSet<>(dnsNames));
        ipAddresses = ipAddresses == null ? List.of() : List.copyOf(new LinkedHashSet<>(ipAddresses));
        usages = usages == null || usages.isEmpty() ? Set.of(Usage.CLIENT) : Set.copyOf(usages);
        validity = validity == null ? DEFAULT_VALIDITY : validity;
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("certificate validity must be positive: " + validity);
        }
        for (String ip : ipAddresses) {
            if (!SubjectAltNames.isIpLiteral(ip)) {
                throw new IllegalArgumentException("not an IP address: " + ip);
            }
        }
    }

    /** A client certificate for user {@code cn} in {@code groups}. */
    public static CertificateSpec client(String cn, String... groups) {
        return new CertificateSpec(cn, List.of(groups), List.of(), List.of(), Set.of(Usage.CLIENT), null);
    }

    /** A serving certificate; {@code names} are DNS names or IP literals, sorted into the two SAN kinds. */
    public static CertificateSpec server(String cn, List<String> names) {
        List<String> dns = new ArrayList<>();
        List<String> ips = new ArrayList<>();
        for (String n : names) {
            (SubjectAltNames.isIpLiteral(n) ? ips : dns).add(n);
        }
        return new CertificateSpec(cn, List.of(), dns, ips, Set.of(Usage.SERVER), null);
    }

    public CertificateSpec withValidity(Duration d) {
        return new CertificateSpec(commonName, organizations, dnsNames, ipAddresses, usages, d);
    }

    public CertificateSpec withUsages(Usage... u) {
        return new CertificateSpec(commonName, organizations, dnsNames, ipAddresses, Set.of(u), validity);
    }
}
