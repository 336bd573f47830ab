package io.kube4j.api.patch;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The strategic-merge-patch metadata of the built-in Kubernetes types kube4j serves: merge keys and patch strategies
 * of the Go API types' {@code patchStrategy}/{@code patchMergeKey} struct tags, which Kubernetes' apiserver reads by
 * reflection. The table ({@code strategic-merge-patch-meta.txt} beside this class) is generated from the
 * Kubernetes sources by {@code apiserver-service/tools/gen-strategic-merge-patch-meta.py}; each entry cites the Go
 * source line it comes from. Kinds not in it (custom resources) have no strategic merge patch, as in Kubernetes.
 */
public final class PatchMetaTable {

    private static final String RESOURCE = "strategic-merge-patch-meta.txt";
    private static final PatchMetaTable BUILTIN = load();

    /** A field line of the table. */
    private record Spec(String kind, String elementType, List<String> strategies, String mergeKey) {
    }

    private final Map<String, Map<String, Spec>> types;
    private final Map<String, String> roots;
    private final Map<String, PatchSchema> schemas = new HashMap<>();

    PatchMetaTable(Map<String, Map<String, Spec>> types, Map<String, String> roots) {
        this.types = types;
        this.roots = roots;
        for (String type : types.keySet()) {
            schemas.put(type, new TableSchema(type));
        }
    }

    public static PatchMetaTable builtin() {
        return BUILTIN;
    }

    /** The schema of a kind ({@code apiVersion} like {@code apps/v1}), or empty when it has no patch metadata. */
    public Optional<PatchSchema> forKind(String apiVersion, String kind) {
        String type = roots.get(apiVersion + "/" + kind);
        return type == null ? Optional.empty() : Optional.of(schemaOf(type));
    }

    private PatchSchema schemaOf(String type) {
        return type.equals("-") ? PatchSchema.generic() : schemas.getOrDefault(type, PatchSchema.generic());
    }

    private final class TableSchema implements PatchSchema {
        private final String name;
        private final Map<String, Spec> fields;

        TableSchema(String name) {
            this.name = name;
            this.fields = types.get(name);
        }

        @Override
        public Field field(String f) {
            Spec s = fields.get(f);
            if (s == null) {
                return Field.NONE;
            }
            PatchSchema element = schemaOf(s.elementType());
            PatchSchema value = s.kind().equals("map") ? PatchSchema.mapOf(element) : element;
            return new Field(value, s.strategies(), s.mergeKey());
        }

        @Override
        public String name() {
            return name;
        }
    }

    private static PatchMetaTable load() {
        try (InputStream in = PatchMetaTable.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static PatchMetaTable parse(List<String> lines) {
        Map<String, Map<String, Spec>> types = new LinkedHashMap<>();
        Map<String, String> roots = new HashMap<>();
        Map<String, Spec> current = null;
        for (String raw : lines) {
            String line = raw.contains("#") ? raw.substring(0, raw.indexOf('#')) : raw;
            if (line.isBlank()) {
                continue;
            }
            String[] w = line.trim().split("\\s+");
            if (line.startsWith("root ") && w.length == 4) {
                roots.put(w[1] + "/" + w[2], w[3]);
            } else if (line.startsWith("type ") && w.length == 2) {
                current = types.computeIfAbsent(w[1], k -> new LinkedHashMap<>());
            } else if (line.startsWith(" ") && w.length == 5 && current != null) {
                List<String> strategies = w[3].equals("-") ? List.of() : Arrays.asList(w[3].split(","));
                current.put(w[0], new Spec(w[1], w[2], strategies, w[4].equals("-") ? "" : w[4]));
            } else {
                throw new IllegalStateException("bad line in " + RESOURCE + ": " + raw);
            }
        }
        return new PatchMetaTable(types, roots);
    }
}
