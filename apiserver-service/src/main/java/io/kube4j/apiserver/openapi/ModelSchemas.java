package io.kube4j.apiserver.openapi;

import io.fabric8.kubernetes.api.model.AnyType;
import io.fabric8.kubernetes.api.model.Duration;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.patch.PatchMetaTable;
import io.kube4j.api.patch.PatchSchema;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.introspect.BeanPropertyDefinition;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * OpenAPI v3 schemas of the registered resources, generated from the fabric8 model classes kube4j decodes (Jackson's
 * own view of their properties and Java types) under Kubernetes' definition names
 * ({@code io.k8s.api.apps.v1.DeploymentSpec}, {@code io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta}), with
 * Kubernetes' descriptions and required fields ({@link KubernetesDescriptions}), the strategic-merge-patch extensions
 * of {@link PatchMetaTable} and {@code x-kubernetes-group-version-kind} on every kind and list kind. References are
 * {@code #/components/schemas/NAME}; {@link #toV2(JsonNode)} rewrites a schema for Swagger 2.0.
 */
public final class ModelSchemas {

    static final String V3_REF = "#/components/schemas/";
    static final String V2_REF = "#/definitions/";

    /** The Status definition, which deletes and deletecollection answer with. */
    static final String STATUS = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";

    private static final String MODEL_PACKAGE = "io.fabric8.kubernetes.api.model";
    private static final String META = "io.k8s.apimachinery.pkg.apis.meta.v1.";
    /** fabric8 keeps apimachinery's meta/v1 types in the core package; these are the ones that come from meta/v1. */
    private static final Set<String> META_TYPES = Set.of("APIGroup", "APIGroupList", "APIResource", "APIResourceList",
            "APIVersions", "Condition", "DeleteOptions", "FieldsV1", "GroupVersionForDiscovery", "LabelSelector",
            "LabelSelectorRequirement", "ListMeta", "ManagedFieldsEntry", "ObjectMeta", "OwnerReference", "Patch",
            "Preconditions", "ServerAddressByClientCIDR", "Status", "StatusCause", "StatusDetails", "WatchEvent");

    private final KubernetesDescriptions docs;
    private final SerializationContext jackson = Codecs.json()._serializationContext();
    private final Map<String, String> packagePrefixes = new HashMap<>();
    private final Map<String, ObjectNode> schemas = new TreeMap<>();
    /** Definitions generated while following patch metadata (one reached first without it is redone). */
    private final Set<String> withPatchMeta = new HashSet<>();
    private final Map<ResourceType, String> roots = new LinkedHashMap<>();
    private final Map<ResourceType, String> lists = new LinkedHashMap<>();

    public ModelSchemas(ResourceRegistry registry, PatchMetaTable patches, KubernetesDescriptions docs) {
        this.docs = docs;
        defineTime();
        define(io.fabric8.kubernetes.api.model.Status.class, null);
        // the stored resources and the other versions some of them are served in (autoscaling/v1 HPAs)
        List<ResourceType> described = new ArrayList<>(registry.all());
        registry.alsoServed().forEach(v -> described.add(v.served()));
        for (ResourceType t : described) {
            packagePrefixes.putIfAbsent(t.type().getPackageName(), prefix(t.group(), t.version()));
        }
        for (ResourceType t : described) {
            PatchSchema ps = patches.forKind(t.apiVersion(), t.kind()).orElse(null);
            String root = define(t.type(), ps);
            gvk(schemas.get(root), t, t.kind());
            roots.put(t, root);
            try {
                Class<?> list = Class.forName(t.type().getName() + "List", false, t.type().getClassLoader());
                String listName = define(list, null);
                gvk(schemas.get(listName), t, t.listKind());
                lists.put(t, listName);
            } catch (ClassNotFoundException e) {
                // a kind without a list type (the review resources): nothing to describe
            }
        }
    }

    /** Every generated schema by definition name, in v3 form. */
    public Map<String, ObjectNode> schemas() {
        return schemas;
    }

    /** The definition name of a resource's kind ({@code io.k8s.api.apps.v1.Deployment}). */
    public String definition(ResourceType t) {
        return roots.get(t);
    }

    /** The definition name of a resource's list kind, or null. */
    public String listDefinition(ResourceType t) {
        return lists.get(t);
    }

    /** The definitions {@code names} refer to, directly or not, and themselves. */
    public Set<String> closure(Iterable<String> names) {
        Set<String> seen = new java.util.TreeSet<>();
        Deque<String> todo = new ArrayDeque<>();
        names.forEach(n -> {
            if (n != null) {
                todo.add(n);
            }
        });
        while (!todo.isEmpty()) {
            String n = todo.pop();
            if (schemas.containsKey(n) && seen.add(n)) {
                refs(schemas.get(n), todo);
            }
        }
        return seen;
    }

    private static void refs(JsonNode n, Deque<String> out) {
        if (n.isObject()) {
            String ref = n.path("$ref").asString("");
            if (ref.startsWith(V3_REF)) {
                out.add(ref.substring(V3_REF.length()));
            }
        }
        for (JsonNode child : n) {
            refs(child, out);
        }
    }

    /** Kubernetes' name for the Go package of a group-version. */
    static String prefix(String group, String version) {
        if (group.equals("apiextensions.k8s.io")) {
            return "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions." + version + ".";
        }
        if (group.equals("apiregistration.k8s.io")) {
            return "io.k8s.kube-aggregator.pkg.apis.apiregistration." + version + ".";
        }
        if (group.equals("metrics.k8s.io")) {
            return "io.k8s.metrics.pkg.apis.metrics." + version + ".";
        }
        String g = group.isEmpty() ? "core" : group.contains(".") ? group.substring(0, group.indexOf('.')) : group;
        return "io.k8s.api." + g + "." + version + ".";
    }

    /** Kubernetes' definition name of a fabric8 model class. */
    String nameOf(Class<?> c) {
        if (c == IntOrString.class) {
            return "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
        }
        if (c == Quantity.class) {
            return "io.k8s.apimachinery.pkg.api.resource.Quantity";
        }
        if (c == MicroTime.class) {
            return META + "MicroTime";
        }
        if (c == Duration.class) {
            return META + "Duration";
        }
        String pkg = c.getPackageName();
        String simple = c.getSimpleName();
        if (pkg.equals(MODEL_PACKAGE) && META_TYPES.contains(simple)) {
            return META + simple;
        }
        if (pkg.equals(MODEL_PACKAGE + ".runtime")) {
            return "io.k8s.apimachinery.pkg.runtime." + simple;
        }
        String known = packagePrefixes.get(pkg);
        if (known != null) {
            return known + simple;
        }
        if (pkg.equals(MODEL_PACKAGE)) {
            return prefix("", "v1") + simple;
        }
        // io.fabric8.kubernetes.api.model.<group>[.<version>]: the group's first word, as Kubernetes names it
        String rest = pkg.startsWith(MODEL_PACKAGE + ".") ? pkg.substring(MODEL_PACKAGE.length() + 1) : pkg;
        String[] w = rest.split("\\.");
        String version = w[w.length - 1].matches("v\\d+((alpha|beta)\\d+)?") ? w[w.length - 1] : "v1";
        return "io.k8s.api." + w[0] + "." + version + "." + simple;
    }

    private String define(Class<?> c, PatchSchema patch) {
        String name = nameOf(c);
        boolean real = patch != null && patch != PatchSchema.generic();
        if (schemas.containsKey(name) && (!real || withPatchMeta.contains(name))) {
            return name;
        }
        if (real) {
            withPatchMeta.add(name);
        }
        ObjectNode s = Codecs.json().createObjectNode();
        schemas.put(name, s); // before the fields, so that a type referring to itself (JSONSchemaProps) ends
        JsonNode doc = docs.forDefinition(name);
        if (doc.hasNonNull("description")) {
            s.put("description", doc.get("description").asString());
        }
        if (special(c, s)) {
            return name;
        }
        s.put("type", "object");
        BeanDescription bean = jackson.introspectBeanDescription(jackson.constructType(c));
        Map<String, BeanPropertyDefinition> props = new TreeMap<>();
        for (BeanPropertyDefinition p : bean.findProperties()) {
            if (p.couldSerialize() && !p.getName().equals("additionalProperties")) {
                props.put(p.getName(), p);
            }
        }
        ObjectNode properties = s.putObject("properties");
        ArrayNode required = Codecs.json().createArrayNode();
        for (BeanPropertyDefinition p : props.values()) {
            JsonNode pdoc = doc.path("properties").path(p.getName());
            PatchSchema.Field field = real ? patch.field(p.getName()) : null;
            ObjectNode ps = property(p.getPrimaryType(), field == null ? null : field.schema(),
                    pdoc.path("format").asString(""));
            String d = pdoc.path("description").asString("");
            if (!d.isEmpty()) {
                ps = withSiblings(ps);
                ps.put("description", d);
            }
            if (field != null && !field.strategies().isEmpty()) {
                ps = withSiblings(ps);
                ps.put("x-kubernetes-patch-strategy", String.join(",", field.strategies()));
                if (!field.mergeKey().isEmpty()) {
                    ps.put("x-kubernetes-patch-merge-key", field.mergeKey());
                }
                if (ps.has("items") && field.strategies().contains("merge")) {
                    // how Kubernetes reads these tags where no +listType says otherwise (structured-merge-diff):
                    // a merge-keyed list is a map by that key, a merged primitive list a set
                    if (field.mergeKey().isEmpty()) {
                        ps.put("x-kubernetes-list-type", "set");
                    } else {
                        ps.put("x-kubernetes-list-type", "map");
                        ps.putArray("x-kubernetes-list-map-keys").add(field.mergeKey());
                    }
                }
            }
            properties.set(p.getName(), ps);
            if (pdoc.path("required").asBoolean(false)) {
                required.add(p.getName());
            }
        }
        if (!required.isEmpty()) {
            s.set("required", required);
        }
        return name;
    }

    /** The types that are strings or numbers on the wire however fabric8 models them. */
    private static boolean special(Class<?> c, ObjectNode s) {
        if (c == IntOrString.class) {
            oneOf(s, "integer", "string").put("format", "int-or-string");
            s.put("x-kubernetes-int-or-string", true);
        } else if (c == Quantity.class) {
            oneOf(s, "integer", "string").put("format", "quantity");
            s.put("x-kubernetes-int-or-string", true);
        } else if (c == MicroTime.class) {
            s.put("type", "string").put("format", "date-time");
        } else if (c == Duration.class) {
            s.put("type", "string");
        } else {
            return false;
        }
        return true;
    }

    private static ObjectNode oneOf(ObjectNode s, String... types) {
        ArrayNode alts = s.putArray("oneOf");
        for (String t : types) {
            alts.addObject().put("type", t);
        }
        return s;
    }

    /** A {@code $ref} cannot have siblings in v3.0: wrap it in {@code allOf} as Kubernetes does. */
    private static ObjectNode withSiblings(ObjectNode ps) {
        if (ps.has("$ref") && ps.size() == 1) {
            ObjectNode wrapped = Codecs.json().createObjectNode();
            wrapped.putArray("allOf").add(ps);
            return wrapped;
        }
        return ps;
    }

    private ObjectNode property(JavaType t, PatchSchema patch, String format) {
        ObjectNode s = Codecs.json().createObjectNode();
        Class<?> raw = t.getRawClass();
        if (raw == byte[].class) {
            return s.put("type", "string").put("format", "byte");
        }
        if (t.isCollectionLikeType() || t.isArrayType()) {
            s.put("type", "array");
            s.set("items", property(t.getContentType(), patch, format));
            return s;
        }
        if (t.isMapLikeType()) {
            s.put("type", "object");
            PatchSchema values = patch == null ? null : patch.field("*").schema();
            s.set("additionalProperties", property(t.getContentType(), values, format));
            return s;
        }
        if (raw == String.class) {
            if (format.equals("date-time")) {
                return s.put("$ref", V3_REF + META + "Time");
            }
            s.put("type", "string");
            return format.equals("byte") ? s.put("format", "byte") : s;
        }
        if (raw == Integer.class || raw == int.class || raw == Short.class || raw == short.class) {
            return s.put("type", "integer").put("format", "int32");
        }
        if (raw == Long.class || raw == long.class) {
            return s.put("type", "integer").put("format", "int64");
        }
        if (raw == Boolean.class || raw == boolean.class) {
            return s.put("type", "boolean");
        }
        if (raw == Double.class || raw == double.class || raw == Float.class || raw == float.class) {
            return s.put("type", "number").put("format", raw == Float.class || raw == float.class ? "float" : "double");
        }
        if (raw == AnyType.class || raw == Object.class || JsonNode.class.isAssignableFrom(raw)
                || !raw.getName().startsWith(MODEL_PACKAGE)) {
            return s.put("type", "object");
        }
        if (raw.getSimpleName().equals("Time")) {
            return s.put("$ref", V3_REF + META + "Time");
        }
        return s.put("$ref", V3_REF + define(raw, patch));
    }

    /** The Time definition every timestamp field refers to. */
    private void defineTime() {
        schemas.computeIfAbsent(META + "Time", k -> Codecs.json().createObjectNode()
                .put("type", "string").put("format", "date-time"));
    }

    private static void gvk(ObjectNode s, ResourceType t, String kind) {
        ArrayNode a = s.has("x-kubernetes-group-version-kind") ? (ArrayNode) s.get("x-kubernetes-group-version-kind")
                : s.putArray("x-kubernetes-group-version-kind");
        for (JsonNode e : a) {
            if (e.path("kind").asString("").equals(kind) && e.path("group").asString("").equals(t.group())
                    && e.path("version").asString("").equals(t.version())) {
                return;
            }
        }
        a.addObject().put("group", t.group()).put("kind", kind).put("version", t.version());
    }

    /** A v3 schema rewritten for Swagger 2.0: refs to {@code #/definitions/}, no {@code allOf}/{@code oneOf} wrappers. */
    static JsonNode toV2(JsonNode v3) {
        if (v3.isArray()) {
            ArrayNode out = Codecs.json().createArrayNode();
            v3.forEach(e -> out.add(toV2(e)));
            return out;
        }
        if (!v3.isObject()) {
            return v3;
        }
        ObjectNode out = Codecs.json().createObjectNode();
        JsonNode allOf = v3.get("allOf");
        if (allOf != null && allOf.size() == 1 && allOf.get(0).has("$ref")) {
            out.put("$ref", allOf.get(0).get("$ref").asString().replace(V3_REF, V2_REF));
        }
        if (v3.has("oneOf")) {
            out.put("type", "string");
        }
        for (Map.Entry<String, JsonNode> e : v3.properties()) {
            switch (e.getKey()) {
                case "allOf", "oneOf" -> {
                    if (!out.has("$ref") && !e.getKey().equals("oneOf")) {
                        out.set(e.getKey(), toV2(e.getValue()));
                    }
                }
                case "$ref" -> out.put("$ref", e.getValue().asString().replace(V3_REF, V2_REF));
                default -> out.set(e.getKey(), toV2(e.getValue()));
            }
        }
        return out;
    }

}
