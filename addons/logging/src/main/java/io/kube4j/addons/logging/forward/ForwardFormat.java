package io.kube4j.addons.logging.forward;

import io.kube4j.addons.logging.store.LogEntry;
import io.kube4j.addons.logging.store.StreamLabels;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The request body of one batch for an external log store. */
public interface ForwardFormat {

    /** One line to forward, with its stream. */
    record Item(StreamLabels labels, LogEntry entry) {
    }

    String contentType();

    String body(List<Item> batch);

    /** Loki's push API ({@code POST /loki/api/v1/push}, JSON): one Loki stream per kube4j stream. */
    final class Loki implements ForwardFormat {
        private static final JsonMapper JSON = JsonMapper.builder().build();

        @Override
        public String contentType() {
            return "application/json";
        }

        @Override
        public String body(List<Item> batch) {
            Map<StreamLabels, ArrayNode> streams = new LinkedHashMap<>();
            for (Item i : batch) {
                ArrayNode values = streams.computeIfAbsent(i.labels(), k -> JSON.createArrayNode());
                values.addArray().add(Long.toString(i.entry().epochNanos())).add(i.entry().line());
            }
            ObjectNode root = JSON.createObjectNode();
            ArrayNode out = root.putArray("streams");
            streams.forEach((labels, values) -> {
                ObjectNode s = out.addObject();
                ObjectNode l = s.putObject("stream");
                // pod labels first, so the stream's identity (below) wins a clash with a pod label of the same name
                labels.labels().forEach((k, v) -> l.put(lokiName(k), v));
                l.put("namespace", labels.namespace());
                l.put("pod", labels.pod());
                l.put("container", labels.container());
                l.put("node", labels.node());
                s.set("values", values);
            });
            return JSON.writeValueAsString(root);
        }

        /** Loki label names are {@code [a-zA-Z_][a-zA-Z0-9_]*}: {@code app.kubernetes.io/name} → {@code app_kubernetes_io_name}. */
        static String lokiName(String k) {
            String s = k.replaceAll("[^a-zA-Z0-9_]", "_");
            return Character.isDigit(s.charAt(0)) ? "_" + s : s;
        }
    }

    /** Elasticsearch's (and OpenSearch's) {@code _bulk} API: an {@code index} action and a document per line. */
    final class Elasticsearch implements ForwardFormat {
        private static final JsonMapper JSON = JsonMapper.builder().build();
        private final String index;

        public Elasticsearch(String index) {
            this.index = index;
        }

        @Override
        public String contentType() {
            return "application/x-ndjson";
        }

        @Override
        public String body(List<Item> batch) {
            StringBuilder b = new StringBuilder();
            String action = JSON.writeValueAsString(Map.of("index", Map.of("_index", index)));
            for (Item i : batch) {
                ObjectNode doc = JSON.createObjectNode();
                doc.put("@timestamp", i.entry().timestamp().toString());
                doc.put("namespace", i.labels().namespace());
                doc.put("pod", i.labels().pod());
                doc.put("container", i.labels().container());
                doc.put("node", i.labels().node());
                ObjectNode labels = doc.putObject("labels");
                i.labels().labels().forEach(labels::put);
                doc.put("message", i.entry().line());
                b.append(action).append('\n').append(JSON.writeValueAsString(doc)).append('\n');
            }
            return b.toString();
        }
    }
}
