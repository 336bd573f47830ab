package io.kube4j.api.printing;

import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiFunction;

/**
 * The columns Kubernetes prints for each kind: a port of the printers of pkg/printers/internalversion/printers.go,
 * shared by the apiserver (which serves them as {@code meta.k8s.io/v1} Tables, see {@link TableGenerator}) and the cli
 * (which prints them locally). Kinds without a printer get Kubernetes' default table, {@link #DEFAULT}.
 */
public final class TablePrinters {

    private static final Map<String, TablePrinter> BY_KIND = new HashMap<>();

    /**
     * Kubernetes' default table ({@code rest.DefaultTableConvertor}) for kinds without a printer: the name and the
     * creation time as an RFC 3339 {@code date}.
     */
    public static final TablePrinter DEFAULT = def("Name,Created At:date", (o, now) -> cells(name(o), createdAt(o)));

    static {
        BY_KIND.put("/Pod", def("Name,Ready,Status,Restarts,Age,+IP,+Node,+Nominated Node,+Readiness Gates",
                TablePrinters::pod));
        BY_KIND.put("apps/Deployment", def("Name,Ready,Up-to-date:integer,Available:integer,Age,+Containers,+Images,+Selector",
                (o, now) -> cells(name(o),
                        integer(o.path("status").path("readyReplicas")) + "/" + replicas(o),
                        integer(o.path("status").path("updatedReplicas")),
                        integer(o.path("status").path("availableReplicas")), age(o, now),
                        containers(o), images(o), selector(o.path("spec").path("selector")))));
        BY_KIND.put("apps/ReplicaSet", def("Name,Desired:integer,Current:integer,Ready:integer,Age,+Containers,+Images,+Selector",
                (o, now) -> cells(name(o), replicas(o), integer(o.path("status").path("replicas")),
                        integer(o.path("status").path("readyReplicas")), age(o, now),
                        containers(o), images(o), selector(o.path("spec").path("selector")))));
        BY_KIND.put("apps/StatefulSet", def("Name,Ready,Age,+Containers,+Images",
                (o, now) -> cells(name(o), integer(o.path("status").path("readyReplicas")) + "/" + replicas(o),
                        age(o, now), containers(o), images(o))));
        BY_KIND.put("apps/DaemonSet", def("Name,Desired:integer,Current:integer,Ready:integer,Up-to-date:integer,"
                + "Available:integer,Node Selector,Age,+Containers,+Images,+Selector", (o, now) -> {
                    JsonNode s = o.path("status");
                    return cells(name(o), integer(s.path("desiredNumberScheduled")),
                            integer(s.path("currentNumberScheduled")), integer(s.path("numberReady")),
                            integer(s.path("updatedNumberScheduled")), integer(s.path("numberAvailable")),
                            labels(o.path("spec").path("template").path("spec").path("nodeSelector")), age(o, now),
                            containers(o), images(o), selector(o.path("spec").path("selector")));
                }));
        BY_KIND.put("batch/Job", def("Name,Status,Completions,Duration,Age,+Containers,+Images,+Selector",
                TablePrinters::job));
        BY_KIND.put("batch/CronJob", def("Name,Schedule,Timezone,Suspend:boolean,Active:integer,Last Schedule,Age,"
                + "+Containers,+Images,+Selector", (o, now) -> {
                    JsonNode spec = o.path("spec");
                    JsonNode podSpec = spec.path("jobTemplate").path("spec").path("template").path("spec");
                    String last = o.path("status").path("lastScheduleTime").asString("");
                    return cells(name(o), spec.path("schedule").asString(""),
                            spec.path("timeZone").asString("<none>"),
                            // printBoolPtr: True, False or <unset> (text in the boolean column, as Kubernetes sends it)
                            spec.path("suspend").isBoolean() ? (spec.path("suspend").asBoolean() ? "True" : "False")
                                    : "<unset>",
                            String.valueOf(o.path("status").path("active").size()),
                            last.isEmpty() ? "<none>" : Ages.since(last, now), age(o, now),
                            join(podSpec.path("containers"), "name"), join(podSpec.path("containers"), "image"),
                            selector(spec.path("jobTemplate").path("spec").path("selector")));
                }));
        BY_KIND.put("/Service", def("Name,Type,Cluster-IP,External-IP,Port(s),Age,+Selector", TablePrinters::service));
        BY_KIND.put("/Node", def("Name,Status,Roles,Age,Version,+Internal-IP,+External-IP,+OS-Image,+Kernel-Version,"
                + "+Container-Runtime", TablePrinters::node));
        BY_KIND.put("/Namespace", def("Name,Status,Age",
                (o, now) -> cells(name(o), o.path("status").path("phase").asString(""), age(o, now))));
        BY_KIND.put("/Event", def("Last Seen,Type,Reason,Object,+Subobject,+Source,Message,+First Seen,+Count:integer,+Name",
                TablePrinters::event));
        BY_KIND.put("/ConfigMap", def("Name,Data:integer,Age", (o, now) -> cells(name(o),
                String.valueOf(o.path("data").size() + o.path("binaryData").size()), age(o, now))));
        BY_KIND.put("/Secret", def("Name,Type,Data:integer,Age", (o, now) -> cells(name(o), o.path("type").asString(""),
                String.valueOf(o.path("data").size()), age(o, now))));
        BY_KIND.put("/ServiceAccount", def("Name,Secrets:integer,Age", (o, now) -> cells(name(o),
                String.valueOf(o.path("secrets").size()), age(o, now))));
        BY_KIND.put("/Endpoints", def("Name,Endpoints,Age", (o, now) -> cells(name(o), endpoints(o), age(o, now))));
        BY_KIND.put("coordination.k8s.io/Lease", def("Name,Holder,Age", (o, now) -> cells(name(o),
                o.path("spec").path("holderIdentity").asString(""), age(o, now))));
        BY_KIND.put("scheduling.k8s.io/PriorityClass", def("Name,Value:integer,Global-Default:boolean,Age,PreemptionPolicy",
                (o, now) -> cells(name(o), integer(o.path("value")),
                        String.valueOf(o.path("globalDefault").asBoolean(false)), age(o, now),
                        o.path("preemptionPolicy").asString("PreemptLowerPriority"))));
        BY_KIND.put("policy/PodDisruptionBudget", def("Name,Min Available,Max Unavailable,Allowed Disruptions:integer,Age",
                (o, now) -> cells(name(o), intOrString(o.path("spec").path("minAvailable")),
                        intOrString(o.path("spec").path("maxUnavailable")),
                        integer(o.path("status").path("disruptionsAllowed")), age(o, now))));
        BY_KIND.put("rbac.authorization.k8s.io/Role", DEFAULT);
        BY_KIND.put("rbac.authorization.k8s.io/ClusterRole", DEFAULT);
        TablePrinter binding = def("Name,Role,Age,+Users,+Groups,+ServiceAccounts", TablePrinters::binding);
        BY_KIND.put("rbac.authorization.k8s.io/RoleBinding", binding);
        BY_KIND.put("rbac.authorization.k8s.io/ClusterRoleBinding", binding);
        BY_KIND.put("/LimitRange", DEFAULT);
        BY_KIND.put("/ResourceQuota", def("Name,Age,Request,Limit", TablePrinters::resourceQuota));
        BY_KIND.put("discovery.k8s.io/EndpointSlice", def("Name,AddressType,Ports,Endpoints,Age",
                (o, now) -> cells(name(o), o.path("addressType").asString(""), slicePorts(o.path("ports")),
                        sliceEndpoints(o.path("endpoints")), age(o, now))));
        TablePrinter webhooks = def("Name,Webhooks:integer,Age",
                (o, now) -> cells(name(o), String.valueOf(o.path("webhooks").size()), age(o, now)));
        BY_KIND.put("admissionregistration.k8s.io/MutatingWebhookConfiguration", webhooks);
        BY_KIND.put("admissionregistration.k8s.io/ValidatingWebhookConfiguration", webhooks);
        BY_KIND.put("autoscaling/HorizontalPodAutoscaler", def("Name,Reference,Targets,MinPods,MaxPods:integer,"
                + "Replicas:integer,Age", TablePrinters::hpa));
        BY_KIND.put("/PersistentVolume", def("Name,Capacity,Access Modes,Reclaim Policy,Status,Claim,StorageClass,"
                + "VolumeAttributesClass,Reason,Age,+VolumeMode", (o, now) -> {
                    JsonNode spec = o.path("spec");
                    JsonNode ref = spec.path("claimRef");
                    String claim = ref.isMissingNode() || ref.isNull() ? ""
                            : ref.path("namespace").asString("") + "/" + ref.path("name").asString("");
                    return cells(name(o), spec.path("capacity").path("storage").asString(""),
                            accessModes(spec.path("accessModes")), spec.path("persistentVolumeReclaimPolicy").asString(""),
                            terminatingOr(o, o.path("status").path("phase").asString("")), claim,
                            spec.path("storageClassName").asString(""), unset(spec.path("volumeAttributesClassName")),
                            o.path("status").path("reason").asString(""), age(o, now), unset(spec.path("volumeMode")));
                }));
        BY_KIND.put("/PersistentVolumeClaim", def("Name,Status,Volume,Capacity,Access Modes,StorageClass,"
                + "VolumeAttributesClass,Age,+VolumeMode", (o, now) -> {
                    JsonNode spec = o.path("spec");
                    String volume = spec.path("volumeName").asString("");
                    boolean bound = !volume.isEmpty();
                    return cells(name(o), terminatingOr(o, o.path("status").path("phase").asString("")), volume,
                            bound ? o.path("status").path("capacity").path("storage").asString("") : "",
                            bound ? accessModes(o.path("status").path("accessModes")) : "",
                            spec.path("storageClassName").asString(""), unset(spec.path("volumeAttributesClassName")),
                            age(o, now), unset(spec.path("volumeMode")));
                }));
        BY_KIND.put("networking.k8s.io/Ingress", def("Name,Class,Hosts,Address,Ports,Age", TablePrinters::ingress));
        BY_KIND.put("networking.k8s.io/IngressClass", def("Name,Controller,Parameters,Age", (o, now) -> {
            JsonNode params = o.path("spec").path("parameters");
            String p = "<none>";
            if (params.isObject()) {
                p = params.path("kind").asString("")
                        + (params.path("apiGroup").isString() ? "." + params.path("apiGroup").asString("") : "")
                        + "/" + params.path("name").asString("");
            }
            return cells(name(o), o.path("spec").path("controller").asString(""), p, age(o, now));
        }));
        BY_KIND.put("storage.k8s.io/StorageClass", def("Name,Provisioner,ReclaimPolicy,VolumeBindingMode,"
                + "AllowVolumeExpansion,Age", (o, now) -> {
                    JsonNode ann = o.path("metadata").path("annotations");
                    boolean dflt = "true".equals(ann.path("storageclass.kubernetes.io/is-default-class").asString(""))
                            || "true".equals(ann.path("storageclass.beta.kubernetes.io/is-default-class").asString(""));
                    return cells(name(o) + (dflt ? " (default)" : ""), o.path("provisioner").asString(""),
                            o.path("reclaimPolicy").asString("Delete"), o.path("volumeBindingMode").asString("Immediate"),
                            String.valueOf(o.path("allowVolumeExpansion").asBoolean(false)), age(o, now));
                }));
        BY_KIND.put("apps/ControllerRevision", def("Name,Controller,Revision:integer,Age",
                (o, now) -> cells(name(o), controllerName(o), integer(o.path("revision")), age(o, now))));
    }

