package io.kube4j.node.runtime.docker;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** The pure translations of {@link DockerRuntime}: container names, kubelet resource arithmetic, CIDRs, dates. */
public final class DockerSpecs {

    /** As the kubelet: shares never go below 2 (the kernel minimum) nor above 262144. */
    public static final long MIN_SHARES = 2;
    public static final long MAX_SHARES = 262_144;
    public static final long CFS_PERIOD_MICROS = 100_000;
    /** The kernel refuses a quota below 1 ms. */
    public static final long MIN_QUOTA_MICROS = 1_000;

    private DockerSpecs() {
    }

    /** {@code k8s_POD_<pod>_<namespace>_<uid>_<attempt>}, dockershim's sandbox name. */
    public static String sandboxName(String podName, String namespace, String podUid, int attempt) {
        return containerName("POD", podName, namespace, podUid, attempt);
    }

    /** {@code k8s_<container>_<pod>_<namespace>_<uid>_<attempt>}, dockershim's container name. */
    public static String containerName(String container, String podName, String namespace, String podUid,
                                       int attempt) {
        return String.join("_", "k8s", container, podName, namespace, podUid, Integer.toString(attempt));
    }

    /** CPU shares of a request in millicores, as the kubelet's {@code MilliCPUToShares}. */
    public static long cpuShares(long milliCpu) {
        if (milliCpu <= 0) {
            return MIN_SHARES;
        }
        long shares = milliCpu * 1024 / 1000;
        return Math.max(MIN_SHARES, Math.min(MAX_SHARES, shares));
    }

    /** The CFS quota (µs per {@link #CFS_PERIOD_MICROS}) of a limit in millicores; 0 means no limit. */
    public static long cpuQuota(long milliCpuLimit) {
        if (milliCpuLimit <= 0) {
            return 0;
        }
        return Math.max(MIN_QUOTA_MICROS, milliCpuLimit * CFS_PERIOD_MICROS / 1000);
    }

    /** A parsed IPv4 CIDR: {@code 10.244.1.0/24}. */
    public record Cidr(long network, int prefix) {

        public static Cidr parse(String cidr) {
            if (cidr == null) {
                throw new IllegalArgumentException("no CIDR given");
            }
            int slash = cidr.indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException("'" + cidr + "' is not a CIDR (expected a.b.c.d/n)");
            }
            int prefix;
            try {
                prefix = Integer.parseInt(cidr.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + cidr + "' has a bad prefix length");
            }
            String[] parts = cidr.substring(0, slash).split("\\.");
            if (parts.length != 4 || prefix < 0 || prefix > 32) {
                throw new IllegalArgumentException("'" + cidr + "' is not an IPv4 CIDR");
            }
            long addr = 0;
            for (String p : parts) {
                int octet;
                try {
                    octet = Integer.parseInt(p);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + cidr + "' is not an IPv4 CIDR");
                }
                if (octet < 0 || octet > 255) {
                    throw new IllegalArgumentException("'" + cidr + "' is not an IPv4 CIDR");
                }
                addr = (addr << 8) | octet;
            }
            return new Cidr(addr & mask(prefix), prefix);
        }

        private static long mask(int prefix) {
            return prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
        }

        public boolean overlaps(Cidr other) {
            int p = Math.min(prefix, other.prefix);
            return (network & mask(p)) == (other.network & mask(p));
        }

        public boolean contains(String ip) {
            try {
                byte[] b = InetAddress.getByName(ip).getAddress();
                if (b.length != 4) {
                    return false;
                }
                long a = ((b[0] & 0xFFL) << 24) | ((b[1] & 0xFFL) << 16) | ((b[2] & 0xFFL) << 8) | (b[3] & 0xFFL);
                return (a & mask(prefix)) == network;
            } catch (UnknownHostException e) {
                return false;
            }
        }

        /** The first address after the network address (the bridge's gateway). */
        public String firstHost() {
            return format(network + 1);
        }

        private static String format(long a) {
            return ((a >> 24) & 0xFF) + "." + ((a >> 16) & 0xFF) + "." + ((a >> 8) & 0xFF) + "." + (a & 0xFF);
        }

        @Override
        public String toString() {
            return format(network) + "/" + prefix;
        }
    }

    /** Docker's timestamps; its zero time ({@code 0001-01-01T00:00:00Z}) and blanks are null. */
    public static Instant parseTime(String text) {
        if (text == null || text.isBlank() || text.startsWith("0001-01-01")) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Splits {@code repo[:tag][@digest]} into the repository and the tag or digest docker's pull takes. */
    public static String[] repositoryAndTag(String image) {
        int at = image.indexOf('@');
        if (at >= 0) {
            return new String[] {image.substring(0, at), image.substring(at + 1)};
        }
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        if (colon > slash) {
            return new String[] {image.substring(0, colon), image.substring(colon + 1)};
        }
        return new String[] {image, "latest"};
    }

    /** Kubernetes' GOARCH names for the architectures Docker reports as uname machine names. */
    public static String goArch(String arch) {
        if (arch == null) {
            return "";
        }
        return switch (arch) {
            case "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            case "armv7l" -> "arm";
            default -> arch;
        };
    }
}
