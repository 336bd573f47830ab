package io.kube4j.api.codec;

import io.fabric8.kubernetes.api.model.HasMetadata;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

import java.util.ArrayList;
import java.util.List;

/**
 * The JSON and YAML codecs for API objects. Jackson 3, as fabric8's kubernetes-model 8 requires
 * (a Jackson 2 mapper mangles IntOrString and Quantity).
 */
public final class Codecs {

    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
            .enable(YAMLWriteFeature.MINIMIZE_QUOTES)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private Codecs() {
    }

    public static JsonMapper json() {
        return JSON;
    }

    public static YAMLMapper yaml() {
        return YAML;
    }

    public static byte[] toJson(Object value) {
        return JSON.writeValueAsBytes(value);
    }

    public static <T> T fromJson(byte[] json, Class<T> type) {
        return JSON.readValue(json, type);
    }

    public static String toYaml(Object value) {
        return YAML.writeValueAsString(JSON.valueToTree(value));
    }

    /** Reads every document of a (possibly multi-document) YAML or JSON stream as trees. */
    public static List<JsonNode> readYamlDocuments(String yaml) throws JacksonException {
        List<JsonNode> out = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
            while (it.hasNextValue()) {
                JsonNode n = it.nextValue();
                if (n != null && !n.isNull() && !n.isMissingNode()) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    public static <T extends HasMetadata> T convert(JsonNode tree, Class<T> type) {
        return JSON.treeToValue(tree, type);
    }
}
