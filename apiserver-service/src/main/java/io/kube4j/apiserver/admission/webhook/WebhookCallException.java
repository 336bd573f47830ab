package io.kube4j.apiserver.admission.webhook;

/**
 * A webhook could not be called or gave an unusable answer (Kubernetes' {@code ErrCallingWebhook}): this, and only
 * this, is what {@code failurePolicy: Ignore} lets through. The message reads as Kubernetes prints it:
 * {@code failed calling webhook "name": <reason>}.
 */
public final class WebhookCallException extends Exception {

    public WebhookCallException(String webhookName, String reason) {
        super("failed calling webhook \"" + webhookName + "\": " + reason);
    }
}
