package io.kube4j.cli.commands.describe;

import io.kube4j.api.printing.Ages;
import io.kube4j.cli.output.TabWriter;
import tools.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.kube4j.cli.api.Trees.at;
import static io.kube4j.cli.api.Trees.controlledBy;
import static io.kube4j.cli.api.Trees.formatLabels;
import static io.kube4j.cli.api.Trees.formatSelector;
import static io.kube4j.cli.api.Trees.list;
import static io.kube4j.cli.api.Trees.map;
import static io.kube4j.cli.api.Trees.or;
import static io.kube4j.cli.api.Trees.rfc1123;
import static io.kube4j.cli.api.Trees.strings;
import static io.kube4j.cli.api.Trees.text;

/**
 * kubectl's describers ({@code pkg/describe/describe.go}) over objects held as Jackson trees: the same sections,
 * labels, indentation and tab alignment, so {@code k4j describe} reads like {@code kubectl describe}. Pure
 * formatting: the command fetches the object and what goes with it (events, ReplicaSets, pods) and passes them in.
 * A null events list means "do not show events" ({@code --show-events=false}).
 */
public final class Describers {

    private static final int MAX_ANNOTATION_LEN = 140;

    private final Instant now;

    public Describers(Instant now) {
        this.now = now;
    }

    // ---------------------------------------------------------------------------------------------------------- pod

    public String pod(JsonNode pod, List<JsonNode> events) {
        TabWriter w = new TabWriter();
        w.write("Name:\t" + text(pod, "metadata.name") + "\n");
        w.write("Namespace:\t" + text(pod, "metadata.namespace") + "\n");
        if (!at(pod, "spec.priority").isMissingNode()) {
            w.write("Priority:\t" + text(pod, "spec.priority") + "\n");
        }
        line(w, 0, "Priority Class Name", text(pod, "spec.priorityClassName"));
        line(w, 0, "Runtime Class Name", text(pod, "spec.runtimeClassName"));
        line(w, 0, "Service Account", text(pod, "spec.serviceAccountName"));
        String node = text(pod, "spec.nodeName");
        w.write("Node:\t" + (node.isEmpty() ? "<none>" : node + "/" + text(pod, "status.hostIP")) + "\n");
        line(w, 0, "Start Time", rfc1123(text(pod, "status.startTime")));
        labels(w, "", "Labels", map(pod, "metadata.labels"));
        annotations(w, "Annotations", map(pod, "metadata.annotations"));
        String phase = text(pod, "status.phase");
        if (!text(pod, "metadata.deletionTimestamp").isEmpty() && !phase.equals("Failed") && !phase.equals("Succeeded")) {
            w.write("Status:\tTerminating (lasts " + Ages.since(text(pod, "metadata.deletionTimestamp"), now) + ")\n");
            w.write("Termination Grace Period:\t" + text(pod, "metadata.deletionGracePeriodSeconds") + "s\n");
        } else {
            w.write("Status:\t" + phase + "\n");
        }
        line(w, 0, "Reason", text(pod, "status.reason"));
        line(w, 0, "Message", text(pod, "status.message"));
        w.write("IP:\t" + text(pod, "status.podIP") + "\n");
        List<JsonNode> ips = list(pod, "status.podIPs");
        if (ips.isEmpty()) {
            w.write("IPs:\t<none>\n");
        } else {
            w.write("IPs:\n");
            ips.forEach(ip -> w.level(1, "IP:\t" + text(ip, "ip") + "\n"));
        }
        line(w, 0, "Controlled By", controlledBy(pod));
        line(w, 0, "NominatedNodeName", text(pod, "status.nominatedNodeName"));
        if (!list(pod, "spec.initContainers").isEmpty()) {
            containers(w, "Init Containers", list(pod, "spec.initContainers"),
                    list(pod, "status.initContainerStatuses"), "");
        }
        containers(w, "Containers", list(pod, "spec.containers"), list(pod, "status.containerStatuses"), "");
        List<JsonNode> conditions = list(pod, "status.conditions");
        if (!conditions.isEmpty()) {
            w.write("Conditions:\n  Type\tStatus\n");
            conditions.forEach(c -> w.level(1, text(c, "type") + " \t" + text(c, "status") + " \n"));
        }
        volumes(w, list(pod, "spec.volumes"), "");
        w.write("QoS Class:\t" + qosClass(pod) + "\n");
        labels(w, "", "Node-Selectors", map(pod, "spec.nodeSelector"));
        tolerations(w, "", "Tolerations", list(pod, "spec.tolerations"));
        events(w, events);
        return w.render();
    }

    /** kubectl's QoS class: the status's, else computed from the containers' requests and limits. */
    static String qosClass(JsonNode pod) {
        String s = text(pod, "status.qosClass");
        if (!s.isEmpty()) {
            return s;
        }
        boolean any = false;
        boolean guaranteed = true;
        List<JsonNode> all = new ArrayList<>(list(pod, "spec.containers"));
        all.addAll(list(pod, "spec.initContainers"));
        for (JsonNode c : all) {
            Map<String, String> req = map(c, "resources.requests");
            Map<String, String> lim = map(c, "resources.limits");
            if (!req.isEmpty() || !lim.isEmpty()) {
                any = true;
            }
            for (String r : List.of("cpu", "memory")) {
                String l = lim.get(r);
                String q = req.getOrDefault(r, l);
                if (l == null || !Quantities.parse(l).equals(Quantities.parse(q))) {
                    guaranteed = false;
                }
            }
        }
        return !any ? "BestEffort" : guaranteed ? "Guaranteed" : "Burstable";
    }

    private void containers(TabWriter w, String label, List<JsonNode> containers, List<JsonNode> statuses,
                            String space) {
        w.write(space + label + ":" + (containers.isEmpty() ? " <none>" : "") + "\n");
        Map<String, JsonNode> byName = new TreeMap<>();
        statuses.forEach(s -> byName.put(text(s, "name"), s));
        for (JsonNode c : containers) {
            JsonNode st = byName.get(text(c, "name"));
            w.level(1, (space.isEmpty() ? "" : " ") + text(c, "name") + ":\n");
            if (st != null) {
                w.level(2, "Container ID:\t" + text(st, "containerID") + "\n");
            }
            w.level(2, "Image:\t" + text(c, "image") + "\n");
            if (st != null) {
                w.level(2, "Image ID:\t" + text(st, "imageID") + "\n");
            }
            List<String> ports = new ArrayList<>();
            List<String> hostPorts = new ArrayList<>();
            for (JsonNode p : list(c, "ports")) {
                String proto = or(text(p, "protocol"), "TCP");
                // kubectl 1.32 prints no port names (later versions add " (name)")
                ports.add(or(text(p, "containerPort"), "0") + "/" + proto);
                hostPorts.add(or(text(p, "hostPort"), "0") + "/" + proto);
            }
            w.level(2, (ports.size() > 1 ? "Ports:\t" : "Port:\t") + or(String.join(", ", ports), "<none>") + "\n");
            w.level(2, (hostPorts.size() > 1 ? "Host Ports:\t" : "Host Port:\t")
                    + or(String.join(", ", hostPorts), "<none>") + "\n");
            multiline(w, "Command", strings(c, "command"));
            multiline(w, "Args", strings(c, "args"));
            if (st != null) {
                state(w, "State", st.path("state"));
                if (!st.path("lastState").path("terminated").isMissingNode()) {
                    state(w, "Last State", st.path("lastState"));
                }
                w.level(2, "Ready:\t" + (st.path("ready").asBoolean(false) ? "True" : "False") + "\n");
                w.level(2, "Restart Count:\t" + or(text(st, "restartCount"), "0") + "\n");
            }
            resources(w, "Limits", map(c, "resources.limits"));
            resources(w, "Requests", map(c, "resources.requests"));
            probe(w, "Liveness", c.path("livenessProbe"));
            probe(w, "Readiness", c.path("readinessProbe"));
            probe(w, "Startup", c.path("startupProbe"));
            List<JsonNode> envFrom = list(c, "envFrom");
            if (!envFrom.isEmpty()) {
                w.level(2, "Environment Variables from:\n");
                for (JsonNode f : envFrom) {
                    boolean cm = !f.path("configMapRef").isMissingNode();
                    JsonNode ref = cm ? f.path("configMapRef") : f.path("secretRef");
                    String prefix = text(f, "prefix").isEmpty() ? "" : " with prefix '" + text(f, "prefix") + "'";
                    w.level(3, text(ref, "name") + "\t" + (cm ? "ConfigMap" : "Secret") + prefix
                            + "\tOptional: " + ref.path("optional").asBoolean(false) + "\n");
                }
            }
            List<JsonNode> env = list(c, "env");
            w.level(2, "Environment:" + (env.isEmpty() ? "\t<none>" : "") + "\n");
            for (JsonNode e : env) {
                String name = text(e, "name");
                JsonNode from = e.path("valueFrom");
                if (from.isMissingNode()) {
                    String[] vs = text(e, "value").split("\n", -1);
                    w.level(3, name + ":\t" + vs[0] + "\n");
                    for (int i = 1; i < vs.length; i++) {
                        w.level(3, "\t" + vs[i] + "\n");
                    }
                } else if (!from.path("fieldRef").isMissingNode()) {
                    w.level(3, name + ":\t (" + text(from, "fieldRef.apiVersion") + ":"
                            + text(from, "fieldRef.fieldPath") + ")\n");
                } else if (!from.path("resourceFieldRef").isMissingNode()) {
                    w.level(3, name + ":\t (" + text(from, "resourceFieldRef.resource") + ")\n");
                } else if (!from.path("secretKeyRef").isMissingNode()) {
                    w.level(3, name + ":\t<set to the key '" + text(from, "secretKeyRef.key") + "' in secret '"
                            + text(from, "secretKeyRef.name") + "'>\tOptional: "
                            + from.path("secretKeyRef").path("optional").asBoolean(false) + "\n");
                } else if (!from.path("configMapKeyRef").isMissingNode()) {
                    w.level(3, name + ":\t<set to the key '" + text(from, "configMapKeyRef.key") + "' of config map '"
                            + text(from, "configMapKeyRef.name") + "'>\tOptional: "
                            + from.path("configMapKeyRef").path("optional").asBoolean(false) + "\n");
                }
            }
            List<JsonNode> mounts = new ArrayList<>(list(c, "volumeMounts"));
            w.level(2, "Mounts:" + (mounts.isEmpty() ? "\t<none>" : "") + "\n");
            mounts.sort(Comparator.comparing(m -> text(m, "mountPath")));
            for (JsonNode m : mounts) {
                String flags = m.path("readOnly").asBoolean(false) ? "ro" : "rw";
                if (!text(m, "subPath").isEmpty()) {
                    flags += ",path=\"" + text(m, "subPath") + "\"";
                }
                w.level(3, text(m, "mountPath") + " from " + text(m, "name") + " (" + flags + ")\n");
            }
        }
    }

