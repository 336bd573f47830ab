package io.kube4j.node.runtime.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BusyboxImageTest {

    private static Map<String, byte[]> untar(byte[] tar) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                out.put(e.getName() + (e.isSymbolicLink() ? " -> " + e.getLinkName() : ""), in.readAllBytes());
            }
        }
        return out;
    }

    @Test
    void loadArchiveHasManifestConfigAndALayerWhoseDigestMatches() throws Exception {
        byte[] fakeBinary = "not really busybox".getBytes(StandardCharsets.UTF_8);
        byte[] archive = BusyboxImage.loadArchive("kube4j/pause:test", fakeBinary, List.of("sh", "sleep"),
                List.of("/bin/sh", "-c", "sleep 1"), Map.of("io.kube4j.image", "pause"), "amd64");
        Map<String, byte[]> files = untar(archive);
        ObjectMapper json = new ObjectMapper();
        JsonNode manifest = json.readTree(files.get("manifest.json"));
        assertThat(manifest.get(0).get("RepoTags").get(0).asText()).isEqualTo("kube4j/pause:test");
        String layerPath = manifest.get(0).get("Layers").get(0).asText();
        JsonNode config = json.readTree(files.get(manifest.get(0).get("Config").asText()));
        assertThat(config.get("config").get("Cmd").toString()).isEqualTo("[\"/bin/sh\",\"-c\",\"sleep 1\"]");
        assertThat(config.get("config").get("Labels").get("io.kube4j.image").asText()).isEqualTo("pause");
        assertThat(config.get("architecture").asText()).isEqualTo("amd64");
        byte[] layer = files.get(layerPath);
        assertThat(config.get("rootfs").get("diff_ids").get(0).asText())
                .isEqualTo("sha256:" + BusyboxImage.sha256(layer));

        Map<String, byte[]> rootfs = untar(layer);
        assertThat(rootfs.get("bin/busybox")).isEqualTo(fakeBinary);
        assertThat(rootfs).containsKeys("bin/sh -> busybox", "bin/sleep -> busybox", "tmp/", "etc/passwd");
        assertThat(new String(rootfs.get("etc/passwd"), StandardCharsets.UTF_8)).startsWith("root:x:0:0:");
    }

    @Test
    void staticAndDynamicBinariesAreTold() throws Exception {
        Path busybox = Path.of("/bin/busybox");
        if (Files.isRegularFile(busybox)) {
            byte[] bin = Files.readAllBytes(busybox);
            // the host's busybox may be either; the check must agree with the ELF's program headers
            boolean dynamic = BusyboxImage.hasInterpreter(bin);
            if (!dynamic) {
                assertThat(BusyboxImage.readStaticBusybox(busybox)).isEqualTo(bin);
                assertThat(BusyboxImage.applets(busybox)).contains("sh", "sleep", "wget", "httpd");
            }
        }
        Path ls = Path.of("/bin/ls");
        if (Files.isRegularFile(ls)) {
            assertThat(BusyboxImage.hasInterpreter(Files.readAllBytes(ls))).isTrue();
            assertThatThrownBy(() -> BusyboxImage.readStaticBusybox(ls)).hasMessageContaining("dynamically linked");
        }
    }

    @Test
    void nonElfFilesAreRefused(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path script = Files.writeString(dir.resolve("busybox"), "#!/bin/sh\n");
        assertThatThrownBy(() -> BusyboxImage.readStaticBusybox(script)).hasMessageContaining("not an ELF");
        assertThatThrownBy(() -> BusyboxImage.readStaticBusybox(dir.resolve("missing")))
                .hasMessageContaining("not a file");
        assertThat(BusyboxImage.applets(script)).isEqualTo(BusyboxImage.FALLBACK_APPLETS);
    }
}
