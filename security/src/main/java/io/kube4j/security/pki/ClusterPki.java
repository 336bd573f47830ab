package io.kube4j.security.pki;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The cluster's PKI on disk, as kubeadm lays it out: the cluster CA, the apiserver's serving and kubelet-client
 * certificates, the front-proxy CA and client, the ServiceAccount signing key pair, one client certificate per
 * control-plane role and per node, node serving certificates, the api-gateway's serving and client certificates, and
 * a kubeconfig per identity. Users' kubeconfigs (admin) point at the gateway when there is one; the components' and
 * the gateway's own point at the apiserver (as in Kubernetes: components talk to the apiserver, users to the front
 * door).
 * {@link #ensure(Path, Spec, Clock)} creates what is missing and re-issues what is about to expire or no longer matches
 * (rotation before expiry); the CAs and the ServiceAccount key are kept.
 */
public final class ClusterPki {

    public static final String CA = "ca";
    public static final String APISERVER = "apiserver";
    public static final String APISERVER_KUBELET_CLIENT = "apiserver-kubelet-client";
    public static final String FRONT_PROXY_CA = "front-proxy-ca";
    public static final String FRONT_PROXY_CLIENT = "front-proxy-client";
    public static final String SA = "sa";
    public static final String ADMIN = "admin";
    public static final String SCHEDULER = "scheduler";
    public static final String CONTROLLER_MANAGER = "controller-manager";
    public static final String PROXY = "proxy";
    /** The cluster DNS add-on's client identity (CN system:kube-dns). */
    public static final String DNS = "dns";
    /** The Ingress controller add-on's client identity (CN system:kube4j-ingress-controller). */
    public static final String INGRESS = "ingress";
    /** The api-gateway's serving certificate (CN kube4j-gateway). */
    public static final String GATEWAY = "gateway";
    /** The api-gateway's own client identity for its lookups (TokenReviews, ServiceAccounts): CN system:kube4j-gateway. */
    public static final String GATEWAY_CLIENT = "gateway-client";

    /** The identity the apiserver presents to node agents; node agents allow this CN by default. */
    public static final String KUBELET_CLIENT_CN = "kube-apiserver-kubelet-client";
    public static final String ADMIN_CN = "kube4j-admin";
    public static final String FRONT_PROXY_CLIENT_CN = "front-proxy-client";
    public static final String GATEWAY_CN = "kube4j-gateway";
    public static final String GATEWAY_CLIENT_CN = "system:kube4j-gateway";

    /** A client identity with a certificate and a kubeconfig: file base name, CN and O. */
    public record Role(String file, String commonName, List<String> groups) {
    }

    /**
     * What the PKI must cover.
     *
     * @param server          the apiserver URL written into the kubeconfigs (its host also becomes a SAN)
     * @param apiserverNames  extra DNS names / IPs of the apiserver's serving certificate
     * @param nodes           node names: each gets a client certificate (system:node:NAME), a serving certificate
     *                        and a kubeconfig
     * @param nodeAddresses   extra DNS names / IPs of every node serving certificate (besides the node name,
     *                        localhost and 127.0.0.1)
     * @param serviceIp       the ClusterIP of the {@code kubernetes} Service (a SAN of the apiserver)
     * @param kubeconfigDir   where the kubeconfigs go ({@code <role>.kubeconfig}); null for none
     * @param certValidity    lifetime of leaf certificates
     * @param caValidity      lifetime of a new CA
     * @param gatewayServer   the api-gateway's URL, written into the users' kubeconfigs (admin) instead of
     *                        {@code server}; its host becomes a SAN of the gateway; null: users talk to the apiserver
     * @param gatewayNames    extra DNS names / IPs of the gateway's serving certificate (besides localhost and
     *                        127.0.0.1)
     */
    public record Spec(String server, List<String> apiserverNames, List<String> nodes, List<String> nodeAddresses,
                       String serviceIp, Path kubeconfigDir, Duration certValidity, Duration caValidity,
                       String gatewayServer, List<String> gatewayNames) {
        public Spec(String server, List<String> apiserverNames, List<String> nodes, List<String> nodeAddresses,
                    String serviceIp, Path kubeconfigDir, Duration certValidity, Duration caValidity) {
            this(server, apiserverNames, nodes, nodeAddresses, serviceIp, kubeconfigDir, certValidity, caValidity,
                    null, null);
        }

        public Spec {
            Objects.requireNonNull(server, "server");
            apiserverNames = apiserverNames == null ? List.of() : List.copyOf(apiserverNames);
            nodes = nodes == null ? List.of() : List.copyOf(new LinkedHashSet<>(nodes));
            nodeAddresses = nodeAddresses == null ? List.of() : List.copyOf(nodeAddresses);
            serviceIp = serviceIp == null || serviceIp.isBlank() ? "10.96.0.1" : serviceIp;
            certValidity = certValidity == null ? CertificateSpec.DEFAULT_VALIDITY : certValidity;
            caValidity = caValidity == null ? CertificateAuthority.DEFAULT_VALIDITY : caValidity;
            gatewayServer = gatewayServer == null || gatewayServer.isBlank() ? null : gatewayServer;
            gatewayNames = gatewayNames == null ? List.of() : List.copyOf(gatewayNames);
        }

        public static Spec of(String server) {
            return new Spec(server, null, null, null, null, null, null, null);
        }

        public Spec withNodes(List<String> n) {
            return new Spec(server, apiserverNames, n, nodeAddresses, serviceIp, kubeconfigDir, certValidity,
                    caValidity, gatewayServer, gatewayNames);
        }

        public Spec withKubeconfigDir(Path d) {
            return new Spec(server, apiserverNames, nodes, nodeAddresses, serviceIp, d, certValidity, caValidity,
                    gatewayServer, gatewayNames);
        }

        public Spec withApiserverNames(List<String> names) {
            return new Spec(server, names, nodes, nodeAddresses, serviceIp, kubeconfigDir, certValidity, caValidity,
                    gatewayServer, gatewayNames);
        }

        public Spec withCertValidity(Duration d) {
            return new Spec(server, apiserverNames, nodes, nodeAddresses, serviceIp, kubeconfigDir, d, caValidity,
                    gatewayServer, gatewayNames);
        }

        /** Users' kubeconfigs point at {@code url} (the api-gateway), whose certificate also carries {@code names}. */
        public Spec withGateway(String url, List<String> names) {
            return new Spec(server, apiserverNames, nodes, nodeAddresses, serviceIp, kubeconfigDir, certValidity,
                    caValidity, url, names);
        }

        /** The URL users' kubeconfigs point at: the gateway when there is one, else the apiserver. */
        public String userServer() {
            return gatewayServer != null ? gatewayServer : server;
        }
    }

    /** One thing {@link #ensure} did or found: a file, {@code created} / {@code rotated} / {@code kept}, and why. */
    public record Change(String file, String action, String reason) {
        @Override
        public String toString() {
            return action + " " + file + (reason.isEmpty() ? "" : " (" + reason + ")");
        }
    }

    private final Path dir;
    private final Spec spec;
    private final Clock clock;
    private final List<Change> changes = new ArrayList<>();
    private CertificateAuthority ca;
    private CertificateAuthority frontProxyCa;

    private ClusterPki(Path dir, Spec spec, Clock clock) {
        this.dir = dir.toAbsolutePath();
        this.spec = spec;
        this.clock = clock;
    }

    /** Makes the PKI in {@code dir} complete and current for {@code spec}; see the class comment. */
    public static ClusterPki ensure(Path dir, Spec spec, Clock clock) {
        ClusterPki pki = new ClusterPki(dir, spec, clock);
        pki.ensureAll();
        return pki;
    }

    public static ClusterPki ensure(Path dir, Spec spec) {
        return ensure(dir, spec, Clock.systemUTC());
    }

    /** The identities every cluster has, nodes excluded. */
    public static List<Role> controlPlaneRoles() {
        return List.of(
                new Role(ADMIN, ADMIN_CN, List.of("system:masters")),
                new Role(SCHEDULER, "system:kube-scheduler", List.of()),
                new Role(CONTROLLER_MANAGER, "system:kube-controller-manager", List.of()),
                new Role(PROXY, "system:kube-proxy", List.of()),
                new Role(DNS, "system:kube-dns", List.of()),
                new Role(INGRESS, "system:kube4j-ingress-controller", List.of()));
    }

    /** The client identity of node {@code name}: {@code system:node:<name>} in {@code system:nodes}. */
    public static Role nodeRole(String name) {
        return new Role(nodeFile(name), "system:node:" + name, List.of("system:nodes"));
    }

    /** Base name of node {@code name}'s client certificate and kubeconfig ({@code node-<name>}). */
    public static String nodeFile(String name) {
        return "node-" + name;
    }

    /** Base name of node {@code name}'s serving certificate ({@code node-<name>-serving}). */
    public static String nodeServingFile(String name) {
        return "node-" + name + "-serving";
    }

    private void ensureAll() {
        PemFiles.ensurePrivateDirectory(dir);
        ca = ensureCa(CA, "kube4j-ca");
        frontProxyCa = ensureCa(FRONT_PROXY_CA, "kube4j-front-proxy-ca");
        ensureLeaf(ca, APISERVER, CertificateSpec.server("kube-apiserver", apiserverNames()));
        ensureLeaf(ca, APISERVER_KUBELET_CLIENT, CertificateSpec.client(KUBELET_CLIENT_CN, "system:masters"));
        ensureLeaf(frontProxyCa, FRONT_PROXY_CLIENT, CertificateSpec.client(FRONT_PROXY_CLIENT_CN));
        ensureServiceAccountKey();
        ensureLeaf(ca, GATEWAY, CertificateSpec.server(GATEWAY_CN, gatewayNames()));
        ensureLeaf(ca, GATEWAY_CLIENT, CertificateSpec.client(GATEWAY_CLIENT_CN));
        if (spec.kubeconfigDir() != null) {
            // the gateway's own lookups go to the apiserver directly, as every component's
            writeKubeconfig("gateway", spec.server(), new Role(GATEWAY_CLIENT, GATEWAY_CLIENT_CN, List.of()));
        }
        List<Role> roles = new ArrayList<>(controlPlaneRoles());
        for (String node : spec.nodes()) {
            roles.add(nodeRole(node));
            List<String> names = new ArrayList<>(List.of(node, "localhost", "127.0.0.1"));
            names.addAll(spec.nodeAddresses());
            ensureLeaf(ca, nodeServingFile(node), CertificateSpec.server("system:node:" + node, names));
        }
        for (Role r : roles) {
            ensureLeaf(ca, r.file(), CertificateSpec.client(r.commonName(), r.groups().toArray(String[]::new)));
            if (spec.kubeconfigDir() != null) {
                // users (admin) reach the cluster through the gateway; components talk to the apiserver
                writeKubeconfig(r.file(), ADMIN.equals(r.file()) ? spec.userServer() : spec.server(), r);
            }
        }
    }

    /** The apiserver's SANs: localhost, the kubernetes Service's names and ClusterIP, the server host, extras. */
    List<String> apiserverNames() {
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "kubernetes", "kubernetes.default",
                "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "127.0.0.1", spec.serviceIp()));
        String host = URI.create(spec.server()).getHost();
        if (host != null) {
            names.add(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
        }
        names.addAll(spec.apiserverNames());
        return List.copyOf(names);
    }

    /** The gateway's SANs: localhost, 127.0.0.1, the gateway URL's host, extras. */
    List<String> gatewayNames() {
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1"));
        if (spec.gatewayServer() != null) {
            String host = URI.create(spec.gatewayServer()).getHost();
            if (host != null) {
                names.add(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
            }
        }
        names.addAll(spec.gatewayNames());
        return List.copyOf(names);
    }

    private CertificateAuthority ensureCa(String name, String cn) {
        Path crt = certFile(name);
        Path key = keyFile(name);
        if (Files.exists(crt) || Files.exists(key)) {
            // An existing CA is never replaced: every certificate and kubeconfig in the cluster trusts it.
            CertificateAuthority existing = CertificateAuthority.read(crt, key, clock);
            if (!existing.credentials().keyMatches()) {
                throw new IllegalStateException(key + " is not the key of " + crt);
            }
            String warning = existing.credentials().needsRotation(clock.instant())
                    ? "expires " + existing.credentials().notAfter() + "; replace it by hand (delete "
                    + dir + " and run again)" : "";
            changes.add(new Change(crt.getFileName().toString(), "kept", warning));
            return existing;
        }
        CertificateAuthority created = CertificateAuthority.create(cn, spec.caValidity(), clock);
        created.credentials().write(crt, key);
        changes.add(new Change(crt.getFileName().toString(), "created", ""));
        return created;
    }

    private void ensureLeaf(CertificateAuthority issuer, String name, CertificateSpec want) {
        Path crt = certFile(name);
        Path key = keyFile(name);
        String reason;
        if (!Files.exists(crt) || !Files.exists(key)) {
            reason = null;
        } else {
            reason = staleReason(issuer, crt, key, want);
            if (reason == null) {
                return;
            }
        }
        issuer.issue(want.withValidity(spec.certValidity())).write(crt, key);
        changes.add(new Change(crt.getFileName().toString(), reason == null ? "created" : "rotated",
                reason == null ? "" : reason));
    }

    /** Why an existing certificate must be re-issued, or null when it is fine. */
    private String staleReason(CertificateAuthority issuer, Path crt, Path key, CertificateSpec want) {
        CertificateAndKey have;
        try {
            have = CertificateAndKey.read(crt, key);
        } catch (RuntimeException e) {
            return "unreadable: " + e.getMessage();
        }
        X509Certificate c = have.certificate();
        if (!issuer.signed(c)) {
            return "not signed by the current " + issuer.certificate().getSubjectX500Principal().getName();
        }
        if (!have.keyMatches()) {
            return "key does not match the certificate";
        }
        if (have.needsRotation(clock.instant())) {
            return "expires " + have.notAfter();
        }
        if (!SubjectAltNames.commonName(c).equals(want.commonName())
                || !SubjectAltNames.organizations(c).equals(want.organizations())) {
            return "subject changed";
        }
        Set<String> wantIps = new TreeSet<>();
        want.ipAddresses().forEach(ip -> wantIps.add(SubjectAltNames.canonicalIp(ip)));
        if (!SubjectAltNames.dnsNames(c).equals(new TreeSet<>(want.dnsNames()))
                || !SubjectAltNames.ipAddresses(c).equals(wantIps)) {
            return "subject alternative names changed";
        }
        return null;
    }

    private void ensureServiceAccountKey() {
        Path key = dir.resolve("sa.key");
        Path pub = dir.resolve("sa.pub");
        PrivateKey priv;
        if (Files.exists(key)) {
            priv = PemFiles.readPrivateKey(key);
        } else {
            KeyPair kp = KeyPairs.rsa(2048);
            priv = kp.getPrivate();
            PemFiles.writePrivate(key, PemFiles.encodePrivateKey(priv));
            changes.add(new Change("sa.key", "created", ""));
        }
        String pubPem = PemFiles.encodePublicKey(publicKeyOf(priv));
        if (!pubPem.equals(readOrNull(pub))) {
            PemFiles.writePrivate(pub, pubPem);
            changes.add(new Change("sa.pub", "created", ""));
        }
    }

    private void writeKubeconfig(String name, String server, Role r) {
        Path file = spec.kubeconfigDir().resolve(name + ".kubeconfig");
        String yaml = KubeconfigWriter.forServer(server).cluster("kube4j").user(r.commonName())
                .caFile(caCertFile()).clientCertificateFiles(certFile(r.file()), keyFile(r.file())).render();
        if (!yaml.equals(readOrNull(file))) {
            PemFiles.writePrivate(file, yaml);
            changes.add(new Change(file.toString(), "created", ""));
        }
    }

    private static String readOrNull(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    static PublicKey publicKeyOf(PrivateKey key) {
        if (!(key instanceof RSAPrivateCrtKey rsa)) {
            throw new IllegalArgumentException("sa.key must be an RSA private key, found " + key.getAlgorithm());
        }
        try {
            return KeyFactory.getInstance("RSA").generatePublic(
                    new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path dir() {
        return dir;
    }

    public Path certFile(String name) {
        return dir.resolve(name + ".crt");
    }

    public Path keyFile(String name) {
        return dir.resolve(name + ".key");
    }

    public Path caCertFile() {
        return certFile(CA);
    }

    public Path serviceAccountKeyFile() {
        return dir.resolve("sa.key");
    }

    public Path serviceAccountPublicKeyFile() {
        return dir.resolve("sa.pub");
    }

    /** The kubeconfig of {@code role} (a {@link Role#file()}), or null when the spec has no kubeconfig dir. */
    public Path kubeconfigFile(String role) {
        return spec.kubeconfigDir() == null ? null : spec.kubeconfigDir().resolve(role + ".kubeconfig");
    }

    public CertificateAuthority ca() {
        return ca;
    }

    public CertificateAuthority frontProxyCa() {
        return frontProxyCa;
    }

    public CertificateAndKey credentials(String name) {
        return CertificateAndKey.read(certFile(name), keyFile(name));
    }

    /** What this {@link #ensure} created or rotated (and the CAs it kept). */
    public List<Change> changes() {
        return List.copyOf(changes);
    }
}
