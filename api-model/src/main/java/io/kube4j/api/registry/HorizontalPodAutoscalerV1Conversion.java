package io.kube4j.api.registry;

import io.kube4j.api.codec.Codecs;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * autoscaling/v2 (stored) ↔ autoscaling/v1 HorizontalPodAutoscalers, as Kubernetes' pkg/apis/autoscaling/v1
 * conversion: v1's {@code targetCPUUtilizationPercentage} is the v2 cpu Resource metric with a Utilization target
 * and {@code currentCPUUtilizationPercentage} its current average utilization; every other metric, current metric,
 * the conditions and the behavior, which v1 cannot express, ride in the v1 object's annotations
 * {@value #METRICS}, {@value #CURRENT_METRICS}, {@value #CONDITIONS} and {@value #BEHAVIOR}, and come back from them
 * on the way in, so that a v1 client's read-modify-write keeps what v2 clients set.
 * <p>
 * Unlike Kubernetes, whose annotations hold the metrics in v1's alpha (v2beta1-shaped) MetricSpec, the annotations
 * here hold them in the v2 shape: the values round-trip the same, only a tool decoding the annotation itself sees
 * the difference.
 */
public final class HorizontalPodAutoscalerV1Conversion implements VersionConverter {

    public static final String METRICS = "autoscaling.alpha.kubernetes.io/metrics";
    public static final String CURRENT_METRICS = "autoscaling.alpha.kubernetes.io/current-metrics";
    public static final String CONDITIONS = "autoscaling.alpha.kubernetes.io/conditions";
    public static final String BEHAVIOR = "autoscaling.alpha.kubernetes.io/behavior";

    private static final List<String> ANNOTATIONS = List.of(METRICS, CURRENT_METRICS, CONDITIONS, BEHAVIOR);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @Override
    public ObjectNode toServed(ObjectNode v2) {
        ObjectNode out = v2.deepCopy();
        out.put("apiVersion", "autoscaling/v1");
        ObjectNode annotations = NODES.objectNode();
        if (v2.path("metadata").path("annotations").isObject()) {
            annotations.setAll((ObjectNode) v2.path("metadata").path("annotations"));
        }
        ANNOTATIONS.forEach(annotations::remove);

        JsonNode spec = v2.path("spec");
        if (spec.isObject()) {
            ObjectNode s = NODES.objectNode();
            copy(spec, s, "scaleTargetRef");
            copy(spec, s, "minReplicas");
            copy(spec, s, "maxReplicas");
            ArrayNode others = NODES.arrayNode();
            for (JsonNode m : spec.path("metrics")) {
                JsonNode utilization = m.path("resource").path("target").path("averageUtilization");
                if (isCpu(m) && utilization.isNumber()) {
                    if (!s.has("targetCPUUtilizationPercentage")) {
                        s.put("targetCPUUtilizationPercentage", utilization.asInt());
                    }
                    continue;
                }
                others.add(m);
            }
            if (!others.isEmpty()) {
                annotations.put(METRICS, Codecs.json().writeValueAsString(others));
            }
            if (spec.path("behavior").isObject()) {
                annotations.put(BEHAVIOR, Codecs.json().writeValueAsString(spec.get("behavior")));
            }
            out.set("spec", s);
        }

        JsonNode status = v2.path("status");
        if (status.isObject()) {
            ObjectNode s = NODES.objectNode();
            copy(status, s, "observedGeneration");
            copy(status, s, "lastScaleTime");
            copy(status, s, "currentReplicas");
            copy(status, s, "desiredReplicas");
            ArrayNode others = NODES.arrayNode();
            for (JsonNode m : status.path("currentMetrics")) {
                JsonNode utilization = m.path("resource").path("current").path("averageUtilization");
                if (isCpu(m) && utilization.isNumber()) {
                    if (!s.has("currentCPUUtilizationPercentage")) {
                        s.put("currentCPUUtilizationPercentage", utilization.asInt());
                    }
                    continue;
                }
                others.add(m);
            }
            if (!others.isEmpty()) {
                annotations.put(CURRENT_METRICS, Codecs.json().writeValueAsString(others));
            }
            if (status.path("conditions").isArray() && !status.get("conditions").isEmpty()) {
                annotations.put(CONDITIONS, Codecs.json().writeValueAsString(status.get("conditions")));
            }
            out.set("status", s);
        }
        setAnnotations(out, annotations);
        return out;
    }

    @Override
    public ObjectNode toStorage(ObjectNode v1) {
        ObjectNode out = v1.deepCopy();
        out.put("apiVersion", "autoscaling/v2");
        JsonNode given = v1.path("metadata").path("annotations");
        ObjectNode annotations = NODES.objectNode();
        if (given.isObject()) {
            annotations.setAll((ObjectNode) given);
        }
        ANNOTATIONS.forEach(annotations::remove);

        JsonNode spec = v1.path("spec");
        if (spec.isObject()) {
            ObjectNode s = NODES.objectNode();
            copy(spec, s, "scaleTargetRef");
            copy(spec, s, "minReplicas");
            copy(spec, s, "maxReplicas");
            ArrayNode metrics = NODES.arrayNode();
            annotationArray(given, METRICS).forEach(metrics::add);
            JsonNode cpu = spec.path("targetCPUUtilizationPercentage");
            if (!cpu.isMissingNode() && !cpu.isNull()) {
                ObjectNode m = metrics.addObject().put("type", "Resource");
                m.putObject("resource").put("name", "cpu").putObject("target")
                        .put("type", "Utilization").set("averageUtilization", cpu);
            }
            if (!metrics.isEmpty()) {
                s.set("metrics", metrics);
            }
            JsonNode behavior = annotation(given, BEHAVIOR);
            if (behavior.isObject()) {
                s.set("behavior", behavior);
            }
            out.set("spec", s);
        }

        JsonNode status = v1.path("status");
        if (status.isObject()) {
            ObjectNode s = NODES.objectNode();
            copy(status, s, "observedGeneration");
            copy(status, s, "lastScaleTime");
            copy(status, s, "currentReplicas");
            copy(status, s, "desiredReplicas");
            ArrayNode current = NODES.arrayNode();
            annotationArray(given, CURRENT_METRICS).forEach(current::add);
            JsonNode cpu = status.path("currentCPUUtilizationPercentage");
            if (!cpu.isMissingNode() && !cpu.isNull()) {
                ObjectNode m = current.addObject().put("type", "Resource");
                m.putObject("resource").put("name", "cpu").putObject("current").set("averageUtilization", cpu);
            }
            if (!current.isEmpty()) {
                s.set("currentMetrics", current);
            }
            ArrayNode conditions = annotationArray(given, CONDITIONS);
            if (!conditions.isEmpty()) {
                s.set("conditions", conditions);
            }
            out.set("status", s);
        }
        setAnnotations(out, annotations);
        return out;
    }

    private static boolean isCpu(JsonNode metric) {
        return "Resource".equals(metric.path("type").asString("")) && "cpu".equals(metric.path("resource").path("name").asString(""));
    }

    private static void copy(JsonNode from, ObjectNode to, String field) {
        if (from.has(field)) {
            to.set(field, from.get(field));
        }
    }

    /** The annotation's JSON; missing when absent or not JSON (Kubernetes ignores a malformed one too). */
    private static JsonNode annotation(JsonNode annotations, String name) {
        JsonNode value = annotations.path(name);
        if (!value.isString()) {
            return tools.jackson.databind.node.MissingNode.getInstance();
        }
        try {
            return Codecs.json().readTree(value.asString());
        } catch (JacksonException e) {
            return tools.jackson.databind.node.MissingNode.getInstance();
        }
    }

    private static ArrayNode annotationArray(JsonNode annotations, String name) {
        JsonNode value = annotation(annotations, name);
        ArrayNode out = NODES.arrayNode();
        if (value.isArray()) {
            value.forEach(v -> {
                if (v.isObject()) {
                    out.add(v);
                }
            });
        }
        return out;
    }

    private static void setAnnotations(ObjectNode object, ObjectNode annotations) {
        if (!object.path("metadata").isObject()) {
            if (annotations.isEmpty()) {
                return;
            }
            object.putObject("metadata");
        }
        ObjectNode metadata = (ObjectNode) object.get("metadata");
        if (annotations.isEmpty()) {
            metadata.remove("annotations");
        } else {
            metadata.set("annotations", annotations);
        }
    }
}
