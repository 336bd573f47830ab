package io.kube4j.node.server;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.kube4j.api.codec.Codecs;
import tools.jackson.databind.JsonNode;

/**
 * The Kubernetes remote-command channel protocol over WebSocket ({@code v4.channel.k8s.io}, {@code v5.channel.k8s.io}):
 * every binary message starts with a channel byte. Encodes output and the final Status, decodes input.
 */
public final class StreamChannels {

    public static final String V5 = "v5.channel.k8s.io";
    public static final String V4 = "v4.channel.k8s.io";
    /** Port-forward: SPDY/3.1 frames tunneled through WebSocket binary messages (KEP-4006). */
    public static final String PORT_FORWARD_TUNNEL = "SPDY/3.1+portforward.k8s.io";

    public static final int STDIN = 0;
    public static final int STDOUT = 1;
    public static final int STDERR = 2;
    public static final int ERROR = 3;
    public static final int RESIZE = 4;
    /** v5 only: the client half-closes the channel named by the message's second byte. */
    public static final int CLOSE = 255;

    private StreamChannels() {
    }

    /** The sub-protocol the server speaks for {@code requested} (the client's Sec-WebSocket-Protocol list): v5 first. */
    public static Optional<String> select(List<String> requested) {
        if (requested.contains(V5)) {
            return Optional.of(V5);
        }
        if (requested.contains(V4)) {
            return Optional.of(V4);
        }
        return Optional.empty();
    }

    /** Splits a {@code Sec-WebSocket-Protocol} header value (comma separated, possibly repeated). */
    public static List<String> parseProtocols(List<String> headerValues) {
        return headerValues.stream().flatMap(v -> Arrays.stream(v.split(",")))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** One message on {@code channel} carrying {@code data}. */
    public static byte[] frame(int channel, byte[] data) {
        return frame(channel, data, 0, data.length);
    }

    public static byte[] frame(int channel, byte[] data, int offset, int length) {
        byte[] out = new byte[length + 1];
        out[0] = (byte) channel;
        System.arraycopy(data, offset, out, 1, length);
        return out;
    }

    /** The channel of a received message (0..255), or -1 for an empty message. */
    public static int channel(byte[] message) {
        return message.length == 0 ? -1 : message[0] & 0xff;
    }

    /** The payload of a received message (without the channel byte). */
    public static byte[] payload(byte[] message) {
        return message.length <= 1 ? new byte[0] : Arrays.copyOfRange(message, 1, message.length);
    }

    /** A terminal size from a resize message's payload ({@code {"Width":w,"Height":h}}); empty when malformed. */
    public static Optional<int[]> resize(byte[] payload) {
        try {
            JsonNode n = Codecs.json().readTree(payload);
            int w = n.path("Width").asInt(-1);
            int h = n.path("Height").asInt(-1);
            return w < 0 || h < 0 ? Optional.empty() : Optional.of(new int[] {w, h});
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The Status sent on the error channel when the command exits with {@code exitCode} (as the kubelet words it). */
    public static Status exitStatus(int exitCode, List<String> command) {
        if (exitCode == 0) {
            return new StatusBuilder().withApiVersion("v1").withKind("Status").withNewMetadata().endMetadata()
                    .withStatus("Success").build();
        }
        return new StatusBuilder().withApiVersion("v1").withKind("Status").withNewMetadata().endMetadata()
                .withStatus("Failure").withReason("NonZeroExitCode")
                .withMessage("command terminated with non-zero exit code: command '" + String.join(" ", command)
                        + "' exited with " + exitCode)
                .withNewDetails().withCauses(new StatusCause(null, Integer.toString(exitCode), "ExitCode")).endDetails()
                .build();
    }

    /** A Failure Status for an error that is not an exit code (the command could not run, the stream broke). */
    public static Status failure(String message) {
        return new StatusBuilder().withApiVersion("v1").withKind("Status").withNewMetadata().endMetadata()
                .withStatus("Failure").withReason("InternalError").withCode(500).withMessage(message).build();
    }

    /** {@code status} as an error-channel message. */
    public static byte[] statusFrame(Status status) {
        return frame(ERROR, Codecs.json().writeValueAsString(status).getBytes(StandardCharsets.UTF_8));
    }
}
