package io.kube4j.cli.commands.pods;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.cli.api.RemoteCommand;
import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.command.UsageException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.springframework.stereotype.Component;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code k4j cp}: copies files and directories to and from containers the way kubectl does, as tar over exec —
 * {@code tar cf - PATH} in the container read back and unpacked locally, or a local tar piped to
 * {@code tar -xmf - -C DIR} in the container.
 */
@Component
public class CpCommand extends KubeCommand {

    public CpCommand() {
        super("cp", "Copy files and directories to and from containers");
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.string("-c, --container", "CONTAINER", null,
                "Container name. If omitted, use the kubectl.kubernetes.io/default-container annotation for selecting "
                        + "the container to be attached or the first container in the pod will be chosen");
        b.positionals("SRC DEST", "[[namespace/]pod:]file/path, either end in a container");
    }

    @Override
    protected String examples() {
        return """
                  # Copy /tmp/foo_dir local directory to /tmp/bar_dir in a remote pod in the default namespace
                  k4j cp /tmp/foo_dir <some-pod>:/tmp/bar_dir

                  # Copy /tmp/foo local file to /tmp/bar in a remote pod in a specific container
                  k4j cp /tmp/foo <some-pod>:/tmp/bar -c <specific-container>

                  # Copy /tmp/foo from a remote pod to /tmp/bar locally
                  k4j cp <some-namespace>/<some-pod>:/tmp/foo /tmp/bar
                """;
    }

    /** One end of a copy: a pod's file ({@code pod} set) or a local one. */
    record Spec(String namespace, String pod, String path) {
        boolean remote() {
            return pod != null;
        }
    }

    static Spec parse(String arg) {
        int colon = arg.indexOf(':');
        if (colon < 0) {
            return new Spec(null, null, arg);
        }
        if (colon == 0) {
            throw new UsageException("filespec must match the canonical format: [[namespace/]pod:]file/path");
        }
        String ref = arg.substring(0, colon);
        String path = arg.substring(colon + 1);
        String[] parts = ref.split("/", -1);
        if (parts.length > 2 || parts[parts.length - 1].isEmpty()) {
            throw new UsageException("filespec must match the canonical format: [[namespace/]pod:]file/path");
        }
        if (path.isEmpty()) {
            throw new UsageException("remote path must not be empty");
        }
        return parts.length == 2 ? new Spec(parts[0], parts[1], path) : new Spec(null, parts[0], path);
    }

    @Override
    protected int run(Invocation inv) throws Exception {
        if (inv.args().size() != 2) {
            throw new UsageException("source and destination are required");
        }
        Spec src = parse(inv.args().get(0));
        Spec dest = parse(inv.args().get(1));
        if (src.remote() == dest.remote()) {
            throw new UsageException("one of src or dest must be a local file specification");
        }
        return src.remote() ? fromPod(inv, src, inv.io().path(dest.path())) : toPod(inv, inv.io().path(src.path()), dest);
    }

    private record Exec(int code, String stderr) {
    }

