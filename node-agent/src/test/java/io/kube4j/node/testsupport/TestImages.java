package io.kube4j.node.testsupport;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.node.runtime.docker.DockerRuntime;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Local images for tests (no registry is reachable): built once from the host's static busybox and kept in the
 * engine, so later runs reuse them.
 */
public final class TestImages {

    /** A busybox image: every applet in {@code /bin}, {@code /tmp}, root in {@code /etc/passwd}, {@code CMD ["/bin/sh"]}. */
    public static final String BUSYBOX = "kube4j-test/busybox:1";
    /** A pause image: sleeps forever, exits 0 on SIGTERM. */
    public static final String PAUSE = "kube4j-test/pause:1";

    private static boolean busyboxReady;
    private static boolean pauseReady;

    private TestImages() {
    }

    /** The tag of the local busybox image, built when missing (skips or fails the test without Docker/busybox). */
    public static synchronized String busybox() {
        if (!busyboxReady) {
            ensure(BUSYBOX, List.of("/bin/sh"), "test-busybox");
            busyboxReady = true;
        }
        return BUSYBOX;
    }

    /** The tag of the local pause image, built when missing. */
    public static synchronized String pause() {
        if (!pauseReady) {
            ensure(PAUSE, DockerRuntime.PAUSE_COMMAND, "pause");
            pauseReady = true;
        }
        return PAUSE;
    }

    private static void ensure(String tag, List<String> cmd, String kind) {
        DockerClient docker = DockerTestSupport.client();
        try {
            docker.inspectImageCmd(tag).exec();
            return;
        } catch (NotFoundException e) {
            // build it below
        }
        Path busybox = DockerTestSupport.staticBusybox().orElse(null);
        Requirements.require(busybox != null, "no static busybox at /bin/busybox or /usr/bin/busybox to build "
                + tag + " (apt-get install busybox-static)");
        DockerRuntime.buildBusyboxImage(docker, tag, busybox, cmd, Map.of(DockerRuntime.IMAGE_LABEL, kind));
    }
}
