package io.kube4j.apiserver.audit;

import io.kube4j.api.codec.Codecs;
import io.kube4j.apiserver.auth.authz.AuthorizationAttributes;
import io.kube4j.security.UserInfo;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Kubernetes' {@code audit.k8s.io/v1 Policy}: rules matched in order (users, userGroups, verbs, resources with
 * group/resources/resourceNames, namespaces, nonResourceURLs), the first that matches sets the level and the
 * stages to omit; no matching rule means {@link AuditLevel#None}.
 */
public final class AuditPolicy {

    /** What the policy decided for one request. */
    public record Decision(AuditLevel level, Set<String> omitStages) {
        static final Decision NONE = new Decision(AuditLevel.None, Set.of());
    }

    record GroupResources(String group, List<String> resources, List<String> resourceNames) {
    }

    record Rule(AuditLevel level, List<String> users, List<String> userGroups, List<String> verbs,
                List<GroupResources> resources, List<String> namespaces, List<String> nonResourceUrls,
                Set<String> omitStages) {
    }

    private static final Set<String> STAGES = Set.of("RequestReceived", "ResponseStarted", "ResponseComplete", "Panic");

    private final List<Rule> rules;

    private AuditPolicy(List<Rule> rules) {
        this.rules = rules;
    }

    public static AuditPolicy load(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the audit policy " + file + ": " + e.getMessage(), e);
        }
    }

    public static AuditPolicy parse(String yaml) {
        JsonNode root;
        try {
            List<JsonNode> docs = Codecs.readYamlDocuments(yaml);
            if (docs.size() != 1) {
                throw new IllegalArgumentException("the audit policy must be one YAML document");
            }
            root = docs.get(0);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("the audit policy is not valid YAML: " + e.getOriginalMessage(), e);
        }
        if (!"Policy".equals(root.path("kind").asString(""))) {
            throw new IllegalArgumentException("the audit policy must have kind Policy (audit.k8s.io/v1)");
        }
        Set<String> policyOmit = stages(root.path("omitStages"));
        List<Rule> rules = new ArrayList<>();
        int i = 0;
        for (JsonNode r : root.path("rules")) {
            String levelName = r.path("level").asString("");
            AuditLevel level;
            try {
                level = AuditLevel.valueOf(levelName);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("rules[" + i + "].level: unknown level \"" + levelName
                        + "\" (None, Metadata, Request, RequestResponse)");
            }
            List<GroupResources> gr = new ArrayList<>();
            for (JsonNode g : r.path("resources")) {
                gr.add(new GroupResources(g.path("group").asString(""), strings(g.path("resources")),
                        strings(g.path("resourceNames"))));
            }
            List<String> nonResource = strings(r.path("nonResourceURLs"));
            if (!nonResource.isEmpty() && (!gr.isEmpty() || r.has("namespaces"))) {
                throw new IllegalArgumentException("rules[" + i + "]: rules cannot apply to both regular resources "
                        + "and non-resource URLs");
            }
            Set<String> omit = new java.util.HashSet<>(policyOmit);
            omit.addAll(stages(r.path("omitStages")));
            rules.add(new Rule(level, strings(r.path("users")), strings(r.path("userGroups")), strings(r.path("verbs")),
                    gr, r.has("namespaces") ? strings(r.path("namespaces")) : null, nonResource, Set.copyOf(omit)));
            i++;
        }
        return new AuditPolicy(rules);
    }

    private static List<String> strings(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.forEach(v -> out.add(v.asString("")));
        return out;
    }

    private static Set<String> stages(JsonNode n) {
        Set<String> out = new java.util.HashSet<>();
        for (JsonNode s : n) {
            if (!STAGES.contains(s.asString(""))) {
                throw new IllegalArgumentException("unknown audit stage " + s.asString(""));
            }
            out.add(s.asString());
        }
        return out;
    }

    /** The level for a request by {@code user} (null when no authenticator identified it). */
    public Decision decide(UserInfo user, AuthorizationAttributes a) {
        for (Rule r : rules) {
            if (matches(r, user, a)) {
                return new Decision(r.level(), r.omitStages());
            }
        }
        return Decision.NONE;
    }

    private static boolean matches(Rule r, UserInfo user, AuthorizationAttributes a) {
        if (!r.users().isEmpty() && (user == null || !r.users().contains(user.name()))) {
            return false;
        }
        if (!r.userGroups().isEmpty() && (user == null || user.groups().stream().noneMatch(r.userGroups()::contains))) {
            return false;
        }
        if (!r.verbs().isEmpty() && !r.verbs().contains(a.verb())) {
            return false;
        }
        boolean resourceRule = !r.resources().isEmpty() || r.namespaces() != null;
        if (resourceRule || !r.nonResourceUrls().isEmpty()) {
            return a.resourceRequest() ? resourceRule && resourceMatches(r, a) : nonResourceMatches(r, a.path());
        }
        return true;
    }

    private static boolean resourceMatches(Rule r, AuthorizationAttributes a) {
        if (r.namespaces() != null && !r.namespaces().contains(a.namespace())) {
            return false;
        }
        if (r.resources().isEmpty()) {
            return true;
        }
        String combined = a.resourceWithSubresource();
        for (GroupResources g : r.resources()) {
            if (!g.group().equals(a.apiGroup())) {
                continue;
            }
            if (!g.resourceNames().isEmpty() && !g.resourceNames().contains(a.name())) {
                continue;
            }
            if (g.resources().isEmpty()) {
                return true;
            }
            for (String res : g.resources()) {
                if (res.equals(combined) || res.equals("*")
                        || a.subresource().isEmpty() && res.equals(a.resource())
                        || res.equals(a.resource() + "/*")
                        || res.equals("*/" + a.subresource()) && !a.subresource().isEmpty()) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean nonResourceMatches(Rule r, String path) {
        for (String u : r.nonResourceUrls()) {
            if (u.equals("*") || u.equals(path) || u.endsWith("*") && path.startsWith(u.substring(0, u.length() - 1))) {
                return true;
            }
        }
        return false;
    }
}