    /** kubectl's short access modes ({@code GetAccessModesAsString}): RWO, ROX, RWX, RWOP in that order. */
    static String accessModes(JsonNode modes) {
        List<String> have = new ArrayList<>();
        modes.forEach(m -> have.add(m.asString("")));
        List<String> out = new ArrayList<>();
        String[][] table = {{"ReadWriteOnce", "RWO"}, {"ReadOnlyMany", "ROX"}, {"ReadWriteMany", "RWX"},
                {"ReadWriteOncePod", "RWOP"}};
        for (String[] m : table) {
            if (have.contains(m[0])) {
                out.add(m[1]);
            }
        }
        return String.join(",", out);
    }

    private static String terminatingOr(JsonNode o, String phase) {
        String deleting = o.path("metadata").path("deletionTimestamp").asString("");
        return deleting.isEmpty() ? phase : "Terminating";
    }

    private static String unset(JsonNode v) {
        String s = v.asString("");
        return s.isEmpty() ? "<unset>" : s;
    }

    private TablePrinters() {
    }

    /** The printer of {@code group}'s {@code kind}, if Kubernetes has one. */
    public static Optional<TablePrinter> find(String group, String kind) {
        return Optional.ofNullable(BY_KIND.get(group + "/" + kind));
    }

    /** The printer of {@code group}'s {@code kind}, or {@link #DEFAULT}. */
    public static TablePrinter of(String group, String kind) {
        return BY_KIND.getOrDefault(group + "/" + kind, DEFAULT);
    }