    private static void multiline(TabWriter w, String label, List<String> values) {
        if (!values.isEmpty()) {
            w.level(2, label + ":\n");
            values.forEach(v -> {
                for (String s : v.split("\n", -1)) {
                    w.level(3, s + "\n");
                }
            });
        }
    }

    private static void state(TabWriter w, String name, JsonNode state) {
        if (!state.path("running").isMissingNode()) {
            w.level(2, name + ":\tRunning\n");
            w.level(3, "Started:\t" + rfc1123(text(state, "running.startedAt")) + "\n");
        } else if (!state.path("terminated").isMissingNode()) {
            JsonNode t = state.path("terminated");
            w.level(2, name + ":\tTerminated\n");
            line(w, 3, "Reason", text(t, "reason"));
            line(w, 3, "Message", text(t, "message"));
            w.level(3, "Exit Code:\t" + or(text(t, "exitCode"), "0") + "\n");
            if (t.path("signal").asInt(0) > 0) {
                w.level(3, "Signal:\t" + text(t, "signal") + "\n");
            }
            w.level(3, "Started:\t" + rfc1123(text(t, "startedAt")) + "\n");
            w.level(3, "Finished:\t" + rfc1123(text(t, "finishedAt")) + "\n");
        } else {
            w.level(2, name + ":\tWaiting\n");
            line(w, 3, "Reason", text(state, "waiting.reason"));
        }
    }

    private static void resources(TabWriter w, String label, Map<String, String> values) {
        if (!values.isEmpty()) {
            w.level(2, label + ":\n");
            values.forEach((k, v) -> w.level(3, k + ":\t" + v + "\n"));
        }
    }

    private static void probe(TabWriter w, String label, JsonNode p) {
        if (p.isMissingNode() || p.isNull()) {
            return;
        }
        String attrs = "delay=" + p.path("initialDelaySeconds").asInt(0) + "s timeout="
                + p.path("timeoutSeconds").asInt(1) + "s period=" + p.path("periodSeconds").asInt(10) + "s #success="
                + p.path("successThreshold").asInt(1) + " #failure=" + p.path("failureThreshold").asInt(3);
        String what;
        if (!p.path("exec").isMissingNode()) {
            what = "exec " + strings(p, "exec.command");
        } else if (!p.path("httpGet").isMissingNode()) {
            JsonNode h = p.path("httpGet");
            String host = text(h, "host");
            what = "http-get " + or(text(h, "scheme"), "HTTP").toLowerCase() + "://" + host + ":" + text(h, "port")
                    + text(h, "path");
        } else if (!p.path("tcpSocket").isMissingNode()) {
            what = "tcp-socket " + text(p, "tcpSocket.host") + ":" + text(p, "tcpSocket.port");
        } else if (!p.path("grpc").isMissingNode()) {
            what = "grpc <pod>:" + text(p, "grpc.port") + " " + text(p, "grpc.service");
        } else {
            what = "unknown";
        }
        w.level(2, label + ":\t" + what + " " + attrs + "\n");
    }

