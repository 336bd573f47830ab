package io.kube4j.node.status;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/** Finds the address a node advertises as its InternalIP. */
public final class NodeAddresses {

    private NodeAddresses() {
    }

    /**
     * The first IPv4 address of an up, non-loopback interface that is not a Docker bridge ({@code docker*},
     * {@code br-*}) or a veth, interfaces taken in index order; 127.0.0.1 when there is none.
     */
    public static String detectInternalIp() {
        try {
            List<NetworkInterface> nics = new ArrayList<>(Collections.list(NetworkInterface.getNetworkInterfaces()));
            nics.sort(Comparator.comparingInt(NetworkInterface::getIndex));
            for (NetworkInterface nic : nics) {
                if (!nic.isUp() || nic.isLoopback() || nic.isVirtual() || isBridgeOrVeth(nic.getName())) {
                    continue;
                }
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                        return a.getHostAddress();
                    }
                }
            }
        } catch (SocketException e) {
            // fall through: a host without readable interfaces still gets a usable address
        }
        return "127.0.0.1";
    }

    static boolean isBridgeOrVeth(String name) {
        return name.startsWith("docker") || name.startsWith("br-") || name.startsWith("veth")
                || name.startsWith("kube4j") || name.startsWith("cni") || name.startsWith("virbr");
    }
}
