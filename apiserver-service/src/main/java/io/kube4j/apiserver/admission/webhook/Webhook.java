package io.kube4j.apiserver.admission.webhook;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.kube4j.api.selector.LabelSelector;

import java.util.List;

/**
 * One webhook of a Mutating- or ValidatingWebhookConfiguration, with the v1 defaults filled in and its selectors
 * parsed once (Kubernetes' {@code webhook.WebhookAccessor}). {@code uid} names it within the apiserver
 * ({@code <configuration>/<index>}), which is what reinvocation keeps track of.
 */
public record Webhook(String uid, String configurationName, String name, boolean mutating,
                      WebhookClientConfig clientConfig, List<RuleWithOperations> rules, boolean failOpen,
                      boolean exactMatch, LabelSelector namespaceSelector, LabelSelector objectSelector,
                      String sideEffects, int timeoutSeconds, boolean reinvokeIfNeeded) {

    static Webhook of(String configurationName, int index, MutatingWebhook h) {
        return new Webhook(configurationName + "/" + index, configurationName, h.getName(), true, h.getClientConfig(),
                h.getRules() == null ? List.of() : h.getRules(), "Ignore".equals(h.getFailurePolicy()),
                "Exact".equals(h.getMatchPolicy()), selector(h.getNamespaceSelector()), selector(h.getObjectSelector()),
                h.getSideEffects(), h.getTimeoutSeconds() == null ? 10 : h.getTimeoutSeconds(),
                "IfNeeded".equals(h.getReinvocationPolicy()));
    }

    static Webhook of(String configurationName, int index, ValidatingWebhook h) {
        return new Webhook(configurationName + "/" + index, configurationName, h.getName(), false, h.getClientConfig(),
                h.getRules() == null ? List.of() : h.getRules(), "Ignore".equals(h.getFailurePolicy()),
                "Exact".equals(h.getMatchPolicy()), selector(h.getNamespaceSelector()), selector(h.getObjectSelector()),
                h.getSideEffects(), h.getTimeoutSeconds() == null ? 10 : h.getTimeoutSeconds(), false);
    }

    /** A missing selector is the empty one (the v1 default), which selects everything. */
    private static LabelSelector selector(io.fabric8.kubernetes.api.model.LabelSelector s) {
        return s == null ? LabelSelector.everything() : LabelSelector.from(s);
    }

    /** The same webhook with other rules (tests). */
    Webhook withRules(List<RuleWithOperations> newRules) {
        return new Webhook(uid, configurationName, name, mutating, clientConfig, newRules, failOpen, exactMatch,
                namespaceSelector, objectSelector, sideEffects, timeoutSeconds, reinvokeIfNeeded);
    }
}
