package io.kube4j.api.validation;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ServiceReference;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Validation of {@code MutatingWebhookConfiguration} and {@code ValidatingWebhookConfiguration} as Kubernetes'
 * {@code admissionregistration/validation} does it for v1: unique fully qualified webhook names, exactly one of url
 * (https, no user, query or fragment) or service, rules, failure/match/reinvocation policies, sideEffects None or
 * NoneOnDryRun, admissionReviewVersions including v1 or v1beta1, timeoutSeconds 1..30 and the label selectors.
 * matchConditions (CEL) are not supported and refused.
 */
final class WebhookConfigurationValidation {

    static final List<String> ACCEPTED_REVIEW_VERSIONS = List.of("v1", "v1beta1");
    private static final List<String> FAILURE_POLICIES = List.of("Fail", "Ignore");
    private static final List<String> MATCH_POLICIES = List.of("Equivalent", "Exact");
    private static final List<String> NO_SIDE_EFFECTS = List.of("None", "NoneOnDryRun");
    private static final List<String> REINVOCATION_POLICIES = List.of("IfNeeded", "Never");
    private static final List<String> OPERATIONS = List.of("*", "CONNECT", "CREATE", "DELETE", "UPDATE");
    private static final List<String> SCOPES = List.of("*", "Cluster", "Namespaced");
    private static final String URL_FORM = "; desired format: https://host[/path]";

    /** What the two webhook kinds have in common (fabric8 gives them no shared type). */
    private record Hook(String name, WebhookClientConfig clientConfig, List<RuleWithOperations> rules,
                        String failurePolicy, String matchPolicy, LabelSelector namespaceSelector,
                        LabelSelector objectSelector, String sideEffects, Integer timeoutSeconds,
                        List<String> admissionReviewVersions, String reinvocationPolicy, boolean hasMatchConditions) {
    }

    private WebhookConfigurationValidation() {
    }

    static void validate(MutatingWebhookConfiguration c, List<FieldError> errs) {
        List<MutatingWebhook> hooks = c.getWebhooks() == null ? List.of() : c.getWebhooks();
        validateHooks(hooks.stream().map(h -> new Hook(h.getName(), h.getClientConfig(), h.getRules(),
                h.getFailurePolicy(), h.getMatchPolicy(), h.getNamespaceSelector(), h.getObjectSelector(),
                h.getSideEffects(), h.getTimeoutSeconds(), h.getAdmissionReviewVersions(), h.getReinvocationPolicy(),
                h.getMatchConditions() != null && !h.getMatchConditions().isEmpty())).toList(), true, errs);
    }

    static void validate(ValidatingWebhookConfiguration c, List<FieldError> errs) {
        List<ValidatingWebhook> hooks = c.getWebhooks() == null ? List.of() : c.getWebhooks();
        validateHooks(hooks.stream().map(h -> new Hook(h.getName(), h.getClientConfig(), h.getRules(),
                h.getFailurePolicy(), h.getMatchPolicy(), h.getNamespaceSelector(), h.getObjectSelector(),
                h.getSideEffects(), h.getTimeoutSeconds(), h.getAdmissionReviewVersions(), null,
                h.getMatchConditions() != null && !h.getMatchConditions().isEmpty())).toList(), false, errs);
    }

