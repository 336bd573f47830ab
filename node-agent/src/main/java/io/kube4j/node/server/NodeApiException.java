package io.kube4j.node.server;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;

/** An error the node API answers with a Kubernetes {@code Status} of this HTTP code and reason. */
public class NodeApiException extends RuntimeException {

    private final int code;
    private final String reason;

    public NodeApiException(int code, String reason, String message) {
        super(message);
        this.code = code;
        this.reason = reason;
    }

    public static NodeApiException badRequest(String message) {
        return new NodeApiException(400, "BadRequest", message);
    }

    public static NodeApiException notFound(String message) {
        return new NodeApiException(404, "NotFound", message);
    }

    public int code() {
        return code;
    }

    public String reason() {
        return reason;
    }

    public Status toStatus() {
        return new StatusBuilder().withApiVersion("v1").withKind("Status").withNewMetadata().endMetadata()
                .withStatus("Failure").withCode(code).withReason(reason).withMessage(getMessage()).build();
    }
}
