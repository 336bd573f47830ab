package io.kube4j.apiserver.admission.webhook;

import java.util.List;

/** Where the webhooks come from: every webhook of every configuration of one kind, configurations sorted by name. */
public interface WebhookSource {

    /** The mutating webhooks, in the order Kubernetes calls them (configuration name, then position). */
    List<Webhook> mutating();

    /** The validating webhooks, likewise. */
    List<Webhook> validating();

    /** A fixed list, for unit tests. */
    static WebhookSource of(List<Webhook> hooks) {
        List<Webhook> m = hooks.stream().filter(Webhook::mutating).toList();
        List<Webhook> v = hooks.stream().filter(h -> !h.mutating()).toList();
        return new WebhookSource() {
            @Override
            public List<Webhook> mutating() {
                return m;
            }

            @Override
            public List<Webhook> validating() {
                return v;
            }
        };
    }
}