    private static void validateHooks(List<Hook> hooks, boolean mutating, List<FieldError> errs) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < hooks.size(); i++) {
            Hook h = hooks.get(i);
            String p = "webhooks[" + i + "]";
            validateHook(h, mutating, p, errs);
            reviewVersions(h.admissionReviewVersions(), p + ".admissionReviewVersions", errs);
            if (h.name() != null && !h.name().isEmpty() && !names.add(h.name())) {
                errs.add(FieldError.duplicate(p + ".name", h.name()));
            }
        }
    }

    private static void validateHook(Hook h, boolean mutating, String p, List<FieldError> errs) {
        fullyQualifiedName(h.name(), p + ".name", errs);
        List<RuleWithOperations> rules = h.rules() == null ? List.of() : h.rules();
        for (int i = 0; i < rules.size(); i++) {
            rule(rules.get(i), p + ".rules[" + i + "]", errs);
        }
        if (h.failurePolicy() != null && !FAILURE_POLICIES.contains(h.failurePolicy())) {
            errs.add(FieldError.notSupported(p + ".failurePolicy", h.failurePolicy(), FAILURE_POLICIES));
        }
        if (h.matchPolicy() != null && !MATCH_POLICIES.contains(h.matchPolicy())) {
            errs.add(FieldError.notSupported(p + ".matchPolicy", h.matchPolicy(), MATCH_POLICIES));
        }
        if (h.sideEffects() == null) {
            errs.add(FieldError.required(p + ".sideEffects", "must specify one of " + String.join(", ", NO_SIDE_EFFECTS)));
        } else if (!NO_SIDE_EFFECTS.contains(h.sideEffects())) {
            errs.add(FieldError.notSupported(p + ".sideEffects", h.sideEffects(), NO_SIDE_EFFECTS));
        }
        if (h.timeoutSeconds() != null && (h.timeoutSeconds() > 30 || h.timeoutSeconds() < 1)) {
            errs.add(FieldError.invalid(p + ".timeoutSeconds", h.timeoutSeconds(),
                    "the timeout value must be between 1 and 30 seconds"));
        }
        if (h.namespaceSelector() != null) {
            WorkloadValidation.validateLabelSelector(h.namespaceSelector(), p + ".namespaceSelector", errs);
        }
        if (h.objectSelector() != null) {
            WorkloadValidation.validateLabelSelector(h.objectSelector(), p + ".objectSelector", errs);
        }
        if (mutating && h.reinvocationPolicy() != null && !REINVOCATION_POLICIES.contains(h.reinvocationPolicy())) {
            errs.add(FieldError.notSupported(p + ".reinvocationPolicy", h.reinvocationPolicy(), REINVOCATION_POLICIES));
        }
        clientConfig(h.clientConfig(), p + ".clientConfig", errs);
        if (h.hasMatchConditions()) {
            errs.add(FieldError.forbidden(p + ".matchConditions", "matchConditions (CEL) are not supported by kube4j"));
        }
    }

    /** {@code utilvalidation.IsFullyQualifiedName}. */
    private static void fullyQualifiedName(String name, String path, List<FieldError> errs) {
        if (name == null || name.isEmpty()) {
            errs.add(FieldError.required(path, ""));
            return;
        }
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        List<String> bad = NameRules.dns1123Subdomain(n);
        if (!bad.isEmpty()) {
            errs.add(FieldError.invalid(path, n, String.join(",", bad)));
        } else if (n.split("\\.", -1).length < 3) {
            errs.add(FieldError.invalid(path, n, "should be a domain with at least three segments separated by dots"));
        }
    }

    private static void reviewVersions(List<String> versions, String path, List<FieldError> errs) {
        if (versions == null || versions.isEmpty()) {
            errs.add(FieldError.required(path, "must specify one of " + String.join(", ", ACCEPTED_REVIEW_VERSIONS)));
            return;
        }
        Set<String> seen = new HashSet<>();
        boolean accepted = false;
        for (int i = 0; i < versions.size(); i++) {
            String v = versions.get(i) == null ? "" : versions.get(i);
            if (!seen.add(v)) {
                errs.add(FieldError.invalid(path + "[" + i + "]", v, "duplicate version"));
                continue;
            }
            String vp = path + "[" + i + "]";
            NameRules.dns1035Label(v).forEach(m -> errs.add(FieldError.invalid(vp, v, m)));
            accepted |= ACCEPTED_REVIEW_VERSIONS.contains(v);
        }
        if (!accepted) {
            errs.add(FieldError.invalid(path, versions,
                    "must include at least one of " + String.join(", ", ACCEPTED_REVIEW_VERSIONS)));
        }
    }

    private static void rule(RuleWithOperations r, String p, List<FieldError> errs) {
        List<String> ops = r.getOperations() == null ? List.of() : r.getOperations();
        if (ops.isEmpty()) {
            errs.add(FieldError.required(p + ".operations", ""));
        }
        if (ops.size() > 1 && ops.contains("*")) {
            errs.add(FieldError.invalid(p + ".operations", ops, "if '*' is present, must not specify other operations"));
        }
        for (int i = 0; i < ops.size(); i++) {
            if (!OPERATIONS.contains(ops.get(i))) {
                errs.add(FieldError.notSupported(p + ".operations[" + i + "]", ops.get(i), OPERATIONS));
            }
        }
        List<String> groups = r.getApiGroups() == null ? List.of() : r.getApiGroups();
        if (groups.isEmpty()) {
            errs.add(FieldError.required(p + ".apiGroups", ""));
        }
        if (groups.size() > 1 && groups.contains("*")) {
            errs.add(FieldError.invalid(p + ".apiGroups", groups, "if '*' is present, must not specify other API groups"));
        }
        List<String> versions = r.getApiVersions() == null ? List.of() : r.getApiVersions();
        if (versions.isEmpty()) {
            errs.add(FieldError.required(p + ".apiVersions", ""));
        }
        if (versions.size() > 1 && versions.contains("*")) {
            errs.add(FieldError.invalid(p + ".apiVersions", versions, "if '*' is present, must not specify other API versions"));
        }
        for (int i = 0; i < versions.size(); i++) {
            if (versions.get(i) == null || versions.get(i).isEmpty()) {
                errs.add(FieldError.required(p + ".apiVersions[" + i + "]", ""));
            }
        }
        resources(r.getResources() == null ? List.of() : r.getResources(), p + ".resources", errs);
        if (r.getScope() != null && !SCOPES.contains(r.getScope())) {
            errs.add(FieldError.notSupported(p + ".scope", r.getScope(), SCOPES));
        }
    }

    /** {@code validateResources}: {@code x}, {@code x/y}, {@code x/*}, {@code * /y}, {@code *}, {@code * /*} without overlaps. */
    private static void resources(List<String> resources, String path, List<FieldError> errs) {
        if (resources.isEmpty()) {
            errs.add(FieldError.required(path, ""));
        }
        Set<String> withWildcardSub = new HashSet<>();
        Set<String> subWithWildcardRes = new HashSet<>();
        boolean doubleWildcard = false;
        boolean singleWildcard = false;
        boolean plainResource = false;
        for (int i = 0; i < resources.size(); i++) {
            String rs = resources.get(i) == null ? "" : resources.get(i);
            String ip = path + "[" + i + "]";
            if (rs.isEmpty()) {
                errs.add(FieldError.required(ip, ""));
                continue;
            }
            doubleWildcard |= rs.equals("*/*");
            singleWildcard |= rs.equals("*");
            int slash = rs.indexOf('/');
            if (slash < 0) {
                plainResource = !rs.equals("*");
                continue;
            }
            String res = rs.substring(0, slash);
            String sub = rs.substring(slash + 1);
            if (withWildcardSub.contains(res)) {
                errs.add(FieldError.invalid(ip, rs, "if '" + res + "/*' is present, must not specify " + rs));
            }
            if (subWithWildcardRes.contains(sub)) {
                errs.add(FieldError.invalid(ip, rs, "if '*/" + sub + "' is present, must not specify " + rs));
            }
            if (sub.equals("*")) {
                withWildcardSub.add(res);
            }
            if (res.equals("*")) {
                subWithWildcardRes.add(sub);
            }
        }
        if (resources.size() > 1 && doubleWildcard) {
            errs.add(FieldError.invalid(path, resources, "if '*/*' is present, must not specify other resources"));
        }
        if (singleWildcard && plainResource) {
            errs.add(FieldError.invalid(path, resources,
                    "if '*' is present, must not specify other resources without subresources"));
        }
    }

    private static void clientConfig(WebhookClientConfig cc, String p, List<FieldError> errs) {
        String url = cc == null ? null : cc.getUrl();
        ServiceReference svc = cc == null ? null : cc.getService();
        if ((url == null) == (svc == null)) {
            errs.add(FieldError.required(p, "exactly one of url or service is required"));
        } else if (url != null) {
            url(url, p + ".url", errs);
        } else {
            service(svc, p + ".service", errs);
        }
    }

    /** {@code webhook.ValidateWebhookURL} with https forced. */
    private static void url(String url, String path, List<FieldError> errs) {
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            errs.add(FieldError.required(path, "url must be a valid URL: " + e.getMessage() + URL_FORM));
            return;
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme();
        if (!scheme.equals("https")) {
            errs.add(FieldError.invalid(path, scheme, "'https' is the only allowed URL scheme" + URL_FORM));
        }
        String host = u.getRawAuthority() == null ? "" : u.getRawAuthority().replaceFirst("^.*@", "");
        if (host.isEmpty()) {
            errs.add(FieldError.invalid(path, host, "host must be specified" + URL_FORM));
        }
        if (u.getRawUserInfo() != null) {
            errs.add(FieldError.invalid(path, u.getRawUserInfo(), "user information is not permitted in the URL"));
        }
        if (u.getRawFragment() != null && !u.getRawFragment().isEmpty()) {
            errs.add(FieldError.invalid(path, u.getRawFragment(), "fragments are not permitted in the URL"));
        }
        if (u.getRawQuery() != null && !u.getRawQuery().isEmpty()) {
            errs.add(FieldError.invalid(path, u.getRawQuery(), "query parameters are not permitted in the URL"));
        }
    }

    /** {@code webhook.ValidateWebhookService}. */
    private static void service(ServiceReference s, String p, List<FieldError> errs) {
        if (s.getName() == null || s.getName().isEmpty()) {
            errs.add(FieldError.required(p + ".name", "service name is required"));
        }
        if (s.getNamespace() == null || s.getNamespace().isEmpty()) {
            errs.add(FieldError.required(p + ".namespace", "service namespace is required"));
        }
        int port = s.getPort() == null ? 443 : s.getPort();
        List<String> portErrs = NameRules.portNumber(port);
        if (!portErrs.isEmpty()) {
            errs.add(FieldError.invalid(p + ".port", port, "port is not valid: " + String.join(", ", portErrs)));
        }
        String path = s.getPath();
        if (path == null || path.isEmpty() || path.equals("/")) {
            return;
        }
        if (path.equals("//")) {
            errs.add(FieldError.invalid(p + ".path", path, "segment[0] may not be empty"));
            return;
        }
        if (!path.startsWith("/")) {
            errs.add(FieldError.invalid(p + ".path", path, "must start with a '/'"));
        }
        String check = path.substring(1);
        if (check.endsWith("/")) {
            check = check.substring(0, check.length() - 1);
        }
        String[] steps = check.split("/", -1);
        for (int i = 0; i < steps.length; i++) {
            if (steps[i].isEmpty()) {
                errs.add(FieldError.invalid(p + ".path", path, "segment[" + i + "] may not be empty"));
                continue;
            }
            for (String f : NameRules.dns1123Subdomain(steps[i])) {
                errs.add(FieldError.invalid(p + ".path", path, "segment[" + i + "]: " + f));
            }
        }
    }
}