    /**
     * {@code "Name,Ready,Up-to-date:integer,+IP"}: a {@code +} marks a priority-1 ({@code -o wide}) column, a
     * {@code :type} the column's type (string otherwise); {@code Name} gets the {@code name} format.
     */
    private static TablePrinter def(String columns, BiFunction<JsonNode, Instant, List<String>> row) {
        List<TableColumn> cols = new ArrayList<>();
        for (String c : columns.split(",")) {
            int priority = c.startsWith("+") ? 1 : 0;
            String spec = priority == 1 ? c.substring(1) : c;
            int colon = spec.indexOf(':');
            String name = colon < 0 ? spec : spec.substring(0, colon);
            String type = colon < 0 ? "string" : spec.substring(colon + 1);
            cols.add(TableColumn.of(name, type, priority));
        }
        return new TablePrinter(List.copyOf(cols), row);
    }

    private static List<String> cells(String... c) {
        return List.of(c);
    }

    static String name(JsonNode o) {
        return o.path("metadata").path("name").asString("");
    }

    private static String createdAt(JsonNode o) {
        String ts = o.path("metadata").path("creationTimestamp").asString("");
        try {
            return java.time.OffsetDateTime.parse(ts).toInstant().toString();
        } catch (RuntimeException e) {
            return ts;
        }
    }

