package io.kube4j.apiserver.admission.webhook;

import java.net.URI;

/**
 * Where a webhook call goes: the URL to connect to, and the host name its serving certificate must be valid for
 * (the URL's host, or {@code <service>.<namespace>.svc} when a Service reference was resolved to an address).
 */
public record WebhookTarget(URI uri, String serverName) {

    /** The URL Kubernetes prints in its errors and sends, with the {@code ?timeout=Ns} parameter added. */
    public URI withTimeout(int seconds) {
        String s = uri.toString();
        return URI.create(s + (s.contains("?") ? "&" : "?") + "timeout=" + seconds + "s");
    }
}
