package io.kube4j.cli.commands.pods;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.api.ApiResource;
import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.UsageException;
import tools.jackson.databind.JsonNode;

import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * How kubectl's pod commands find their pod and container: {@code POD} or {@code TYPE/NAME} (a Deployment, ReplicaSet,
 * Service, ... stands for one of the pods its selector matches: "Found 3 pods, using pod/x"), pods by label selector,
 * and the default container (annotation {@code kubectl.kubernetes.io/default-container}, else the first, with the
 * "Defaulted container" note when there are several).
 */
final class PodTargets {

    static final String DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private PodTargets() {
    }

    /** The pod {@code arg} names ({@code x}, {@code pod/x}, {@code deploy/web}, ...) in {@code namespace}. */
    static Pod resolve(Invocation inv, String arg, String namespace) {
        int slash = arg.indexOf('/');
        if (slash < 0) {
            return getPod(inv, namespace, arg);
        }
        if (slash == 0 || slash == arg.length() - 1) {
            throw new UsageException("arguments in resource/name form must have a single resource and name");
        }
        ApiResource type = inv.discovery().resolve(arg.substring(0, slash));
        String name = arg.substring(slash + 1);
        if (type.group().isEmpty() && type.plural().equals("pods")) {
            return getPod(inv, namespace, name);
        }
        JsonNode obj = getJson(inv, type.objectPath(namespace, name));
        String selector = selectorOf(obj.path("spec").path("selector"));
        if (selector == null || selector.isEmpty()) {
            throw new CliException("cannot attach to " + type.qualifiedKind() + "/" + name + ": it selects no pods");
        }
        List<Pod> pods = list(inv, namespace, selector);
        if (pods.isEmpty()) {
            throw new CliException("timed out waiting for the condition");
        }
        pods.sort(BY_ACTIVITY);
        if (pods.size() > 1) {
            inv.err().println("Found " + pods.size() + " pods, using pod/" + pods.get(0).getMetadata().getName());
        }
        return pods.get(0);
    }

    static Pod getPod(Invocation inv, String namespace, String name) {
        return Codecs.convert(getJson(inv, "/api/v1/namespaces/" + namespace + "/pods/" + name), Pod.class);
    }

    private static JsonNode getJson(Invocation inv, String path) {
        return Codecs.json().readTree(inv.client().raw().get(path).block(TIMEOUT));
    }

    /** The pods of {@code namespace} matching the label selector. */
    static List<Pod> list(Invocation inv, String namespace, String selector) {
        JsonNode l = getJson(inv, "/api/v1/namespaces/" + namespace + "/pods?labelSelector=" + encode(selector));
        List<Pod> pods = new ArrayList<>();
        for (JsonNode item : l.path("items")) {
            pods.add(Codecs.convert(item, Pod.class));
        }
        return pods;
    }

    /** A workload's selector as a label-selector string: {@code matchLabels}/{@code matchExpressions}, or a plain map. */
    static String selectorOf(JsonNode sel) {
        if (sel == null || !sel.isObject()) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        if (sel.has("matchLabels") || sel.has("matchExpressions")) {
            for (Map.Entry<String, JsonNode> e : sel.path("matchLabels").properties()) {
                parts.add(e.getKey() + "=" + e.getValue().asString());
            }
            for (JsonNode ex : sel.path("matchExpressions")) {
                String key = ex.path("key").asString();
                List<String> values = new ArrayList<>();
                ex.path("values").forEach(v -> values.add(v.asString()));
                switch (ex.path("operator").asString()) {
                    case "In" -> parts.add(key + " in (" + String.join(",", values) + ")");
                    case "NotIn" -> parts.add(key + " notin (" + String.join(",", values) + ")");
                    case "Exists" -> parts.add(key);
                    case "DoesNotExist" -> parts.add("!" + key);
                    default -> throw new CliException("unsupported selector operator " + ex.path("operator"));
                }
            }
        } else {
            for (Map.Entry<String, JsonNode> e : sel.properties()) {
                parts.add(e.getKey() + "=" + e.getValue().asString());
            }
        }
        return String.join(",", parts);
    }

    /** kubectl's preference among a workload's pods: assigned, running, ready, then the oldest. */
    static final Comparator<Pod> BY_ACTIVITY = Comparator
            .comparing((Pod p) -> p.getSpec() == null || p.getSpec().getNodeName() == null
                    || p.getSpec().getNodeName().isEmpty())
            .thenComparing(p -> -phaseRank(p))
            .thenComparing(p -> !ready(p))
            .thenComparing(p -> p.getMetadata().getCreationTimestamp() == null ? ""
                    : p.getMetadata().getCreationTimestamp());

    private static int phaseRank(Pod p) {
        String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
        return phase == null ? 0 : switch (phase) {
            case "Running" -> 3;
            case "Unknown" -> 2;
            case "Pending" -> 1;
            default -> 0;
        };
    }

    static boolean ready(Pod p) {
        if (p.getStatus() == null || p.getStatus().getConditions() == null) {
            return false;
        }
        for (PodCondition c : p.getStatus().getConditions()) {
            if ("Ready".equals(c.getType())) {
                return "True".equals(c.getStatus());
            }
        }
        return false;
    }

    /**
     * The container to use: {@code requested} if given (it must exist), else the default one; prints kubectl's
     * "Defaulted container" note to {@code err} when the pod has several.
     */
    static String container(Pod pod, String requested, PrintStream err) {
        List<String> all = new ArrayList<>();
        pod.getSpec().getContainers().forEach(c -> all.add(c.getName()));
        if (requested != null && !requested.isEmpty()) {
            return requested;
        }
        Map<String, String> ann = pod.getMetadata().getAnnotations();
        String byAnnotation = ann == null ? null : ann.get(DEFAULT_CONTAINER_ANNOTATION);
        if (byAnnotation != null && all.contains(byAnnotation)) {
            return byAnnotation;
        }
        if (all.isEmpty()) {
            throw new CliException("pod " + pod.getMetadata().getName() + " has no containers");
        }
        String first = all.get(0);
        if (all.size() > 1 && err != null) {
            err.println("Defaulted container \"" + first + "\" out of: " + allContainerNames(pod));
        }
        return first;
    }

    /** {@code app, web, dbg (ephem), setup (init)}: how kubectl lists a pod's containers. */
    static String allContainerNames(Pod pod) {
        List<String> names = new ArrayList<>();
        for (Container c : pod.getSpec().getContainers()) {
            names.add(c.getName());
        }
        if (pod.getSpec().getEphemeralContainers() != null) {
            for (EphemeralContainer c : pod.getSpec().getEphemeralContainers()) {
                names.add(c.getName() + " (ephem)");
            }
        }
        if (pod.getSpec().getInitContainers() != null) {
            for (Container c : pod.getSpec().getInitContainers()) {
                names.add(c.getName() + " (init)");
            }
        }
        return String.join(", ", names);
    }

    /** kubectl refuses to exec into or attach to a finished pod. */
    static void requireRunning(Pod pod, String verb) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            throw new CliException("cannot " + verb + " a container in a completed pod; current phase is " + phase);
        }
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