    private static Exec exec(Invocation inv, Spec remote, String container, InputStream stdin, OutputStream stdout,
                             String... command) {
        StringBuilder path = new StringBuilder("/api/v1/namespaces/").append(namespace(inv, remote)).append("/pods/")
                .append(remote.pod()).append("/exec?container=").append(PodTargets.encode(container));
        for (String c : command) {
            path.append("&command=").append(PodTargets.encode(c));
        }
        path.append(RemoteSession.streamsQuery(stdin != null, false));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            int code = RemoteCommand.run(inv.client(), path.toString(), new RemoteCommand.Streams(stdin, stdout, err));
            return new Exec(code, err.toString(StandardCharsets.UTF_8));
        } catch (RemoteCommand.RemoteFailure e) {
            throw new CliException(e.getMessage());
        }
    }

    private static String namespace(Invocation inv, Spec s) {
        return s.namespace() != null ? s.namespace() : inv.namespace();
    }

    private static String container(Invocation inv, Spec remote) {
        Pod pod = PodTargets.getPod(inv, namespace(inv, remote), remote.pod());
        PodTargets.requireRunning(pod, "exec into");
        return PodTargets.container(pod, inv.flags().string("container"), inv.err());
    }

    private int fromPod(Invocation inv, Spec src, Path dest) throws IOException {
        String container = container(inv, src);
        Path tar = Files.createTempFile("k4j-cp", ".tar");
        try {
            Exec r;
            try (OutputStream out = Files.newOutputStream(tar)) {
                r = exec(inv, src, container, null, out, "tar", "cf", "-", src.path());
            }
            String complaints = r.stderr().lines().filter(l -> !l.contains("removing leading '/'"))
                    .reduce("", (a, l) -> a + l + "\n");
            if (r.code() != 0) {
                inv.err().print(complaints);
                inv.err().println("command terminated with exit code " + r.code());
                return 1;
            }
            try (InputStream in = Files.newInputStream(tar)) {
                untar(in, prefixOf(src.path()), dest, inv);
            }
            return 0;
        } finally {
            Files.deleteIfExists(tar);
        }
    }

    /** The name tar gives the source in its archive: without leading {@code /} (and {@code ./}) or trailing {@code /}. */
    static String prefixOf(String remotePath) {
        String p = remotePath;
        while (p.startsWith("/") || p.startsWith("./")) {
            p = p.startsWith("/") ? p.substring(1) : p.substring(2);
        }
        while (p.endsWith("/") && p.length() > 1) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    /** Unpacks entries under {@code prefix} to {@code dest}; nothing may land outside it (kubectl's rule too). */
    static void untar(InputStream in, String prefix, Path dest, Invocation inv) throws IOException {
        Path root = dest.toAbsolutePath().normalize();
        boolean destIsDir = Files.isDirectory(root);
        try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                String name = prefixOf(e.getName());
                if (name.endsWith("/")) {
                    name = name.substring(0, name.length() - 1);
                }
                String rest;
                if (prefix.isEmpty() || prefix.equals(".")) {
                    rest = name;
                } else if (name.equals(prefix)) {
                    rest = "";
                } else if (name.startsWith(prefix + "/")) {
                    rest = name.substring(prefix.length() + 1);
                } else {
                    continue;
                }
                Path target = rest.isEmpty() ? root : root.resolve(rest).normalize();
                if (rest.isEmpty() && !e.isDirectory() && destIsDir) {
                    target = root.resolve(Path.of(prefix).getFileName().toString());
                }
                if (!target.startsWith(root)) {
                    inv.err().println("warning: file \"" + e.getName() + "\" is outside target destination, skipping");
                    continue;
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else if (e.isSymbolicLink() || e.isLink()) {
                    inv.err().println("warning: skipping symlink: \"" + target + "\" -> \"" + e.getLinkName() + "\"");
                } else if (e.isFile()) {
                    if (target.getParent() != null) {
                        Files.createDirectories(target.getParent());
                    }
                    Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
                    if ((e.getMode() & 0100) != 0) {
                        target.toFile().setExecutable(true, false);
                    }
                }
            }
        }
    }

    private int toPod(Invocation inv, Path src, Spec dest) throws IOException {
        if (!Files.exists(src)) {
            throw new CliException(src + " doesn't exist in local filesystem");
        }
        String container = container(inv, dest);
        String remote = dest.path();
        if (remote.endsWith("/")) {
            remote = remote + src.getFileName();
        } else if (exec(inv, dest, container, null, OutputStream.nullOutputStream(), "test", "-d", remote).code() == 0) {
            remote = remote + "/" + src.getFileName();
        }
        int slash = remote.lastIndexOf('/');
        String dir = slash > 0 ? remote.substring(0, slash) : slash == 0 ? "/" : "";
        String base = remote.substring(slash + 1);
        Path tar = Files.createTempFile("k4j-cp", ".tar");
        try {
            try (TarArchiveOutputStream out = new TarArchiveOutputStream(Files.newOutputStream(tar))) {
                out.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
                out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                addTree(out, src, base);
            }
            List<String> cmd = new ArrayList<>(List.of("tar", "-xmf", "-"));
            if (!dir.isEmpty()) {
                cmd.addAll(List.of("-C", dir));
            }
            Exec r;
            try (InputStream in = Files.newInputStream(tar)) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                r = exec(inv, dest, container, in, out, cmd.toArray(String[]::new));
                inv.out().print(out.toString(StandardCharsets.UTF_8));
            }
            if (r.code() != 0) {
                inv.err().print(r.stderr());
                inv.err().println("command terminated with exit code " + r.code());
                return 1;
            }
            inv.err().print(r.stderr());
            return 0;
        } finally {
            Files.deleteIfExists(tar);
        }
    }

    private static void addTree(TarArchiveOutputStream out, Path file, String name) throws IOException {
        if (Files.isDirectory(file)) {
            TarArchiveEntry e = new TarArchiveEntry(file, name + "/");
            out.putArchiveEntry(e);
            out.closeArchiveEntry();
            try (Stream<Path> children = Files.list(file)) {
                for (Path c : children.sorted().toList()) {
                    addTree(out, c, name + "/" + c.getFileName());
                }
            }
        } else if (Files.isRegularFile(file)) {
            TarArchiveEntry e = new TarArchiveEntry(file, name);
            out.putArchiveEntry(e);
            Files.copy(file, out);
            out.closeArchiveEntry();
        }
    }
}
