package io.kube4j.proxy.iptables;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * kube-proxy's iptables chain names: fixed top-level chains and the per-Service-port / per-endpoint chains whose
 * suffix is the first 16 characters of base32(sha256(servicePortName + protocol [+ endpoint])), exactly as
 * {@code portProtoHash} and {@code servicePortEndpointChainName} compute them (iptables chain names are at most 28
 * characters), so that a host programmed by kube4j looks like one programmed by kube-proxy.
 */
public final class ChainNames {

    public static final String KUBE_SERVICES = "KUBE-SERVICES";
    public static final String KUBE_EXTERNAL_SERVICES = "KUBE-EXTERNAL-SERVICES";
    public static final String KUBE_NODEPORTS = "KUBE-NODEPORTS";
    public static final String KUBE_POSTROUTING = "KUBE-POSTROUTING";
    public static final String KUBE_MARK_MASQ = "KUBE-MARK-MASQ";
    public static final String KUBE_FORWARD = "KUBE-FORWARD";
    public static final String KUBE_PROXY_FIREWALL = "KUBE-PROXY-FIREWALL";
    public static final String KUBE_PROXY_CANARY = "KUBE-PROXY-CANARY";
    /** kubelet's anti-martian chain, which kube-proxy duplicates when NodePorts answer on localhost. */
    public static final String KUBE_FIREWALL = "KUBE-FIREWALL";

    public static final String SVC_PREFIX = "KUBE-SVC-";
    public static final String SVL_PREFIX = "KUBE-SVL-";
    public static final String FW_PREFIX = "KUBE-FW-";
    public static final String EXT_PREFIX = "KUBE-EXT-";
    public static final String SEP_PREFIX = "KUBE-SEP-";

    private static final List<String> SERVICE_CHAIN_PREFIXES = List.of(SVC_PREFIX, SVL_PREFIX, SEP_PREFIX, FW_PREFIX,
            EXT_PREFIX);
    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

    private ChainNames() {
    }

    /** The 16-character hash of a Service port name ({@code ns/name:port}) and a lower-case protocol. */
    public static String portProtoHash(String servicePortName, String protocol) {
        return hash16(servicePortName + protocol);
    }

    /** {@code KUBE-SVC-<hash>}: the Service port's chain for the Cluster traffic policy. */
    public static String clusterPolicyChain(String servicePortName, String protocol) {
        return SVC_PREFIX + portProtoHash(servicePortName, protocol);
    }

    /** {@code KUBE-SVL-<hash>}: the Service port's chain for the Local traffic policy (local endpoints only). */
    public static String localPolicyChain(String servicePortName, String protocol) {
        return SVL_PREFIX + portProtoHash(servicePortName, protocol);
    }

    /** {@code KUBE-EXT-<hash>}: where NodePort, externalIP and load-balancer traffic goes first. */
    public static String externalChain(String servicePortName, String protocol) {
        return EXT_PREFIX + portProtoHash(servicePortName, protocol);
    }

    /** {@code KUBE-FW-<hash>}: loadBalancerSourceRanges filtering (named for cleanup; kube4j renders none). */
    public static String firewallChain(String servicePortName, String protocol) {
        return FW_PREFIX + portProtoHash(servicePortName, protocol);
    }

    /** {@code KUBE-SEP-<hash>}: one endpoint ({@code ip:port}) of one Service port. */
    public static String endpointChain(String servicePortName, String protocol, String endpoint) {
        return SEP_PREFIX + hash16(servicePortName + protocol + endpoint);
    }

    /** True for the per-Service chains kube-proxy creates and deletes when stale. */
    public static boolean isServiceChain(String chain) {
        for (String p : SERVICE_CHAIN_PREFIXES) {
            if (chain.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** base32 (RFC 4648 alphabet, as Go's StdEncoding) of the first 10 bytes of sha256(s): 16 characters. */
    static String hash16(String s) {
        byte[] h;
        try {
            h = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
        char[] out = new char[16];
        // 10 bytes = 80 bits = exactly 16 base32 digits; no padding involved.
        long hi = 0;
        for (int i = 0; i < 5; i++) {
            hi = (hi << 8) | (h[i] & 0xff);
        }
        long lo = 0;
        for (int i = 5; i < 10; i++) {
            lo = (lo << 8) | (h[i] & 0xff);
        }
        for (int i = 0; i < 8; i++) {
            out[i] = BASE32[(int) ((hi >>> (35 - 5 * i)) & 31)];
            out[8 + i] = BASE32[(int) ((lo >>> (35 - 5 * i)) & 31)];
        }
        return new String(out);
    }
}
