package io.kube4j.apiserver.audit;

import io.kube4j.api.codec.Codecs;
import io.kube4j.apiserver.auth.authz.AuthorizationAttributes;
import io.kube4j.security.UserInfo;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Builds {@code audit.k8s.io/v1 Event} JSON from an {@link AuditRecord}. Secrets' {@code data} and
 * {@code stringData} (and the last-applied annotation that would repeat them) are removed from request and
 * response objects at every level, lists included; a Secret request body that is not an object (a JSON patch)
 * is left out entirely.
 */
final class AuditEvents {

    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private AuditEvents() {
    }

    static String toJsonLine(AuditRecord r) {
        ObjectNode e = Codecs.json().createObjectNode();
        e.put("kind", "Event");
        e.put("apiVersion", "audit.k8s.io/v1");
        e.put("level", r.level().name());
        e.put("auditID", r.auditId());
        e.put("stage", r.stage());
        e.put("requestURI", r.requestUri());
        AuthorizationAttributes a = r.attrs();
        e.put("verb", a.verb());
        e.set("user", user(r.user()));
        if (r.impersonatedUser() != null) {
            e.set("impersonatedUser", user(r.impersonatedUser()));
        }
        ArrayNode ips = e.putArray("sourceIPs");
        r.sourceIps().forEach(ips::add);
        if (r.userAgent() != null) {
            e.put("userAgent", r.userAgent());
        }
        boolean secret = a.resourceRequest() && a.resource().equals("secrets") && a.apiGroup().isEmpty();
        if (a.resourceRequest()) {
            ObjectNode ref = e.putObject("objectRef");
            ref.put("resource", a.resource());
            putIfSet(ref, "namespace", a.namespace());
            putIfSet(ref, "name", a.name());
            putIfSet(ref, "apiGroup", a.apiGroup());
            putIfSet(ref, "apiVersion", a.apiVersion());
            putIfSet(ref, "subresource", a.subresource());
        }
        JsonNode responseTree = parse(r.responseBody(), "application/json");
        if (r.code() > 0) {
            ObjectNode status = e.putObject("responseStatus");
            status.putObject("metadata");
            if (r.code() >= 400 && responseTree != null && "Status".equals(responseTree.path("kind").asString(""))) {
                copyText(responseTree, status, "status");
                copyText(responseTree, status, "message");
                copyText(responseTree, status, "reason");
            }
            status.put("code", r.code());
        }
        if (r.level().atLeast(AuditLevel.Request) && r.requestBody() != null && r.requestBody().length > 0) {
            JsonNode req = parse(r.requestBody(), r.requestContentType());
            if (req != null && (!secret || req.isObject())) {
                e.set("requestObject", secret ? redactSecret(req) : req);
            }
        }
        if (r.level().atLeast(AuditLevel.RequestResponse) && responseTree != null) {
            e.set("responseObject", secret ? redactSecret(responseTree) : responseTree);
        }
        e.put("requestReceivedTimestamp", MICROS.format(r.received()));
        e.put("stageTimestamp", MICROS.format(r.stageTime()));
        return Codecs.json().writeValueAsString(e);
    }

    private static void putIfSet(ObjectNode n, String field, String value) {
        if (value != null && !value.isEmpty()) {
            n.put(field, value);
        }
    }

    private static void copyText(JsonNode from, ObjectNode to, String field) {
        if (from.hasNonNull(field)) {
            to.put(field, from.get(field).asString(""));
        }
    }

    private static ObjectNode user(UserInfo u) {
        ObjectNode n = Codecs.json().createObjectNode();
        if (u == null) {
            n.put("username", "unknown");
            return n;
        }
        n.put("username", u.name());
        putIfSet(n, "uid", u.uid());
        ArrayNode g = n.putArray("groups");
        u.groups().forEach(g::add);
        if (u.extra() != null && !u.extra().isEmpty()) {
            ObjectNode x = n.putObject("extra");
            u.extra().forEach((k, v) -> {
                ArrayNode vals = x.putArray(k);
                v.forEach(vals::add);
            });
        }
        return n;
    }

    private static JsonNode parse(byte[] body, String contentType) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            if (contentType != null && contentType.contains("yaml")) {
                List<JsonNode> docs = Codecs.readYamlDocuments(new String(body, StandardCharsets.UTF_8));
                return docs.size() == 1 ? docs.get(0) : null;
            }
            return Codecs.json().readTree(body);
        } catch (RuntimeException e) {
            // a body the server refused as malformed: the event keeps its metadata, without the object
            return null;
        }
    }

    /** A Secret (or a list of them) without its data. */
    static JsonNode redactSecret(JsonNode n) {
        if (!n.isObject()) {
            return n;
        }
        ObjectNode o = ((ObjectNode) n).deepCopy();
        o.remove("data");
        o.remove("stringData");
        JsonNode annotations = o.path("metadata").path("annotations");
        if (annotations.isObject()) {
            ((ObjectNode) annotations).remove(LAST_APPLIED);
        }
        JsonNode items = o.get("items");
        if (items != null && items.isArray()) {
            ArrayNode clean = o.putArray("items");
            items.forEach(i -> clean.add(redactSecret(i)));
        }
        return o;
    }

    static Instant now() {
        return Instant.now();
    }
}
