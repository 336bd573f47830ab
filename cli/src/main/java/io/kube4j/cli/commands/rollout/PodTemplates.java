package io.kube4j.cli.commands.rollout;

import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A pod template as kubectl's {@code DescribePodTemplate} prints it for {@code rollout history --revision=N}
 * (labels, annotations, containers with image, ports, command, environment and mounts, volumes, node selectors,
 * tolerations), with the tabs kubectl leaves in that output.
 */
final class PodTemplates {

    /** kubectl's describe shortens longer annotation values. */
    static final int MAX_ANNOTATION = 140;

    private PodTemplates() {
    }

    static String describe(JsonNode template) {
        return describe(template, "");
    }

    /** {@code changeCause} (non-empty) is shown among the annotations, as kubectl's history viewer adds it. */
    static String describe(JsonNode template, String changeCause) {
        StringBuilder w = new StringBuilder("Pod Template:\n");
        JsonNode meta = template.path("metadata");
        JsonNode spec = template.path("spec");
        multiline(w, "  Labels", meta.path("labels"), "=");
        JsonNode annotations = meta.path("annotations");
        if (!changeCause.isEmpty()) {
            annotations = annotations.isObject() ? annotations.deepCopy()
                    : io.kube4j.api.codec.Codecs.json().createObjectNode();
            ((tools.jackson.databind.node.ObjectNode) annotations).put(Workloads.CHANGE_CAUSE, changeCause);
        }
        if (annotations.size() > 0) {
            multiline(w, "  Annotations", annotations, ": ");
        }
        String sa = spec.path("serviceAccountName").asString("");
        if (!sa.isEmpty()) {
            w.append("  Service Account:\t").append(sa).append('\n');
        }
        if (spec.path("initContainers").size() > 0) {
            containers(w, "Init Containers", spec.path("initContainers"));
        }
        containers(w, "Containers", spec.path("containers"));
        JsonNode volumes = spec.path("volumes");
        if (volumes.size() == 0) {
            w.append("  Volumes:\t<none>\n");
        } else {
            w.append("  Volumes:\n");
            for (JsonNode v : volumes) {
                w.append("   ").append(v.path("name").asString()).append(":\n");
                v.properties().stream().filter(e -> !e.getKey().equals("name")).findFirst().ifPresent(e ->
                        w.append("    Type:\t").append(volumeType(e.getKey())).append('\n'));
            }
        }
        String nodeSelector = pairs(spec.path("nodeSelector"), ",");
        w.append("  Node-Selectors:\t").append(nodeSelector.isEmpty() ? "<none>" : nodeSelector).append('\n');
        List<String> tolerations = new ArrayList<>();
        for (JsonNode t : spec.path("tolerations")) {
            StringBuilder s = new StringBuilder(t.path("key").asString(""));
            if (!t.path("value").asString("").isEmpty()) {
                s.append('=').append(t.path("value").asString());
            }
            if (!t.path("effect").asString("").isEmpty()) {
                s.append(':').append(t.path("effect").asString());
            }
            if (t.path("operator").asString("").equals("Exists") && t.path("key").asString("").isEmpty()) {
                s.append(" op=Exists");
            }
            tolerations.add(s.toString());
        }
        w.append("  Tolerations:\t").append(tolerations.isEmpty() ? "<none>" : String.join("\n\t", tolerations))
                .append('\n');
        return w.toString();
    }

    private static String volumeType(String key) {
        return switch (key) {
            case "emptyDir" -> "EmptyDir (a temporary directory that shares a pod's lifetime)";
            case "configMap" -> "ConfigMap (a volume populated by a ConfigMap)";
            case "secret" -> "Secret (a volume populated by a Secret)";
            case "hostPath" -> "HostPath (bare host directory volume)";
            case "persistentVolumeClaim" -> "PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the "
                    + "same namespace)";
            default -> key;
        };
    }

    private static void containers(StringBuilder w, String title, JsonNode containers) {
        w.append("  ").append(title).append(":\n");
        for (JsonNode c : containers) {
            w.append("   ").append(c.path("name").asString()).append(":\n");
            w.append("    Image:\t").append(c.path("image").asString("")).append('\n');
            List<String> ports = new ArrayList<>();
            List<String> hostPorts = new ArrayList<>();
            for (JsonNode p : c.path("ports")) {
                String proto = p.path("protocol").asString("TCP");
                ports.add(p.path("containerPort").asInt() + "/" + proto);
                hostPorts.add(p.path("hostPort").asInt(0) + "/" + proto);
            }
            w.append("    Port:\t").append(ports.isEmpty() ? "<none>" : String.join(", ", ports)).append('\n');
            w.append("    Host Port:\t").append(hostPorts.isEmpty() ? "<none>" : String.join(", ", hostPorts))
                    .append('\n');
            list(w, "Command", c.path("command"));
            list(w, "Args", c.path("args"));
            JsonNode env = c.path("env");
            if (env.size() == 0) {
                w.append("    Environment:\t<none>\n");
            } else {
                w.append("    Environment:\n");
                for (JsonNode e : env) {
                    w.append("      ").append(e.path("name").asString()).append(":\t")
                            .append(e.has("value") ? e.path("value").asString("") : "<set to a reference>")
                            .append('\n');
                }
            }
            JsonNode mounts = c.path("volumeMounts");
            if (mounts.size() == 0) {
                w.append("    Mounts:\t<none>\n");
            } else {
                w.append("    Mounts:\n");
                for (JsonNode m : mounts) {
                    w.append("      ").append(m.path("mountPath").asString()).append(" from ")
                            .append(m.path("name").asString()).append(" (")
                            .append(m.path("readOnly").asBoolean(false) ? "ro" : "rw").append(")\n");
                }
            }
        }
    }

    private static void list(StringBuilder w, String title, JsonNode items) {
        if (items.size() == 0) {
            return;
        }
        w.append("    ").append(title).append(":\n");
        for (JsonNode i : items) {
            w.append("      ").append(i.asString()).append('\n');
        }
    }

    /** {@code  Labels:\tapp=web\n\tpod-template-hash=x}, sorted, {@code <none>} when empty. */
    private static void multiline(StringBuilder w, String title, JsonNode map, String separator) {
        w.append(title).append(":\t");
        if (map.size() == 0) {
            w.append("<none>\n");
            return;
        }
        Map<String, String> sorted = new TreeMap<>();
        map.properties().forEach(e -> sorted.put(e.getKey(), e.getValue().asString("")));
        sorted.remove("kubectl.kubernetes.io/last-applied-configuration");
        if (sorted.isEmpty()) {
            w.append("<none>\n");
            return;
        }
        boolean first = true;
        for (Map.Entry<String, String> e : sorted.entrySet()) {
            if (!first) {
                w.append('\t');
            }
            String v = e.getValue();
            if (separator.equals(": ") && v.length() > MAX_ANNOTATION) {
                v = v.substring(0, MAX_ANNOTATION) + "...";
            }
            w.append(e.getKey()).append(separator).append(v).append('\n');
            first = false;
        }
    }

    private static String pairs(JsonNode map, String sep) {
        Map<String, String> sorted = new TreeMap<>();
        map.properties().forEach(e -> sorted.put(e.getKey(), e.getValue().asString("")));
        List<String> out = new ArrayList<>();
        sorted.forEach((k, v) -> out.add(k + "=" + v));
        return String.join(sep, out);
    }
}
