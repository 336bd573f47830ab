package io.kube4j.cli.session;

import io.kube4j.api.codec.Codecs;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Changes to the kubeconfig files, written back where kubectl (client-go's {@code ModifyConfig}) writes them: a new
 * current-context goes to the default file ({@code --kubeconfig}; else the first existing file of
 * {@code $KUBECONFIG}, or its last entry when none exists; else {@code ~/.kube/config}); a context's changes go to the
 * file that defines it (the first that does), a new context to the default file. Only the entries that change are
 * rewritten; everything else in the file (other entries, unknown fields, relative paths) stays as it was.
 */
public final class KubeConfigEdits {

    private final List<Path> locations;
    private final boolean explicit;

    public KubeConfigEdits(String explicitFile, Map<String, String> env) {
        this.locations = KubeConfigs.locations(explicitFile, env);
        this.explicit = explicitFile != null && !explicitFile.isBlank();
    }

    /** The file kubectl writes new things to. */
    public Path defaultFile() {
        if (explicit || locations.size() == 1) {
            return locations.get(0);
        }
        return locations.stream().filter(Files::isRegularFile).findFirst().orElse(locations.get(locations.size() - 1));
    }

    /** The first existing file with an entry {@code name} in {@code list} (clusters, users, contexts), or null. */
    public Path origin(String list, String name) {
        for (Path f : locations) {
            if (Files.isRegularFile(f) && find(read(f), list, name) != null) {
                return f;
            }
        }
        return null;
    }

    /** Sets {@code current-context} in the default file. */
    public void setCurrentContext(String name) {
        Path f = defaultFile();
        ObjectNode doc = read(f);
        doc.put("current-context", name);
        write(f, doc);
    }

    /**
     * Applies {@code edit} to the {@code context} body of context {@code name} in the file that defines it, creating the
     * context ({@code cluster: "", user: ""}) in the default file when none does; true if it was created.
     */
    public boolean editContext(String name, Consumer<ObjectNode> edit) {
        Path f = origin("contexts", name);
        boolean created = f == null;
        if (created) {
            f = defaultFile();
        }
        ObjectNode doc = read(f);
        ObjectNode entry = find(doc, "contexts", name);
        if (entry == null) {
            ArrayNode contexts = doc.get("contexts") instanceof ArrayNode a ? a : doc.putArray("contexts");
            entry = contexts.addObject();
            entry.put("name", name);
            ObjectNode body = entry.putObject("context");
            body.put("cluster", "");
            body.put("user", "");
        }
        ObjectNode body = entry.get("context") instanceof ObjectNode o ? o : entry.putObject("context");
        edit.accept(body);
        write(f, doc);
        return created;
    }

    /** Removes context {@code name} from the file that defines it; that file, or null if no file does. */
    public Path deleteContext(String name) {
        Path f = origin("contexts", name);
        if (f == null) {
            return null;
        }
        ObjectNode doc = read(f);
        ArrayNode contexts = (ArrayNode) doc.get("contexts");
        for (int i = 0; i < contexts.size(); i++) {
            if (name.equals(contexts.get(i).path("name").asString())) {
                contexts.remove(i);
                break;
            }
        }
        write(f, doc);
        return f;
    }

    private static ObjectNode find(JsonNode doc, String list, String name) {
        for (JsonNode e : doc.path(list)) {
            if (e instanceof ObjectNode o && name.equals(e.path("name").asString())) {
                return o;
            }
        }
        return null;
    }

    private static ObjectNode read(Path f) {
        if (!Files.isRegularFile(f)) {
            ObjectNode doc = Codecs.json().createObjectNode();
            doc.put("apiVersion", "v1");
            doc.put("kind", "Config");
            return doc;
        }
        JsonNode doc = KubeConfigs.parse(f);
        if (doc == null) {
            return read(Path.of("/nonexistent/" + f));
        }
        if (!(doc instanceof ObjectNode o)) {
            throw new IllegalArgumentException("kubeconfig " + f + " is not a YAML mapping");
        }
        return o;
    }

    private static void write(Path f, ObjectNode doc) {
        try {
            if (f.toAbsolutePath().getParent() != null) {
                Files.createDirectories(f.toAbsolutePath().getParent());
            }
            Path tmp = Files.createTempFile(f.toAbsolutePath().getParent(), ".kubeconfig", ".tmp");
            Files.writeString(tmp, Codecs.yaml().writeValueAsString(doc));
            if (Files.exists(f)) {
                try {
                    Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(f));
                } catch (UnsupportedOperationException ignored) {
                    // not a POSIX file system
                }
            }
            Files.move(tmp, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write kubeconfig " + f + ": " + e.getMessage(), e);
        }
    }
}