    static String age(JsonNode o, Instant now) {
        return Ages.since(o.path("metadata").path("creationTimestamp").asString(null), now);
    }

    private static String integer(JsonNode n) {
        return String.valueOf(n.asLong(0));
    }

    private static String replicas(JsonNode o) {
        JsonNode r = o.path("spec").path("replicas");
        return r.isMissingNode() || r.isNull() ? "1" : String.valueOf(r.asLong());
    }

    private static String intOrString(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? "N/A" : n.asString(n.toString());
    }

    private static String containers(JsonNode o) {
        return join(o.path("spec").path("template").path("spec").path("containers"), "name");
    }

    private static String images(JsonNode o) {
        return join(o.path("spec").path("template").path("spec").path("containers"), "image");
    }

    private static String join(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        for (JsonNode c : array) {
            out.add(c.path(field).asString(""));
        }
        return String.join(",", out);
    }

    /** {@code labels.FormatLabels}: {@code a=b,c=d} sorted by key, {@code <none>} when empty. */
    public static String labels(JsonNode map) {
        if (!map.isObject() || map.isEmpty()) {
            return "<none>";
        }
        TreeMap<String, String> sorted = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            sorted.put(e.getKey(), e.getValue().asString(""));
        }
        StringBuilder sb = new StringBuilder();
        sorted.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ",").append(k).append('=').append(v));
        return sb.toString();
    }

    /** {@code metav1.FormatLabelSelector}: {@code app=web,tier in (a,b)}, {@code <none>} when empty. */
    public static String selector(JsonNode sel) {
        if (!sel.isObject()) {
            return "<none>";
        }
        List<String> parts = new ArrayList<>();
        TreeMap<String, String> ml = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : sel.path("matchLabels").properties()) {
            ml.put(e.getKey(), e.getValue().asString(""));
        }
        ml.forEach((k, v) -> parts.add(k + "=" + v));
        for (JsonNode expr : sel.path("matchExpressions")) {
            String key = expr.path("key").asString("");
            List<String> values = new ArrayList<>();
            expr.path("values").forEach(v -> values.add(v.asString("")));
            String op = expr.path("operator").asString("");
            switch (op) {
                case "In" -> parts.add(key + " in (" + String.join(",", values) + ")");
                case "NotIn" -> parts.add(key + " notin (" + String.join(",", values) + ")");
                case "Exists" -> parts.add(key);
                case "DoesNotExist" -> parts.add("!" + key);
                default -> parts.add(key + " " + op + " " + values);
            }
        }
        if (parts.isEmpty()) {
            return sel.has("matchLabels") || sel.has("matchExpressions") ? "<none>" : "<none>";
        }
        return String.join(",", parts);
    }

    private static List<String> pod(JsonNode o, Instant now) {
        PodStatus ps = PodStatus.of(o);
        JsonNode status = o.path("status");
        String ip = status.path("podIPs").path(0).path("ip").asString("");
        if (ip.isEmpty()) {
            ip = status.path("podIP").asString("");
        }
        String node = o.path("spec").path("nodeName").asString("");
        String nominated = status.path("nominatedNodeName").asString("");
        String gates = "<none>";
        JsonNode rg = o.path("spec").path("readinessGates");
        if (rg.size() > 0) {
            int trueCount = 0;
            for (JsonNode g : rg) {
                for (JsonNode c : status.path("conditions")) {
                    if (c.path("type").asString("").equals(g.path("conditionType").asString(""))) {
                        if (c.path("status").asString("").equals("True")) {
                            trueCount++;
                        }
                        break;
                    }
                }
            }
            gates = trueCount + "/" + rg.size();
        }
        return cells(name(o), ps.ready(), ps.reason(), ps.restartsCell(now), age(o, now),
                ip.isEmpty() ? "<none>" : ip, node.isEmpty() ? "<none>" : node,
                nominated.isEmpty() ? "<none>" : nominated, gates);
    }

    private static List<String> job(JsonNode o, Instant now) {
        JsonNode spec = o.path("spec");
        JsonNode status = o.path("status");
        long succeeded = status.path("succeeded").asLong(0);
        String completions;
        if (spec.path("completions").isNumber()) {
            completions = succeeded + "/" + spec.path("completions").asLong();
        } else {
            long parallelism = spec.path("parallelism").asLong(0);
            completions = parallelism > 1 ? succeeded + "/1 of " + parallelism : succeeded + "/1";
        }
        String start = status.path("startTime").asString("");
        String end = status.path("completionTime").asString("");
        String duration = "";
        if (!start.isEmpty()) {
            duration = end.isEmpty() ? Ages.since(start, now)
                    : Ages.human(java.time.Duration.between(java.time.OffsetDateTime.parse(start).toInstant(),
                    java.time.OffsetDateTime.parse(end).toInstant()));
        }
        String state;
        if (condition(status, "Complete")) {
            state = "Complete";
        } else if (condition(status, "Failed")) {
            state = "Failed";
        } else if (o.path("metadata").has("deletionTimestamp")) {
            state = "Terminating";
        } else if (condition(status, "SuccessCriteriaMet")) {
            state = "SuccessCriteriaMet";
        } else if (condition(status, "FailureTarget")) {
            state = "FailureTarget";
        } else if (condition(status, "Suspended")) {
            state = "Suspended";
        } else {
            state = "Running";
        }
        return cells(name(o), state, completions, duration, age(o, now),
                join(spec.path("template").path("spec").path("containers"), "name"),
                join(spec.path("template").path("spec").path("containers"), "image"),
                selector(spec.path("selector")));
    }

    private static boolean condition(JsonNode status, String type) {
        for (JsonNode c : status.path("conditions")) {
            if (c.path("type").asString("").equals(type) && c.path("status").asString("").equals("True")) {
                return true;
            }
        }
        return false;
    }

    private static List<String> service(JsonNode o, Instant now) {
        JsonNode spec = o.path("spec");
        String type = spec.path("type").asString("ClusterIP");
        String clusterIp = spec.path("clusterIP").asString("");
        List<String> external = new ArrayList<>();
        spec.path("externalIPs").forEach(ip -> external.add(ip.asString("")));
        String externalIp;
        switch (type) {
            case "LoadBalancer" -> {
                List<String> lb = new ArrayList<>();
                for (JsonNode in : o.path("status").path("loadBalancer").path("ingress")) {
                    String v = in.path("ip").asString("");
                    lb.add(v.isEmpty() ? in.path("hostname").asString("") : v);
                }
                lb.addAll(external);
                externalIp = lb.isEmpty() ? "<pending>" : String.join(",", lb);
            }
            case "ExternalName" -> externalIp = spec.path("externalName").asString("");
            default -> externalIp = external.isEmpty() ? "<none>" : String.join(",", external);
        }
        List<String> ports = new ArrayList<>();
        for (JsonNode p : spec.path("ports")) {
            String proto = p.path("protocol").asString("TCP");
            long node = p.path("nodePort").asLong(0);
            ports.add(node != 0 ? p.path("port").asLong() + ":" + node + "/" + proto
                    : p.path("port").asLong() + "/" + proto);
        }
        return cells(name(o), type, clusterIp.isEmpty() ? "<none>" : clusterIp, externalIp,
                ports.isEmpty() ? "<none>" : String.join(",", ports), age(o, now), labels(spec.path("selector")));
    }

    private static List<String> node(JsonNode o, Instant now) {
        JsonNode status = o.path("status");
        List<String> st = new ArrayList<>();
        for (JsonNode c : status.path("conditions")) {
            if (c.path("type").asString("").equals("Ready")) {
                st.add(c.path("status").asString("").equals("True") ? "Ready" : "NotReady");
            }
        }
        if (st.isEmpty()) {
            st.add("Unknown");
        }
        if (o.path("spec").path("unschedulable").asBoolean(false)) {
            st.add("SchedulingDisabled");
        }
        TreeSet<String> roles = new TreeSet<>();
        for (Map.Entry<String, JsonNode> l : o.path("metadata").path("labels").properties()) {
            if (l.getKey().startsWith("node-role.kubernetes.io/")) {
                String role = l.getKey().substring("node-role.kubernetes.io/".length());
                if (!role.isEmpty()) {
                    roles.add(role);
                }
            } else if (l.getKey().equals("kubernetes.io/role") && !l.getValue().asString("").isEmpty()) {
                roles.add(l.getValue().asString());
            }
        }
        JsonNode info = status.path("nodeInfo");
        return cells(name(o), String.join(",", st), roles.isEmpty() ? "<none>" : String.join(",", roles),
                age(o, now), info.path("kubeletVersion").asString(""),
                address(status, "InternalIP"), address(status, "ExternalIP"),
                orUnknown(info.path("osImage")), orUnknown(info.path("kernelVersion")),
                orUnknown(info.path("containerRuntimeVersion")));
    }

    private static String address(JsonNode status, String type) {
        for (JsonNode a : status.path("addresses")) {
            if (a.path("type").asString("").equals(type)) {
                return a.path("address").asString("");
            }
        }
        return "<none>";
    }

    private static String orUnknown(JsonNode n) {
        String s = n.asString("");
        return s.isEmpty() ? "<unknown>" : s;
    }

    private static List<String> event(JsonNode o, Instant now) {
        String first = o.path("firstTimestamp").asString("");
        String firstSeen = !first.isEmpty() ? Ages.since(first, now) : Ages.since(o.path("eventTime").asString(null), now);
        String last = o.path("lastTimestamp").asString("");
        String lastSeen = !last.isEmpty() ? Ages.since(last, now) : firstSeen;
        long count = o.path("count").asLong(0);
        if (o.path("series").isObject()) {
            lastSeen = Ages.since(o.path("series").path("lastObservedTime").asString(null), now);
            count = o.path("series").path("count").asLong(0);
        } else if (count == 0) {
            count = 1;
        }
        JsonNode inv = o.path("involvedObject");
        String kind = inv.path("kind").asString("").toLowerCase(java.util.Locale.ROOT);
        String target = inv.path("name").asString("").isEmpty() ? kind : kind + "/" + inv.path("name").asString();
        String source = o.path("source").path("component").asString("");
        if (source.isEmpty()) {
            source = o.path("reportingComponent").asString("");
            String instance = o.path("reportingInstance").asString("");
            if (!instance.isEmpty()) {
                source = source + ", " + instance;
            }
        } else if (!o.path("source").path("host").asString("").isEmpty()) {
            source = source + ", " + o.path("source").path("host").asString();
        }
        return cells(lastSeen, o.path("type").asString(""), o.path("reason").asString(""), target,
                inv.path("fieldPath").asString(""), source, o.path("message").asString("").strip(), firstSeen,
                String.valueOf(count), name(o));
    }

    private static String endpoints(JsonNode o) {
        List<String> list = new ArrayList<>();
        int count = 0;
        for (JsonNode ss : o.path("subsets")) {
            if (ss.path("ports").isEmpty()) {
                for (JsonNode a : ss.path("addresses")) {
                    count++;
                    if (list.size() < 3) {
                        list.add(a.path("ip").asString(""));
                    }
                }
                continue;
            }
            for (JsonNode p : ss.path("ports")) {
                for (JsonNode a : ss.path("addresses")) {
                    count++;
                    if (list.size() < 3) {
                        list.add(a.path("ip").asString("") + ":" + p.path("port").asLong());
                    }
                }
            }
        }
        if (list.isEmpty()) {
            return "<none>";
        }
        String ret = String.join(",", list);
        return count > list.size() ? ret + " + " + (count - list.size()) + " more..." : ret;
    }

    private static List<String> binding(JsonNode o, Instant now) {
        JsonNode ref = o.path("roleRef");
        List<String> users = new ArrayList<>();
        List<String> groups = new ArrayList<>();
        List<String> sas = new ArrayList<>();
        for (JsonNode s : o.path("subjects")) {
            switch (s.path("kind").asString("")) {
                case "User" -> users.add(s.path("name").asString(""));
                case "Group" -> groups.add(s.path("name").asString(""));
                case "ServiceAccount" -> sas.add(s.path("namespace").asString("") + "/" + s.path("name").asString(""));
                default -> {
                }
            }
        }
        return cells(name(o), ref.path("kind").asString("") + "/" + ref.path("name").asString(""), age(o, now),
                String.join(", ", users), String.join(", ", groups), String.join(", ", sas));
    }

    /** printResourceQuota: {@code used/hard} per resource, sorted, {@code limits.*} in the Limit column. */
    private static List<String> resourceQuota(JsonNode o, Instant now) {
        TreeMap<String, String> hard = new TreeMap<>();
        o.path("status").path("hard").properties().forEach(e -> hard.put(e.getKey(), e.getValue().asString("")));
        List<String> request = new ArrayList<>();
        List<String> limit = new ArrayList<>();
        hard.forEach((resource, h) -> {
            String used = o.path("status").path("used").path(resource).asString("0");
            (resource.startsWith("limits.") ? limit : request).add(resource + ": " + used + "/" + h);
        });
        return cells(name(o), age(o, now), String.join(", ", request), String.join(", ", limit));
    }

    /** formatDiscoveryPorts: up to three port numbers (the name, or {@code *}, when unset). */
    private static String slicePorts(JsonNode ports) {
        List<String> list = new ArrayList<>();
        for (JsonNode p : ports) {
            list.add(p.path("port").isNumber() ? String.valueOf(p.path("port").asLong())
                    : p.path("name").isString() ? p.path("name").asString() : "*");
        }
        return moreString(list, 3);
    }

    /** formatDiscoveryEndpoints: up to three addresses of the slice's endpoints. */
    private static String sliceEndpoints(JsonNode endpoints) {
        List<String> list = new ArrayList<>();
        for (JsonNode e : endpoints) {
            e.path("addresses").forEach(a -> list.add(a.asString("")));
        }
        return moreString(list, 3);
    }

    /**
     * printIngress: the class ({@code <none>}), the rules' hosts (formatHosts: three, then {@code + N more...},
     * {@code *} for none), the load-balancer addresses, and {@code 80} or {@code 80, 443} when TLS is configured.
     */
    private static List<String> ingress(JsonNode o, Instant now) {
        JsonNode spec = o.path("spec");
        List<String> hosts = new ArrayList<>();
        int rules = spec.path("rules").size();
        for (JsonNode rule : spec.path("rules")) {
            if (hosts.size() == 3) {
                break;
            }
            String h = rule.path("host").asString("");
            if (!h.isEmpty()) {
                hosts.add(h);
            }
        }
        String hostText = hosts.isEmpty() ? "*" : String.join(",", hosts) + (rules > 3 && hosts.size() == 3
                ? " + " + (rules - 3) + " more..." : "");
        List<String> addresses = new ArrayList<>();
        for (JsonNode in : o.path("status").path("loadBalancer").path("ingress")) {
            String v = in.path("ip").asString("");
            addresses.add(v.isEmpty() ? in.path("hostname").asString("") : v);
        }
        return cells(name(o), spec.path("ingressClassName").asString("<none>"), hostText, String.join(",", addresses),
                spec.path("tls").size() > 0 ? "80, 443" : "80", age(o, now));
    }

    /** listWithMoreString: the first {@code max} joined, {@code + N more...} after them, {@code <unset>} for none. */
    private static String moreString(List<String> all, int max) {
        if (all.isEmpty()) {
            return "<unset>";
        }
        String ret = String.join(",", all.subList(0, Math.min(max, all.size())));
        return all.size() > max ? ret + " + " + (all.size() - max) + " more..." : ret;
    }

    /**
     * printControllerRevision's Controller column: the controller owner as {@code kind.group/name} in lower case
     * ({@code statefulset.apps/web}), {@code <none>} without one.
     */
    private static String controllerName(JsonNode o) {
        for (JsonNode ref : o.path("metadata").path("ownerReferences")) {
            if (ref.path("controller").asBoolean(false)) {
                String apiVersion = ref.path("apiVersion").asString("");
                int slash = apiVersion.indexOf('/');
                String group = slash < 0 ? "" : apiVersion.substring(0, slash);
                String kind = ref.path("kind").asString("");
                String gk = group.isEmpty() ? kind : kind + "." + group;
                return gk.toLowerCase(java.util.Locale.ROOT) + "/" + ref.path("name").asString("");
            }
        }
        return "<none>";
    }

    /** printHorizontalPodAutoscaler (autoscaling/v2 shape): reference, resource metric targets, bounds. */
    private static List<String> hpa(JsonNode o, Instant now) {
        JsonNode spec = o.path("spec");
        JsonNode ref = spec.path("scaleTargetRef");
        return cells(name(o), ref.path("kind").asString("") + "/" + ref.path("name").asString(""),
                hpaMetrics(spec.path("metrics"), o.path("status").path("currentMetrics")),
                spec.path("minReplicas").isNumber() ? String.valueOf(spec.path("minReplicas").asLong()) : "<unset>",
                String.valueOf(spec.path("maxReplicas").asLong(0)),
                String.valueOf(o.path("status").path("currentReplicas").asLong(0)), age(o, now));
    }

    /**
     * formatHPAMetrics for Resource and ContainerResource metrics ({@code cpu: 40%/80%}, {@code <unknown>} before
     * the first measurement); other metric types print as {@code <unknown type>} here. At most two are listed.
     */
    private static String hpaMetrics(JsonNode specs, JsonNode statuses) {
        if (specs.isEmpty()) {
            return "<none>";
        }
        List<String> list = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            JsonNode m = specs.get(i);
            String type = m.path("type").asString("");
            String field = type.equals("Resource") ? "resource" : type.equals("ContainerResource") ? "containerResource" : null;
            if (field == null) {
                list.add("<unknown type>");
                continue;
            }
            JsonNode target = m.path(field).path("target");
            JsonNode current = statuses.path(i).path(field).path("current");
            String resource = m.path(field).path("name").asString("");
            if (target.has("averageValue")) {
                list.add(resource + ": " + current.path("averageValue").asString("<unknown>") + "/"
                        + target.path("averageValue").asString(""));
            } else {
                String cur = current.path("averageUtilization").isNumber()
                        ? current.path("averageUtilization").asLong() + "%" : "<unknown>";
                String tgt = target.path("averageUtilization").isNumber()
                        ? target.path("averageUtilization").asLong() + "%" : "<auto>";
                list.add(resource + ": " + cur + "/" + tgt);
            }
        }
        String ret = String.join(", ", list.subList(0, Math.min(2, list.size())));
        return list.size() > 2 ? ret + " + " + (list.size() - 2) + " more..." : ret;
    }
}