    private static void volumes(TabWriter w, List<JsonNode> volumes, String space) {
        if (volumes.isEmpty()) {
            w.write(space + "Volumes:\t<none>\n");
            return;
        }
        w.write(space + "Volumes:\n");
        for (JsonNode v : volumes) {
            w.level(1, (space.isEmpty() ? "" : " ") + text(v, "name") + ":\n");
            if (!v.path("emptyDir").isMissingNode()) {
                w.level(2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n");
                w.level(2, "Medium:\t" + text(v, "emptyDir.medium") + "\n");
                w.level(2, "SizeLimit:\t" + or(text(v, "emptyDir.sizeLimit"), "<unset>") + "\n");
            } else if (!v.path("hostPath").isMissingNode()) {
                w.level(2, "Type:\tHostPath (bare host directory volume)\n");
                w.level(2, "Path:\t" + text(v, "hostPath.path") + "\n");
                w.level(2, "HostPathType:\t" + text(v, "hostPath.type") + "\n");
            } else if (!v.path("configMap").isMissingNode()) {
                w.level(2, "Type:\tConfigMap (a volume populated by a ConfigMap)\n");
                w.level(2, "Name:\t" + text(v, "configMap.name") + "\n");
                w.level(2, "Optional:\t" + v.path("configMap").path("optional").asBoolean(false) + "\n");
            } else if (!v.path("secret").isMissingNode()) {
                w.level(2, "Type:\tSecret (a volume populated by a Secret)\n");
                w.level(2, "SecretName:\t" + text(v, "secret.secretName") + "\n");
                w.level(2, "Optional:\t" + v.path("secret").path("optional").asBoolean(false) + "\n");
            } else if (!v.path("persistentVolumeClaim").isMissingNode()) {
                w.level(2, "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same "
                        + "namespace)\n");
                w.level(2, "ClaimName:\t" + text(v, "persistentVolumeClaim.claimName") + "\n");
                w.level(2, "ReadOnly:\t" + v.path("persistentVolumeClaim").path("readOnly").asBoolean(false) + "\n");
            } else if (!v.path("projected").isMissingNode()) {
                w.level(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n");
                for (JsonNode s : list(v, "projected.sources")) {
                    if (!s.path("serviceAccountToken").isMissingNode()) {
                        w.level(2, "TokenExpirationSeconds:\t"
                                + s.path("serviceAccountToken").path("expirationSeconds").asLong(3607) + "\n");
                    } else if (!s.path("configMap").isMissingNode()) {
                        w.level(2, "ConfigMapName:\t" + text(s, "configMap.name") + "\n");
                        w.level(2, "Optional:\t" + s.path("configMap").path("optional").asBoolean(false) + "\n");
                    } else if (!s.path("secret").isMissingNode()) {
                        w.level(2, "SecretName:\t" + text(s, "secret.name") + "\n");
                        w.level(2, "Optional:\t" + s.path("secret").path("optional").asBoolean(false) + "\n");
                    } else if (!s.path("downwardAPI").isMissingNode()) {
                        w.level(2, "DownwardAPI:\ttrue\n");
                    }
                }
            } else {
                w.level(2, "<unknown>\n");
            }
        }
    }

    // --------------------------------------------------------------------------------------------------- deployment

    /** A Deployment with its old ReplicaSets and its new one (null if none yet). */
    public String deployment(JsonNode d, List<JsonNode> oldRs, JsonNode newRs, List<JsonNode> events) {
        TabWriter w = new TabWriter();
        w.write("Name:\t" + text(d, "metadata.name") + "\n");
        w.write("Namespace:\t" + text(d, "metadata.namespace") + "\n");
        w.write("CreationTimestamp:\t" + rfc1123(text(d, "metadata.creationTimestamp")) + "\n");
        labels(w, "", "Labels", map(d, "metadata.labels"));
        annotations(w, "Annotations", map(d, "metadata.annotations"));
        w.write("Selector:\t" + formatSelector(at(d, "spec.selector")) + "\n");
        w.write("Replicas:\t" + or(text(d, "spec.replicas"), "1") + " desired | " + num(d, "status.updatedReplicas")
                + " updated | " + num(d, "status.replicas") + " total | " + num(d, "status.availableReplicas")
                + " available | " + num(d, "status.unavailableReplicas") + " unavailable\n");
        w.write("StrategyType:\t" + text(d, "spec.strategy.type") + "\n");
        w.write("MinReadySeconds:\t" + num(d, "spec.minReadySeconds") + "\n");
        JsonNode ru = at(d, "spec.strategy.rollingUpdate");
        if (!ru.isMissingNode() && !ru.isNull()) {
            w.write("RollingUpdateStrategy:\t" + text(ru, "maxUnavailable") + " max unavailable, "
                    + text(ru, "maxSurge") + " max surge\n");
        }
        podTemplate(w, at(d, "spec.template"));
        conditions(w, list(d, "status.conditions"));
        if (!oldRs.isEmpty() || newRs != null) {
            w.write("OldReplicaSets:\t" + replicaSets(oldRs) + "\n");
            w.write("NewReplicaSet:\t" + replicaSets(newRs == null ? List.of() : List.of(newRs)) + "\n");
        }
        events(w, events);
        return w.render();
    }

    private static String replicaSets(List<JsonNode> rss) {
        List<String> l = rss.stream().map(rs -> text(rs, "metadata.name") + " (" + num(rs, "status.replicas") + "/"
                + or(text(rs, "spec.replicas"), "1") + " replicas created)").toList();
        return l.isEmpty() ? "<none>" : String.join(", ", l);
    }

    /** A ReplicaSet, with the counts of its pods by phase ({@code running, waiting, succeeded, failed}). */
    public String replicaSet(JsonNode rs, int[] podPhases, List<JsonNode> events) {
        TabWriter w = new TabWriter();
        w.write("Name:\t" + text(rs, "metadata.name") + "\n");
        w.write("Namespace:\t" + text(rs, "metadata.namespace") + "\n");
        w.write("Selector:\t" + formatSelector(at(rs, "spec.selector")) + "\n");
        labels(w, "", "Labels", map(rs, "metadata.labels"));
        annotations(w, "Annotations", map(rs, "metadata.annotations"));
        line(w, 0, "Controlled By", controlledBy(rs));
        w.write("Replicas:\t" + num(rs, "status.replicas") + " current / " + or(text(rs, "spec.replicas"), "1")
                + " desired\n");
        w.write("Pods Status:\t" + podPhases[0] + " Running / " + podPhases[1] + " Waiting / " + podPhases[2]
                + " Succeeded / " + podPhases[3] + " Failed\n");
        podTemplate(w, at(rs, "spec.template"));
        conditions(w, list(rs, "status.conditions"));
        events(w, events);
        return w.render();
    }

    private static void conditions(TabWriter w, List<JsonNode> conditions) {
        if (!conditions.isEmpty()) {
            w.write("Conditions:\n  Type\tStatus\tReason\n");
            w.level(1, "----\t------\t------\n");
            conditions.forEach(c -> w.level(1, text(c, "type") + " \t" + text(c, "status") + "\t" + text(c, "reason")
                    + "\n"));
        }
    }

    private void podTemplate(TabWriter w, JsonNode t) {
        w.write("Pod Template:\n");
        if (t == null || t.isMissingNode()) {
            w.level(1, "<unset>");
            return;
        }
        labels(w, "", "  Labels", map(t, "metadata.labels"));
        if (!map(t, "metadata.annotations").isEmpty()) {
            annotations(w, "  Annotations", map(t, "metadata.annotations"));
        }
        line(w, 1, "Service Account", text(t, "spec.serviceAccountName"));
        if (!list(t, "spec.initContainers").isEmpty()) {
            containers(w, "Init Containers", list(t, "spec.initContainers"), List.of(), "  ");
        }
        containers(w, "Containers", list(t, "spec.containers"), List.of(), "  ");
        volumes(w, list(t, "spec.volumes"), "  ");
        line(w, 1, "Priority Class Name", text(t, "spec.priorityClassName"));
        labels(w, "", "  Node-Selectors", map(t, "spec.nodeSelector"));
        tolerations(w, "", "  Tolerations", list(t, "spec.tolerations"));
    }

    // ---------------------------------------------------------------------------------------------- statefulset

    /**
     * A StatefulSet with the counts of its pods by phase ({@code running, waiting, succeeded, failed}), as kubectl
     * 1.32 prints it (later versions add Service Name, Pod Management Policy and the claim retention policy).
     */
    public String statefulSet(JsonNode s, int[] podPhases, List<JsonNode> events) {
        TabWriter w = new TabWriter();
        w.write("Name:\t" + text(s, "metadata.name") + "\n");
        w.write("Namespace:\t" + text(s, "metadata.namespace") + "\n");
        w.write("CreationTimestamp:\t" + rfc1123(text(s, "metadata.creationTimestamp")) + "\n");
        w.write("Selector:\t" + formatSelector(at(s, "spec.selector")) + "\n");
        labels(w, "", "Labels", map(s, "metadata.labels"));
        annotations(w, "Annotations", map(s, "metadata.annotations"));
        w.write("Replicas:\t" + or(text(s, "spec.replicas"), "1") + " desired | " + num(s, "status.replicas")
                + " total\n");
        w.write("Update Strategy:\t" + text(s, "spec.updateStrategy.type") + "\n");
        JsonNode ru = at(s, "spec.updateStrategy.rollingUpdate");
        if (!ru.isMissingNode() && !ru.isNull() && !text(ru, "partition").isEmpty()) {
            w.level(1, "Partition:\t" + text(ru, "partition") + "\n");
            line(w, 1, "MaxUnavailable", text(ru, "maxUnavailable"));
        }
        podsStatus(w, podPhases);
        podTemplate(w, at(s, "spec.template"));
        List<JsonNode> claims = list(s, "spec.volumeClaimTemplates");
        if (claims.isEmpty()) {
            w.write("Volume Claims:\t<none>\n");
        } else {
            w.write("Volume Claims:\n");
            for (JsonNode pvc : claims) {
                w.level(1, "Name:\t" + text(pvc, "metadata.name") + "\n");
                w.level(1, "StorageClass:\t" + claimClass(pvc) + "\n");
                labels(w, "  ", "Labels", map(pvc, "metadata.labels"));
                labels(w, "  ", "Annotations", map(pvc, "metadata.annotations"));
                w.level(1, "Capacity:\t" + or(text(pvc, "spec.resources.requests.storage"), "<default>") + "\n");
                // kubectl prints the Go slice: [ReadWriteOnce]
                w.level(1, "Access Modes:\t[" + String.join(" ", strings(pvc, "spec.accessModes")) + "]\n");
            }
        }
        events(w, events);
        return w.render();
    }

    private static void podsStatus(TabWriter w, int[] p) {
        w.write("Pods Status:\t" + p[0] + " Running / " + p[1] + " Waiting / " + p[2] + " Succeeded / " + p[3]
                + " Failed\n");
    }

    // ------------------------------------------------------------------------------------------------ daemonset

    /**
     * A DaemonSet with the counts of its pods by phase ({@code running, waiting, succeeded, failed}); kubectl 1.32
     * prints no Namespace line here (later versions do).
     */
    public String daemonSet(JsonNode d, int[] podPhases, List<JsonNode> events) {
        TabWriter w = new TabWriter();
        w.write("Name:\t" + text(d, "metadata.name") + "\n");
        w.write("Selector:\t" + formatSelector(at(d, "spec.selector")) + "\n");
        w.write("Node-Selector:\t" + formatLabels(map(d, "spec.template.spec.nodeSelector")) + "\n");
        labels(w, "", "Labels", map(d, "metadata.labels"));
        annotations(w, "Annotations", map(d, "metadata.annotations"));
        // kubectl writes these five with a space, not a tab: they stay out of the alignment
        w.write("Desired Number of Nodes Scheduled: " + num(d, "status.desiredNumberScheduled") + "\n");
        w.write("Current Number of Nodes Scheduled: " + num(d, "status.currentNumberScheduled") + "\n");
        w.write("Number of Nodes Scheduled with Up-to-date Pods: " + num(d, "status.updatedNumberScheduled") + "\n");
        w.write("Number of Nodes Scheduled with Available Pods: " + num(d, "status.numberAvailable") + "\n");
        w.write("Number of Nodes Misscheduled: " + num(d, "status.numberMisscheduled") + "\n");
        podsStatus(w, podPhases);
        podTemplate(w, at(d, "spec.template"));
        events(w, events);
        return w.render();
    }

    // ------------------------------------------------------------------------------------------------------ job

    /** A Job. */
    public String job(JsonNode j, List<JsonNode> events) {
        TabWriter w = new TabWriter();
        w.write("Name:\t" + text(j, "metadata.name") + "\n");
        w.write("Namespace:\t" + text(j, "metadata.namespace") + "\n");
        // LabelSelectorAsSelector: a missing or empty selector prints as nothing here
        JsonNode jobSelector = at(j, "spec.selector");
        w.write("Selector:\t" + (jobSelector.isObject() && !jobSelector.isEmpty() ? formatSelector(jobSelector) : "")
                + "\n");
        labels(w, "", "Labels", map(j, "metadata.labels"));
        annotations(w, "Annotations", map(j, "metadata.annotations"));
        line(w, 0, "Controlled By", controlledBy(j));
        line(w, 0, "Parallelism", text(j, "spec.parallelism"));
        w.write("Completions:\t" + or(text(j, "spec.completions"), "<unset>") + "\n");
        line(w, 0, "Completion Mode", text(j, "spec.completionMode"));
        line(w, 0, "Suspend", text(j, "spec.suspend"));
        line(w, 0, "Backoff Limit", text(j, "spec.backoffLimit"));
        line(w, 0, "TTL Seconds After Finished", text(j, "spec.ttlSecondsAfterFinished"));
        String start = text(j, "status.startTime");
        String end = text(j, "status.completionTime");
        line(w, 0, "Start Time", rfc1123(start));
        line(w, 0, "Completed At", rfc1123(end));
        if (!start.isEmpty() && !end.isEmpty()) {
            w.write("Duration:\t" + Ages.human(java.time.Duration.between(
                    java.time.OffsetDateTime.parse(start).toInstant(),
                    java.time.OffsetDateTime.parse(end).toInstant())) + "\n");
        }
        if (!text(j, "spec.activeDeadlineSeconds").isEmpty()) {
            w.write("Active Deadline Seconds:\t" + text(j, "spec.activeDeadlineSeconds") + "s\n");
        }
        String ready = text(j, "status.ready");
        w.write("Pods Statuses:\t" + num(j, "status.active") + " Active" + (ready.isEmpty() ? "" : " (" + ready
                + " Ready)") + " / " + num(j, "status.succeeded") + " Succeeded / " + num(j, "status.failed")
                + " Failed\n");
        if (text(j, "spec.completionMode").equals("Indexed")) {
            w.write("Completed Indexes:\t" + capIndexes(text(j, "status.completedIndexes"), 50) + "\n");
        }
        podTemplate(w, at(j, "spec.template"));
        events(w, events);
        return w.render();
    }

    /** kubectl's capIndexesListOrNone: the list cut at the first comma past {@code softLimit} characters. */
    static String capIndexes(String indexes, int softLimit) {
        if (indexes.isEmpty()) {
            return "<none>";
        }
        int ix = indexes.indexOf(',', Math.min(softLimit, indexes.length()));
        return ix < 0 ? indexes : indexes.substring(0, ix + 1) + "...";
    }

    // -------------------------------------------------------------------------------------------------- cronjob

    /** A CronJob, as kubectl 1.32 prints it (later versions add a Time Zone line after Suspend). */
    public String cronJob(JsonNode c, List<JsonNode> events) {
        TabWriter w = new TabWriter();
        w.write("Name:\t" + text(c, "metadata.name") + "\n");
        w.write("Namespace:\t" + text(c, "metadata.namespace") + "\n");
        labels(w, "", "Labels", map(c, "metadata.labels"));
        annotations(w, "Annotations", map(c, "metadata.annotations"));
        w.write("Schedule:\t" + text(c, "spec.schedule") + "\n");
        w.write("Concurrency Policy:\t" + text(c, "spec.concurrencyPolicy") + "\n");
        w.write("Suspend:\t" + boolPtr(at(c, "spec.suspend")) + "\n");
        w.write("Successful Job History Limit:\t" + or(text(c, "spec.successfulJobsHistoryLimit"), "<unset>") + "\n");
        w.write("Failed Job History Limit:\t" + or(text(c, "spec.failedJobsHistoryLimit"), "<unset>") + "\n");
        String deadline = text(c, "spec.startingDeadlineSeconds");
        w.write("Starting Deadline Seconds:\t" + (deadline.isEmpty() ? "<unset>" : deadline + "s") + "\n");
        JsonNode jt = at(c, "spec.jobTemplate.spec");
        JsonNode sel = at(jt, "selector");
        w.write("Selector:\t" + (sel.isMissingNode() || sel.isNull() ? "<unset>" : formatSelector(sel)) + "\n");
        w.write("Parallelism:\t" + or(text(jt, "parallelism"), "<unset>") + "\n");
        w.write("Completions:\t" + or(text(jt, "completions"), "<unset>") + "\n");
        if (!text(jt, "activeDeadlineSeconds").isEmpty()) {
            w.write("Active Deadline Seconds:\t" + text(jt, "activeDeadlineSeconds") + "s\n");
        }
        podTemplate(w, at(jt, "template"));
        w.write("Last Schedule Time:\t" + or(rfc1123(text(c, "status.lastScheduleTime")), "<unset>") + "\n");
        List<String> active = list(c, "status.active").stream().map(r -> text(r, "name")).toList();
        w.write("Active Jobs:\t" + (active.isEmpty() ? "<none>" : String.join(", ", active)) + "\n");
        events(w, events);
        return w.render();
    }

    /** kubectl's printBoolPtr: True, False or {@code <unset>}. */
    private static String boolPtr(JsonNode b) {
        return b.isBoolean() ? (b.asBoolean() ? "True" : "False") : "<unset>";
    }

    // ---------------------------------------------------------------------------------------------------- hpa

    /** An autoscaling/v2 HorizontalPodAutoscaler. */
    public String horizontalPodAutoscaler(JsonNode h, List<JsonNode> events) {
        TabWriter w = new TabWriter();
        w.write("Name:\t" + text(h, "metadata.name") + "\n");
        w.write("Namespace:\t" + text(h, "metadata.namespace") + "\n");
        labels(w, "", "Labels", map(h, "metadata.labels"));
        annotations(w, "Annotations", map(h, "metadata.annotations"));
        w.write("CreationTimestamp:\t" + rfc1123(text(h, "metadata.creationTimestamp")) + "\n");
        String kind = text(h, "spec.scaleTargetRef.kind");
        w.write("Reference:\t" + kind + "/" + text(h, "spec.scaleTargetRef.name") + "\n");
        w.write("Metrics:\t( current / target )\n");
        List<JsonNode> metrics = list(h, "spec.metrics");
        List<JsonNode> current = list(h, "status.currentMetrics");
        for (int i = 0; i < metrics.size(); i++) {
            JsonNode m = metrics.get(i);
            JsonNode cur = i < current.size() ? current.get(i) : tools.jackson.databind.node.MissingNode.getInstance();
            hpaMetric(w, m, cur);
        }
        w.write("Min replicas:\t" + or(text(h, "spec.minReplicas"), "<unset>") + "\n");
        w.write("Max replicas:\t" + num(h, "spec.maxReplicas") + "\n");
        JsonNode behavior = at(h, "spec.behavior");
        if (!behavior.isMissingNode() && !behavior.isNull()) {
            w.write("Behavior:\n");
            direction(w, "Scale Up", behavior.path("scaleUp"));
            direction(w, "Scale Down", behavior.path("scaleDown"));
        }
        w.write(kind + " pods:\t" + num(h, "status.currentReplicas") + " current / " + num(h, "status.desiredReplicas")
                + " desired\n");
        List<JsonNode> conditions = list(h, "status.conditions");
        if (!conditions.isEmpty()) {
            w.write("Conditions:\n");
            w.level(1, "Type\tStatus\tReason\tMessage\n");
            w.level(1, "----\t------\t------\t-------\n");
            conditions.forEach(c -> w.level(1, text(c, "type") + "\t" + text(c, "status") + "\t" + text(c, "reason")
                    + "\t" + text(c, "message") + "\n"));
        }
        events(w, events);
        return w.render();
    }

    private static void hpaMetric(TabWriter w, JsonNode m, JsonNode cur) {
        String type = text(m, "type");
        switch (type) {
            case "Resource", "ContainerResource" -> {
                String f = type.equals("Resource") ? "resource" : "containerResource";
                JsonNode src = m.path(f);
                JsonNode c = cur.path(f).path("current");
                String head = type.equals("Resource") ? "resource " + text(src, "name") + " on pods"
                        : "resource " + text(src, "name") + " of container \"" + text(src, "container") + "\" on pods";
                if (!text(src, "target.averageValue").isEmpty()) {
                    w.level(1, head + ":\t" + or(text(c, "averageValue"), "<unknown>") + " / "
                            + text(src, "target.averageValue") + "\n");
                } else {
                    String current = cur.path(f).isMissingNode() || text(c, "averageUtilization").isEmpty() ? "<unknown>"
                            : text(c, "averageUtilization") + "% (" + text(c, "averageValue") + ")";
                    String target = text(src, "target.averageUtilization").isEmpty() ? "<auto>"
                            : text(src, "target.averageUtilization") + "%";
                    w.level(1, head + "  (as a percentage of request):\t" + current + " / " + target + "\n");
                }
            }
            case "Pods" -> w.level(1, "\"" + text(m, "pods.metric.name") + "\" on pods:\t"
                    + or(text(cur, "pods.current.averageValue"), "<unknown>") + " / "
                    + text(m, "pods.target.averageValue") + "\n");
            case "Object" -> {
                boolean avg = text(m, "object.target.type").equals("AverageValue");
                String field = avg ? "averageValue" : "value";
                w.level(1, "\"" + text(m, "object.metric.name") + "\" on " + text(m, "object.describedObject.kind")
                        + "/" + text(m, "object.describedObject.name") + " (target " + (avg ? "average value" : "value")
                        + "):\t" + or(text(cur, "object.current." + field), "<unknown>") + " / "
                        + text(m, "object.target." + field) + "\n");
            }
            case "External" -> {
                boolean avg = !text(m, "external.target.averageValue").isEmpty();
                String field = avg ? "averageValue" : "value";
                w.level(1, "\"" + text(m, "external.metric.name") + "\" (target " + (avg ? "average value" : "value")
                        + "):\t" + or(text(cur, "external.current." + field), "<unknown>") + " / "
                        + text(m, "external.target." + field) + "\n");
            }
            default -> w.level(1, "<unknown metric type \"" + type + "\">\n");
        }
    }

    private static void direction(TabWriter w, String name, JsonNode rules) {
        if (rules.isMissingNode() || rules.isNull()) {
            return;
        }
        w.level(1, name + ":\n");
        if (!text(rules, "stabilizationWindowSeconds").isEmpty()) {
            w.level(2, "Stabilization Window: " + text(rules, "stabilizationWindowSeconds") + " seconds\n");
        }
        List<JsonNode> policies = list(rules, "policies");
        if (!policies.isEmpty()) {
            w.level(2, "Select Policy: " + or(text(rules, "selectPolicy"), "Max") + "\n");
            w.level(2, "Policies:\n");
            policies.forEach(p -> w.level(3, "- Type: " + text(p, "type") + "\tValue: " + num(p, "value")
                    + "\tPeriod: " + num(p, "periodSeconds") + " seconds\n"));
        }
    }

    // ---------------------------------------------------------------------------------------------------- storage

    /** A PersistentVolume. */
    public String persistentVolume(JsonNode pv, List<JsonNode> events) {
        TabWriter w = new TabWriter();
        w.write("Name:\t" + text(pv, "metadata.name") + "\n");
        labels(w, "", "Labels", map(pv, "metadata.labels"));
        annotations(w, "Annotations", map(pv, "metadata.annotations"));
        w.write("Finalizers:\t[" + String.join(" ", strings(pv, "metadata.finalizers")) + "]\n");
        w.write("StorageClass:\t" + or(text(pv, "spec.storageClassName"),
                map(pv, "metadata.annotations").getOrDefault("volume.beta.kubernetes.io/storage-class", "")) + "\n");
        terminatingOrPhase(w, pv);
        JsonNode claim = at(pv, "spec.claimRef");
        w.write("Claim:\t" + (claim.isMissingNode() || claim.isNull() ? ""
                : text(claim, "namespace") + "/" + text(claim, "name")) + "\n");
        w.write("Reclaim Policy:\t" + text(pv, "spec.persistentVolumeReclaimPolicy") + "\n");
        w.write("Access Modes:\t" + accessModes(strings(pv, "spec.accessModes")) + "\n");
        line(w, 0, "VolumeMode", text(pv, "spec.volumeMode"));
        w.write("Capacity:\t" + text(pv, "spec.capacity.storage") + "\n");
        JsonNode required = at(pv, "spec.nodeAffinity.required");
        if (required.isMissingNode() || required.isNull()) {
            w.write("Node Affinity:\t<none>\n");
        } else {
            w.write("Node Affinity:\t\n");
            List<JsonNode> terms = list(required, "nodeSelectorTerms");
            w.level(1, "Required Terms:\t" + (terms.isEmpty() ? "<none>" : "") + "\n");
            for (int i = 0; i < terms.size(); i++) {
                List<JsonNode> exprs = list(terms.get(i), "matchExpressions");
                w.level(2, "Term " + i + ":\t" + (exprs.isEmpty() ? "<none>\n" : ""));
                for (int k = 0; k < exprs.size(); k++) {
                    JsonNode e = exprs.get(k);
                    List<String> values = strings(e, "values");
                    w.write((k == 0 ? "" : "    \t") + text(e, "key") + " " + text(e, "operator").toLowerCase()
                            + (values.isEmpty() ? "" : " [" + String.join(", ", values) + "]") + "\n");
                }
            }
        }
        w.write("Message:\t" + text(pv, "status.message") + "\n");
        w.write("Source:\n");
        JsonNode spec = pv.path("spec");
        if (spec.has("hostPath")) {
            w.level(2, "Type:\tHostPath (bare host directory volume)\n");
            w.level(2, "Path:\t" + text(spec, "hostPath.path") + "\n");
            w.level(2, "HostPathType:\t" + or(text(spec, "hostPath.type"), "<none>") + "\n");
        } else if (spec.has("local")) {
            w.level(2, "Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n");
            w.level(2, "Path:\t" + text(spec, "local.path") + "\n");
        } else if (spec.has("nfs")) {
            w.level(2, "Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n");
            w.level(2, "Server:\t" + text(spec, "nfs.server") + "\n");
            w.level(2, "Path:\t" + text(spec, "nfs.path") + "\n");
            w.level(2, "ReadOnly:\t" + spec.path("nfs").path("readOnly").asBoolean(false) + "\n");
        } else if (spec.has("csi")) {
            w.level(2, "Type:\tCSI (a Container Storage Interface (CSI) volume source)\n");
            w.level(2, "Driver:\t" + text(spec, "csi.driver") + "\n");
            w.level(2, "FSType:\t" + text(spec, "csi.fsType") + "\n");
            w.level(2, "VolumeHandle:\t" + text(spec, "csi.volumeHandle") + "\n");
            w.level(2, "ReadOnly:\t" + spec.path("csi").path("readOnly").asBoolean(false) + "\n");
        } else {
            w.level(1, "<unknown>\n");
        }
        events(w, events);
        return w.render();
    }

    private void terminatingOrPhase(TabWriter w, JsonNode o) {
        String deleted = text(o, "metadata.deletionTimestamp");
        w.write("Status:\t" + (deleted.isEmpty() ? text(o, "status.phase")
                : "Terminating (lasts " + Ages.since(deleted, now) + ")") + "\n");
    }

    /** storageutil.GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order, each once. */
    static String accessModes(List<String> modes) {
        List<String> out = new ArrayList<>();
        String[][] abbrev = {{"ReadWriteOnce", "RWO"}, {"ReadOnlyMany", "ROX"}, {"ReadWriteMany", "RWX"},
            {"ReadWriteOncePod", "RWOP"}};
        for (String[] a : abbrev) {
            if (modes.contains(a[0])) {
                out.add(a[1]);
            }
        }
        return String.join(",", out);
    }

    private static String claimClass(JsonNode pvc) {
        return or(text(pvc, "spec.storageClassName"),
                map(pvc, "metadata.annotations").getOrDefault("volume.beta.kubernetes.io/storage-class", ""));
    }

    /** A PersistentVolumeClaim with the pods that mount it or own it ({@code Used By}). */
    public String persistentVolumeClaim(JsonNode pvc, List<String> usedBy, List<JsonNode> events) {
        TabWriter w = new TabWriter();
        w.write("Name:\t" + text(pvc, "metadata.name") + "\n");
        w.write("Namespace:\t" + text(pvc, "metadata.namespace") + "\n");
        w.write("StorageClass:\t" + claimClass(pvc) + "\n");
        terminatingOrPhase(w, pvc);
        w.write("Volume:\t" + text(pvc, "spec.volumeName") + "\n");
        labels(w, "", "Labels", map(pvc, "metadata.labels"));
        annotations(w, "Annotations", map(pvc, "metadata.annotations"));
        w.write("Finalizers:\t[" + String.join(" ", strings(pvc, "metadata.finalizers")) + "]\n");
        boolean bound = !text(pvc, "spec.volumeName").isEmpty();
        w.write("Capacity:\t" + (bound ? text(pvc, "status.capacity.storage") : "") + "\n");
        w.write("Access Modes:\t" + (bound ? accessModes(strings(pvc, "status.accessModes")) : "") + "\n");
        line(w, 0, "VolumeMode", text(pvc, "spec.volumeMode"));
        JsonNode ds = at(pvc, "spec.dataSource");
        if (!ds.isMissingNode() && !ds.isNull()) {
            w.write("DataSource:\n");
            line(w, 1, "APIGroup", text(ds, "apiGroup"));
            w.level(1, "Kind:\t" + text(ds, "kind") + "\n");
            w.level(1, "Name:\t" + text(ds, "name") + "\n");
        }
        List<String> pods = new ArrayList<>(usedBy);
        java.util.Collections.sort(pods);
        w.write("Used By:\t" + (pods.isEmpty() ? "<none>\n" : ""));
        for (int i = 0; i < pods.size(); i++) {
            w.write((i == 0 ? "" : "\t") + pods.get(i) + "\n");
        }
        List<JsonNode> conditions = list(pvc, "status.conditions");
        if (!conditions.isEmpty()) {
            w.write("Conditions:\n");
            w.level(1, "Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n");
            w.level(1, "----\t------\t-----------------\t------------------\t------\t-------\n");
            conditions.forEach(c -> w.level(1, text(c, "type") + " \t" + text(c, "status") + " \t"
                    + rfc1123(text(c, "lastProbeTime")) + " \t" + rfc1123(text(c, "lastTransitionTime")) + " \t"
                    + text(c, "reason") + " \t" + text(c, "message") + "\n"));
        }
        events(w, events);
        return w.render();
    }

    /** A StorageClass. */
    public String storageClass(JsonNode sc, List<JsonNode> events) {
        TabWriter w = new TabWriter();
        Map<String, String> annotations = map(sc, "metadata.annotations");
        w.write("Name:\t" + text(sc, "metadata.name") + "\n");
        boolean isDefault = "true".equals(annotations.get("storageclass.kubernetes.io/is-default-class"))
                || "true".equals(annotations.get("storageclass.beta.kubernetes.io/is-default-class"));
        w.write("IsDefaultClass:\t" + (isDefault ? "Yes" : "No") + "\n");
        w.write("Annotations:\t" + formatLabels(annotations) + "\n");
        w.write("Provisioner:\t" + text(sc, "provisioner") + "\n");
        w.write("Parameters:\t" + formatLabels(map(sc, "parameters")) + "\n");
        w.write("AllowVolumeExpansion:\t" + boolPtr(at(sc, "allowVolumeExpansion")) + "\n");
        List<String> options = strings(sc, "mountOptions");
        if (options.isEmpty()) {
            w.write("MountOptions:\t<none>\n");
        } else {
            w.write("MountOptions:\n");
            options.forEach(o -> w.level(1, o + "\n"));
        }
        line(w, 0, "ReclaimPolicy", text(sc, "reclaimPolicy"));
        line(w, 0, "VolumeBindingMode", text(sc, "volumeBindingMode"));
        events(w, events);
        return w.render();
    }

    // ------------------------------------------------------------------------------------------------------ service

    /** A Service with its EndpointSlices. */
    public String service(JsonNode s, List<JsonNode> slices, List<JsonNode> events) {
        TabWriter w = new TabWriter();
        w.write("Name:\t" + text(s, "metadata.name") + "\n");
        w.write("Namespace:\t" + text(s, "metadata.namespace") + "\n");
        labels(w, "", "Labels", map(s, "metadata.labels"));
        annotations(w, "Annotations", map(s, "metadata.annotations"));
        w.write("Selector:\t" + formatLabels(map(s, "spec.selector")) + "\n");
        w.write("Type:\t" + text(s, "spec.type") + "\n");
        line(w, 0, "IP Family Policy", text(s, "spec.ipFamilyPolicy"));
        w.write("IP Families:\t" + or(String.join(",", strings(s, "spec.ipFamilies")), "<none>") + "\n");
        w.write("IP:\t" + text(s, "spec.clusterIP") + "\n");
        w.write("IPs:\t" + or(String.join(",", strings(s, "spec.clusterIPs")), "<none>") + "\n");
        line(w, 0, "External IPs", String.join(",", strings(s, "spec.externalIPs")));
        line(w, 0, "Desired LoadBalancer IP", text(s, "spec.loadBalancerIP"));
        line(w, 0, "External Name", text(s, "spec.externalName"));
        List<String> ingress = new ArrayList<>();
        for (JsonNode i : list(s, "status.loadBalancer.ingress")) {
            ingress.add(or(text(i, "ip"), text(i, "hostname")));
        }
        line(w, 0, "LoadBalancer Ingress", String.join(", ", ingress));
        for (JsonNode p : list(s, "spec.ports")) {
            String name = or(text(p, "name"), "<unset>");
            String proto = or(text(p, "protocol"), "TCP");
            w.write("Port:\t" + name + "\t" + text(p, "port") + "/" + proto + "\n");
            w.write("TargetPort:\t" + or(text(p, "targetPort"), text(p, "port")) + "/" + proto + "\n");
            line(w, 0, "AppProtocol", text(p, "appProtocol"));
            if (p.path("nodePort").asInt(0) != 0) {
                w.write("NodePort:\t" + name + "\t" + text(p, "nodePort") + "/" + proto + "\n");
            }
            w.write("Endpoints:\t" + endpoints(slices, text(p, "name")) + "\n");
        }
        w.write("Session Affinity:\t" + text(s, "spec.sessionAffinity") + "\n");
        line(w, 0, "External Traffic Policy", text(s, "spec.externalTrafficPolicy"));
        line(w, 0, "Internal Traffic Policy", text(s, "spec.internalTrafficPolicy"));
        if (s.path("spec").path("healthCheckNodePort").asInt(0) != 0) {
            w.write("HealthCheck NodePort:\t" + text(s, "spec.healthCheckNodePort") + "\n");
        }
        line(w, 0, "LoadBalancer Source Ranges", String.join(",", strings(s, "spec.loadBalancerSourceRanges")));
        line(w, 0, "Traffic Distribution", text(s, "spec.trafficDistribution"));
        events(w, events);
        return w.render();
    }

    /** kubectl's formatEndpointSlices: up to three ready {@code ip:port} pairs, then {@code  + N more...}. */
    static String endpoints(List<JsonNode> slices, String portName) {
        if (slices.isEmpty()) {
            return "<none>";
        }
        List<String> l = new ArrayList<>();
        int count = 0;
        for (JsonNode slice : slices) {
            List<JsonNode> ports = list(slice, "ports");
            if (ports.isEmpty()) {
                for (JsonNode ep : list(slice, "endpoints")) {
                    if (ep.path("conditions").path("ready").asBoolean(true)) {
                        for (String a : strings(ep, "addresses")) {
                            count++;
                            if (l.size() < 3) {
                                l.add(a);
                            }
                        }
                    }
                }
                continue;
            }
            for (JsonNode port : ports) {
                if (!text(port, "name").equals(portName)) {
                    continue;
                }
                for (JsonNode ep : list(slice, "endpoints")) {
                    if (!ep.path("conditions").path("ready").asBoolean(true)) {
                        continue;
                    }
                    for (String a : strings(ep, "addresses")) {
                        count++;
                        if (l.size() < 3) {
                            l.add(a.contains(":") ? "[" + a + "]:" + text(port, "port") : a + ":" + text(port, "port"));
                        }
                    }
                }
            }
        }
        String r = String.join(",", l);
        if (count > l.size()) {
            r += " + " + (count - l.size()) + " more...";
        }
        return r.isEmpty() ? "" : r;
    }

    // --------------------------------------------------------------------------------------------------------- node

    /** A Node with its lease (or the error reading it), its non-terminated pods, and events. */
    public String node(JsonNode n, JsonNode lease, String leaseError, List<JsonNode> pods, List<JsonNode> events) {
        TabWriter w = new TabWriter();
        w.write("Name:\t" + text(n, "metadata.name") + "\n");
        List<String> roles = new ArrayList<>();
        map(n, "metadata.labels").forEach((k, v) -> {
            if (k.startsWith("node-role.kubernetes.io/") && k.length() > "node-role.kubernetes.io/".length()) {
                roles.add(k.substring("node-role.kubernetes.io/".length()));
            } else if (k.equals("kubernetes.io/role") && !v.isEmpty()) {
                roles.add(v);
            }
        });
        w.write("Roles:\t" + (roles.isEmpty() ? "<none>" : String.join(",", roles.stream().sorted().toList())) + "\n");
        labels(w, "", "Labels", map(n, "metadata.labels"));
        annotations(w, "Annotations", map(n, "metadata.annotations"));
        w.write("CreationTimestamp:\t" + rfc1123(text(n, "metadata.creationTimestamp")) + "\n");
        List<JsonNode> taints = new ArrayList<>(list(n, "spec.taints"));
        taints.sort(Comparator.comparing(t -> text(t, "effect") + "," + text(t, "key")));
        w.write("Taints:\t");
        if (taints.isEmpty()) {
            w.write("<none>\n");
        }
        for (int i = 0; i < taints.size(); i++) {
            JsonNode t = taints.get(i);
            w.write((i == 0 ? "" : "\t") + text(t, "key") + (text(t, "value").isEmpty() ? "" : "=" + text(t, "value"))
                    + ":" + text(t, "effect") + "\n");
        }
        w.write("Unschedulable:\t" + n.path("spec").path("unschedulable").asBoolean(false) + "\n");
        if (leaseError != null) {
            w.write("Lease:\tFailed to get lease: " + leaseError + "\n");
        } else {
            w.write("Lease:\n");
            w.level(1, "HolderIdentity:\t" + or(lease == null ? "" : text(lease, "spec.holderIdentity"), "<unset>")
                    + "\n");
            w.level(1, "AcquireTime:\t" + or(lease == null ? "" : rfc1123(text(lease, "spec.acquireTime")), "<unset>")
                    + "\n");
            w.level(1, "RenewTime:\t" + or(lease == null ? "" : rfc1123(text(lease, "spec.renewTime")), "<unset>")
                    + "\n");
        }
        List<JsonNode> conditions = list(n, "status.conditions");
        if (!conditions.isEmpty()) {
            w.write("Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n");
            w.level(1, "----\t------\t-----------------\t------------------\t------\t-------\n");
            for (JsonNode c : conditions) {
                w.level(1, text(c, "type") + " \t" + text(c, "status") + " \t" + rfc1123(text(c, "lastHeartbeatTime"))
                        + " \t" + rfc1123(text(c, "lastTransitionTime")) + " \t" + text(c, "reason") + " \t"
                        + text(c, "message") + "\n");
            }
        }
        w.write("Addresses:\n");
        list(n, "status.addresses").forEach(a -> w.level(1, text(a, "type") + ":\t" + text(a, "address") + "\n"));
        resourceList(w, "Capacity", map(n, "status.capacity"));
        resourceList(w, "Allocatable", map(n, "status.allocatable"));
        w.write("System Info:\n");
        String[][] info = {{"Machine ID", "machineID"}, {"System UUID", "systemUUID"}, {"Boot ID", "bootID"},
            {"Kernel Version", "kernelVersion"}, {"OS Image", "osImage"}, {"Operating System", "operatingSystem"},
            {"Architecture", "architecture"}, {"Container Runtime Version", "containerRuntimeVersion"},
            {"Kubelet Version", "kubeletVersion"}, {"Kube-Proxy Version", "kubeProxyVersion"}};
        for (String[] i : info) {
            w.write("  " + i[0] + ":\t" + text(n, "status.nodeInfo." + i[1]) + "\n");
        }
        line(w, 0, "PodCIDR", text(n, "spec.podCIDR"));
        line(w, 0, "PodCIDRs", String.join(",", strings(n, "spec.podCIDRs")));
        line(w, 0, "ProviderID", text(n, "spec.providerID"));
        nodeResources(w, n, pods);
        events(w, events);
        return w.render();
    }

    private static void resourceList(TabWriter w, String label, Map<String, String> values) {
        if (!values.isEmpty()) {
            w.write(label + ":\n");
            List<String> keys = new ArrayList<>(values.keySet());
            keys.sort(Comparator.naturalOrder());
            keys.forEach(k -> w.write("  " + k + ":\t" + values.get(k) + "\n"));
        }
    }

    private void nodeResources(TabWriter w, JsonNode n, List<JsonNode> pods) {
        w.write("Non-terminated Pods:\t(" + pods.size() + " in total)\n");
        w.level(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n");
        w.level(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n");
        Map<String, String> alloc = map(n, "status.allocatable");
        if (alloc.isEmpty()) {
            alloc = map(n, "status.capacity");
        }
        BigDecimal cpu = Quantities.parse(alloc.getOrDefault("cpu", "0"));
        BigDecimal mem = Quantities.parse(alloc.getOrDefault("memory", "0"));
        BigDecimal eph = Quantities.parse(alloc.getOrDefault("ephemeral-storage", "0"));
        BigDecimal[] total = {BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO,
            BigDecimal.ZERO};
        for (JsonNode p : pods) {
            BigDecimal[] r = Quantities.podRequestsAndLimits(p);
            for (int i = 0; i < 6; i++) {
                total[i] = total[i].add(r[i]);
            }
            w.level(1, text(p, "metadata.namespace") + "\t" + text(p, "metadata.name") + "\t\t"
                    + Quantities.cpu(r[0]) + " (" + Quantities.percent(r[0], cpu) + "%)\t"
                    + Quantities.cpu(r[1]) + " (" + Quantities.percent(r[1], cpu) + "%)\t"
                    + Quantities.bytes(r[2]) + " (" + Quantities.percent(r[2], mem) + "%)\t"
                    + Quantities.bytes(r[3]) + " (" + Quantities.percent(r[3], mem) + "%)\t"
                    + Ages.since(text(p, "metadata.creationTimestamp"), now) + "\n");
        }
        w.write("Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n");
        w.level(1, "Resource\tRequests\tLimits\n");
        w.level(1, "--------\t--------\t------\n");
        w.level(1, "cpu\t" + Quantities.cpu(total[0]) + " (" + Quantities.percent(total[0], cpu) + "%)\t"
                + Quantities.cpu(total[1]) + " (" + Quantities.percent(total[1], cpu) + "%)\n");
        w.level(1, "memory\t" + Quantities.bytes(total[2]) + " (" + Quantities.percent(total[2], mem) + "%)\t"
                + Quantities.bytes(total[3]) + " (" + Quantities.percent(total[3], mem) + "%)\n");
        w.level(1, "ephemeral-storage\t" + Quantities.bytes(total[4]) + " (" + Quantities.percent(total[4], eph)
                + "%)\t" + Quantities.bytes(total[5]) + " (" + Quantities.percent(total[5], eph) + "%)\n");
    }

    // ---------------------------------------------------------------------------------------------------- namespace

    /** A Namespace; quotas / limitRanges null when they could not be listed (then their sections are left out). */
    public String namespace(JsonNode ns, List<JsonNode> quotas, List<JsonNode> limitRanges) {
        TabWriter w = new TabWriter();
        w.write("Name:\t" + text(ns, "metadata.name") + "\n");
        labels(w, "", "Labels", map(ns, "metadata.labels"));
        annotations(w, "Annotations", map(ns, "metadata.annotations"));
        w.write("Status:\t" + text(ns, "status.phase") + "\n");
        List<JsonNode> conditions = list(ns, "status.conditions");
        if (!conditions.isEmpty()) {
            w.write("Conditions:\n");
            w.level(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n");
            w.level(1, "----\t------\t------------------\t------\t-------\n");
            conditions.forEach(c -> w.level(1, text(c, "type") + "\t" + text(c, "status") + "\t"
                    + rfc1123(text(c, "lastTransitionTime")) + "\t" + text(c, "reason") + "\t" + text(c, "message")
                    + "\n"));
        }
        if (quotas != null) {
            w.write("\n");
            if (quotas.isEmpty()) {
                w.write("No resource quota.\n");
            }
            for (JsonNode q : quotas) {
                w.write("Resource Quotas\n");
                w.level(1, "Name:\t" + text(q, "metadata.name") + "\n");
                w.level(1, "Resource\tUsed\tHard\n");
                w.level(1, "--------\t---\t---\n");
                Map<String, String> used = map(q, "status.used");
                map(q, "status.hard").forEach((k, v) -> w.level(1, k + "\t" + or(used.get(k), "0") + "\t" + v + "\n"));
            }
        }
        if (limitRanges != null) {
            w.write("\n");
            if (limitRanges.isEmpty()) {
                w.write("No LimitRange resource.\n");
            }
            for (JsonNode lr : limitRanges) {
                w.write("Resource Limits\n");
                w.level(1, "Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n");
                w.level(1, "----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n");
                for (JsonNode item : list(lr, "spec.limits")) {
                    java.util.Set<String> names = new java.util.TreeSet<>();
                    for (String f : List.of("min", "max", "default", "defaultRequest", "maxLimitRequestRatio")) {
                        names.addAll(map(item, f).keySet());
                    }
                    for (String r : names) {
                        w.level(1, text(item, "type") + "\t" + r + "\t" + or(map(item, "min").get(r), "-") + "\t"
                                + or(map(item, "max").get(r), "-") + "\t" + or(map(item, "defaultRequest").get(r), "-")
                                + "\t" + or(map(item, "default").get(r), "-") + "\t"
                                + or(map(item, "maxLimitRequestRatio").get(r), "-") + "\n");
                    }
                }
            }
        }
        return w.render();
    }

    // ------------------------------------------------------------------------------------------------------ generic

    private static final java.util.Set<String> GENERIC_SKIP = java.util.Set.of(".metadata.managedFields",
            ".metadata.name", ".metadata.namespace", ".metadata.labels", ".metadata.annotations");

    /** kubectl's genericDescriber: Name, Namespace, Labels, Annotations, then every field as {@code Key:  value}. */
    public String generic(JsonNode obj, List<JsonNode> events) {
        TabWriter w = new TabWriter();
        w.write("Name:\t" + text(obj, "metadata.name") + "\n");
        w.write("Namespace:\t" + text(obj, "metadata.namespace") + "\n");
        labels(w, "", "Labels", map(obj, "metadata.labels"));
        annotations(w, "Annotations", map(obj, "metadata.annotations"));
        content(w, 0, obj, "");
        events(w, events);
        return w.render();
    }

    private static void content(TabWriter w, int level, JsonNode obj, String prefix) {
        List<String> fields = new ArrayList<>(obj.propertyNames());
        java.util.Collections.sort(fields);
        for (String f : fields) {
            JsonNode v = obj.get(f);
            String path = prefix + "." + f;
            if (GENERIC_SKIP.contains(path)) {
                continue;
            }
            if (v.isObject()) {
                w.level(level, smartLabel(f) + ":\n");
                content(w, level + 1, v, path);
            } else if (v.isArray()) {
                w.level(level, smartLabel(f) + ":\n");
                for (JsonNode child : v) {
                    if (child.isObject()) {
                        content(w, level + 1, child, path);
                    } else {
                        w.level(level + 1, goValue(child) + "\n");
                    }
                }
            } else {
                w.level(level, smartLabel(f) + ":\t" + goValue(v) + "\n");
            }
        }
    }

    /** How Go's {@code %v} prints a decoded JSON scalar (nil as {@code <nil>}). */
    private static String goValue(JsonNode v) {
        if (v.isNull()) {
            return "<nil>";
        }
        if (v.isArray() || v.isObject()) {
            return v.toString();
        }
        return v.asString();
    }

    /** kubectl's smartLabelFor: {@code apiVersion} → {@code API Version}, {@code creationTimestamp} → ... */
    static String smartLabel(String field) {
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (!Character.isLetter(c) && c != '-') {
                return field;
            }
        }
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        // fatih/camelcase: split between lower→upper, and before the last upper of an upper run followed by lower
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            boolean split = false;
            if (i > 0) {
                char p = field.charAt(i - 1);
                if (Character.isUpperCase(c) && !Character.isUpperCase(p)) {
                    split = true;
                } else if (Character.isUpperCase(p) && Character.isLowerCase(c) && cur.length() > 1) {
                    parts.add(cur.substring(0, cur.length() - 1));
                    cur.delete(0, cur.length() - 1);
                } else if (Character.isLetter(c) != Character.isLetter(p)) {
                    split = true;
                }
            }
            if (split && !cur.isEmpty()) {
                parts.add(cur.toString());
                cur.setLength(0);
            }
            cur.append(c);
        }
        if (!cur.isEmpty()) {
            parts.add(cur.toString());
        }
        List<String> out = new ArrayList<>();
        for (String p : parts) {
            String up = p.toUpperCase(java.util.Locale.ROOT);
            if (List.of("API", "URL", "UID", "OSB", "GUID").contains(up)) {
                out.add(up);
            } else {
                out.add(Character.toUpperCase(p.charAt(0)) + p.substring(1));
            }
        }
        return String.join(" ", out);
    }

    // ------------------------------------------------------------------------------------------------------- shared

    private static void line(TabWriter w, int level, String key, String value) {
        if (value != null && !value.isEmpty()) {
            w.level(level, key + ":\t" + value + "\n");
        }
    }

    private static String num(JsonNode n, String path) {
        return or(text(n, path), "0");
    }

    /** kubectl's printLabelsMultilineWithIndent with inner indent {@code \t}. */
    static void labels(TabWriter w, String indent, String title, Map<String, String> labels) {
        w.write(indent + title + ":\t");
        if (labels.isEmpty()) {
            w.write("<none>\n");
            return;
        }
        boolean first = true;
        for (Map.Entry<String, String> e : labels.entrySet()) {
            w.write((first ? "" : indent + "\t") + e.getKey() + "=" + e.getValue() + "\n");
            first = false;
        }
    }

    /** kubectl's printAnnotationsMultiline: the last-applied annotation skipped, long values shortened. */
    static void annotations(TabWriter w, String title, Map<String, String> annotations) {
        w.write(title + ":\t");
        Map<String, String> a = new TreeMap<>(annotations);
        a.remove("kubectl.kubernetes.io/last-applied-configuration");
        if (a.isEmpty()) {
            w.write("<none>\n");
            return;
        }
        boolean first = true;
        for (Map.Entry<String, String> e : a.entrySet()) {
            if (!first) {
                w.write("\t");
            }
            first = false;
            String value = e.getValue().endsWith("\n") ? e.getValue().substring(0, e.getValue().length() - 1)
                    : e.getValue();
            if (value.length() + e.getKey().length() + 2 > MAX_ANNOTATION_LEN || value.contains("\n")) {
                w.write(e.getKey() + ":\n");
                for (String s : value.split("\n", -1)) {
                    w.write("\t  " + (s.length() > MAX_ANNOTATION_LEN - 2 ? s.substring(0, MAX_ANNOTATION_LEN - 2)
                            + "..." : s) + "\n");
                }
            } else {
                w.write(e.getKey() + ": " + value + "\n");
            }
        }
    }

    static void tolerations(TabWriter w, String indent, String title, List<JsonNode> tolerations) {
        w.write(indent + title + ":\t");
        if (tolerations.isEmpty()) {
            w.write("<none>\n");
            return;
        }
        List<JsonNode> sorted = new ArrayList<>(tolerations);
        sorted.sort(Comparator.comparing(t -> text(t, "key")));
        for (int i = 0; i < sorted.size(); i++) {
            JsonNode t = sorted.get(i);
            StringBuilder sb = new StringBuilder(i == 0 ? "" : indent + "\t");
            String key = text(t, "key");
            String value = text(t, "value");
            String effect = text(t, "effect");
            sb.append(key);
            if (!value.isEmpty()) {
                sb.append('=').append(value);
            }
            if (!effect.isEmpty()) {
                sb.append(':').append(effect);
            }
            if (text(t, "operator").equals("Exists") && value.isEmpty()) {
                sb.append(!key.isEmpty() || !effect.isEmpty() ? " op=Exists" : "op=Exists");
            }
            if (!text(t, "tolerationSeconds").isEmpty()) {
                sb.append(" for ").append(text(t, "tolerationSeconds")).append('s');
            }
            w.write(sb.append('\n').toString());
        }
    }

    /** kubectl's DescribeEvents: sorted by last timestamp; {@code Events:  <none>} when there are none. */
    void events(TabWriter w, List<JsonNode> events) {
        if (events == null) {
            return;
        }
        if (events.isEmpty()) {
            w.write("Events:\t<none>\n");
            return;
        }
        w.flush();
        List<JsonNode> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparing(Describers::lastTime));
        w.write("Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
        w.level(1, "----\t------\t----\t----\t-------\n");
        for (JsonNode e : sorted) {
            w.level(1, text(e, "type") + "\t" + text(e, "reason") + "\t" + eventInterval(e, now) + "\t"
                    + or(text(e, "source.component"), text(e, "reportingController")) + "\t"
                    + text(e, "message").strip() + "\n");
        }
    }

    /** An event's last-seen instant (lastTimestamp, else eventTime, else the series', else creation). */
    public static Instant lastTime(JsonNode e) {
        for (String p : List.of("series.lastObservedTime", "lastTimestamp", "eventTime", "firstTimestamp",
                "metadata.creationTimestamp")) {
            String t = text(e, p);
            if (!t.isEmpty()) {
                try {
                    return java.time.OffsetDateTime.parse(t).toInstant();
                } catch (RuntimeException ignored) {
                    // try the next
                }
            }
        }
        return Instant.EPOCH;
    }

    /** describe's Age column and {@code k4j events}' LAST SEEN (kubectl's getInterval): {@code 5s}, or {@code 10s (x3 over 2m)} for a repeated event. */
    public static String eventInterval(JsonNode e, Instant now) {
        String first = text(e, "eventTime").isEmpty() ? Ages.since(text(e, "firstTimestamp"), now)
                : Ages.since(text(e, "eventTime"), now);
        if (!at(e, "series").isMissingNode() && !at(e, "series").isNull()) {
            return Ages.since(text(e, "series.lastObservedTime"), now) + " (x" + text(e, "series.count") + " over "
                    + first + ")";
        }
        if (e.path("count").asInt(0) > 1) {
            return Ages.since(text(e, "lastTimestamp"), now) + " (x" + text(e, "count") + " over " + first + ")";
        }
        return first;
    }
}
