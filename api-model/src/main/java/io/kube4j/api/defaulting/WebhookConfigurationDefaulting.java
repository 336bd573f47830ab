package io.kube4j.api.defaulting;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;

import java.util.List;

/**
 * admissionregistration/v1 defaults ({@code SetDefaults_MutatingWebhook}, {@code _ValidatingWebhook}, {@code _Rule},
 * {@code _ServiceReference}): failurePolicy Fail, matchPolicy Equivalent, empty namespace and object selectors,
 * timeoutSeconds 10, reinvocationPolicy Never, rule scope "*", service port 443.
 */
final class WebhookConfigurationDefaulting {

    private WebhookConfigurationDefaulting() {
    }

    static void apply(MutatingWebhookConfiguration c) {
        for (MutatingWebhook h : c.getWebhooks() == null ? List.<MutatingWebhook>of() : c.getWebhooks()) {
            h.setFailurePolicy(or(h.getFailurePolicy(), "Fail"));
            h.setMatchPolicy(or(h.getMatchPolicy(), "Equivalent"));
            h.setNamespaceSelector(or(h.getNamespaceSelector(), new LabelSelector()));
            h.setObjectSelector(or(h.getObjectSelector(), new LabelSelector()));
            h.setTimeoutSeconds(or(h.getTimeoutSeconds(), 10));
            h.setReinvocationPolicy(or(h.getReinvocationPolicy(), "Never"));
            rules(h.getRules());
            clientConfig(h.getClientConfig());
        }
    }

    static void apply(ValidatingWebhookConfiguration c) {
        for (ValidatingWebhook h : c.getWebhooks() == null ? List.<ValidatingWebhook>of() : c.getWebhooks()) {
            h.setFailurePolicy(or(h.getFailurePolicy(), "Fail"));
            h.setMatchPolicy(or(h.getMatchPolicy(), "Equivalent"));
            h.setNamespaceSelector(or(h.getNamespaceSelector(), new LabelSelector()));
            h.setObjectSelector(or(h.getObjectSelector(), new LabelSelector()));
            h.setTimeoutSeconds(or(h.getTimeoutSeconds(), 10));
            rules(h.getRules());
            clientConfig(h.getClientConfig());
        }
    }

    private static void rules(List<RuleWithOperations> rules) {
        if (rules != null) {
            rules.forEach(r -> r.setScope(or(r.getScope(), "*")));
        }
    }

    private static void clientConfig(WebhookClientConfig cc) {
        if (cc != null && cc.getService() != null) {
            cc.getService().setPort(or(cc.getService().getPort(), 443));
        }
    }

    private static <T> T or(T value, T dflt) {
        return value == null ? dflt : value;
    }
}
