package io.kube4j.node.runtime.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HairpinModeTest {

    @TempDir
    Path dir;

    private HairpinMode hairpin() {
        return new HairpinMode(dir.resolve("proc"), dir.resolve("net"));
    }

    private void sandboxPeer(long pid, int iflink) throws IOException {
        Path eth0 = dir.resolve("proc/" + pid + "/root/sys/class/net/eth0");
        Files.createDirectories(eth0);
        Files.writeString(eth0.resolve("iflink"), iflink + "\n");
    }

    private Path hostLink(String name, int ifindex, boolean bridgePort) throws IOException {
        Path dev = dir.resolve("net/" + name);
        Files.createDirectories(dev);
        Files.writeString(dev.resolve("ifindex"), ifindex + "\n");
        if (bridgePort) {
            Files.createDirectories(dev.resolve("brport"));
            Files.writeString(dev.resolve("brport/hairpin_mode"), "0\n");
        }
        return dev;
    }

    @Test
    void setsHairpinModeOnTheBridgePortThatIsTheSandboxPeer() throws IOException {
        sandboxPeer(42, 17);
        hostLink("eth0", 2, false);
        Path other = hostLink("veth0000", 16, true);
        Path peer = hostLink("vethabcd", 17, true);

        assertThat(hairpin().enable(42)).contains("vethabcd");
        assertThat(Files.readString(peer.resolve("brport/hairpin_mode")).trim()).isEqualTo("1");
        assertThat(Files.readString(other.resolve("brport/hairpin_mode")).trim()).isEqualTo("0");
    }

    @Test
    void leavesAPeerThatIsNoBridgePortAlone() throws IOException {
        sandboxPeer(42, 5);
        hostLink("tap5", 5, false);
        assertThat(hairpin().enable(42)).isEmpty();
    }

    @Test
    void aSandboxWhoseInterfaceCannotBeReadIsAnError() throws IOException {
        Files.createDirectories(dir.resolve("net"));
        assertThatThrownBy(() -> hairpin().enable(7)).isInstanceOf(IOException.class);
    }
}
