package io.kube4j.api.printing;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.List;

/**
 * Turns objects into the {@code meta.k8s.io} {@code Table} and {@code PartialObjectMetadata} documents the apiserver
 * serves when a client asks for them in {@code Accept} (kubectl's {@code as=Table}, metadata informers'
 * {@code as=PartialObjectMetadata}), as the apiserver's {@code asTable}/{@code asPartialObjectMetadata} do.
 */
public final class TableGenerator {

    /** What each row carries in {@code rows[].object} ({@code ?includeObject=}); Metadata by default. */
    public enum IncludeObject {
        NONE, METADATA, OBJECT;

        /** {@code None|Metadata|Object}, Metadata when absent; null for any other value. */
        public static IncludeObject parse(String value) {
            if (value == null || value.isEmpty()) {
                return METADATA;
            }
            return switch (value) {
                case "None" -> NONE;
                case "Metadata" -> METADATA;
                case "Object" -> OBJECT;
                default -> null;
            };
        }
    }

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private TableGenerator() {
    }

    /**
     * The Table of {@code objects} of {@code group}'s {@code kind} in {@code meta.k8s.io/<version>}. Without
     * {@code withColumns} the column definitions are left out, as in every watch event after the first (the
     * client keeps the ones it saw). The caller fills {@code metadata} (resourceVersion, continue) for lists.
     */
    public static ObjectNode table(String group, String kind, List<? extends JsonNode> objects, String version,
                                   IncludeObject include, boolean withColumns, Instant now) {
        TablePrinter printer = TablePrinters.of(group, kind);
        ObjectNode table = NODES.objectNode();
        table.put("kind", "Table");
        table.put("apiVersion", "meta.k8s.io/" + version);
        table.putObject("metadata");
        ArrayNode columns = table.putArray("columnDefinitions");
        if (withColumns) {
            for (TableColumn c : printer.columns()) {
                columns.addObject().put("name", c.name()).put("type", c.type()).put("format", c.format())
                        .put("description", c.description()).put("priority", c.priority());
            }
        }
        ArrayNode rows = table.putArray("rows");
        boolean pod = group.isEmpty() && kind.equals("Pod");
        for (JsonNode o : objects) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            for (Object cell : printer.typedCells(o, now)) {
                if (cell instanceof Long l) {
                    cells.add(l);
                } else if (cell instanceof Boolean b) {
                    cells.add(b);
                } else {
                    cells.add(String.valueOf(cell));
                }
            }
            if (pod) {
                podConditions(o, row);
            }
            switch (include) {
                case METADATA -> row.set("object", partialObjectMetadata(o, version));
                case OBJECT -> row.set("object", o);
                case NONE -> {
                }
            }
        }
        return table;
    }

    /** {@code obj}'s metadata as a {@code meta.k8s.io/<version>} PartialObjectMetadata. */
    public static ObjectNode partialObjectMetadata(JsonNode obj, String version) {
        ObjectNode p = NODES.objectNode();
        p.put("kind", "PartialObjectMetadata");
        p.put("apiVersion", "meta.k8s.io/" + version);
        JsonNode metadata = obj.path("metadata");
        p.set("metadata", metadata.isObject() ? metadata : NODES.objectNode());
        return p;
    }

    /** A finished pod's row says so, as printPod does, so that clients can tell completed rows apart. */
    private static void podConditions(JsonNode pod, ObjectNode row) {
        String phase = pod.path("status").path("phase").asString("");
        if (!phase.equals("Succeeded") && !phase.equals("Failed")) {
            return;
        }
        row.putArray("conditions").addObject()
                .put("type", "Completed").put("status", "True").put("reason", phase)
                .put("message", phase.equals("Succeeded") ? "The pod has completed successfully." : "The pod failed.");
    }
}
