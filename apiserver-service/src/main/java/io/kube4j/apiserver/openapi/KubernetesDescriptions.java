package io.kube4j.apiserver.openapi;

import io.kube4j.api.codec.Codecs;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.zip.GZIPInputStream;

/**
 * Kubernetes' own descriptions of its API types and fields, and which fields are required or timestamps, for the
 * generated OpenAPI schemas (fabric8's model classes carry none). The resource is written at build time from the
 * official Java client's models by the test-scope tool {@code KubernetesDescriptionsExtractor}, keyed by that
 * client's class names ({@code V1DeploymentStrategy}, {@code CoreV1Event}); this class maps Kubernetes definition
 * names onto them. Without the resource (a build that skipped test compilation) schemas simply have no descriptions.
 */
public final class KubernetesDescriptions {

    /** The classpath resource the build writes, relative to this class. */
    public static final String RESOURCE = "kubernetes-descriptions.json.gz";

    private static final KubernetesDescriptions BUILTIN = load();

    private final JsonNode types;

    KubernetesDescriptions(JsonNode types) {
        this.types = types;
    }

    public static KubernetesDescriptions builtin() {
        return BUILTIN;
    }

    /** Whether any description was loaded (false when the build did not generate the resource). */
    public boolean available() {
        return types.size() > 0;
    }

    /**
     * The documentation of a definition ({@code io.k8s.api.apps.v1.DeploymentSpec}): {@code description} and
     * {@code properties.<json name>.{description,required,format}}; a missing node when the client has no such type.
     * The client names a type {@code <Version><Name>} ({@code V1DeploymentSpec}) unless two groups share the name,
     * then {@code <Group><Version><Name>} ({@code CoreV1Event}, {@code EventsV1Event}); {@code IntOrString} and
     * {@code Quantity} go by their names.
     */
    public JsonNode forDefinition(String definition) {
        String[] parts = definition.split("\\.");
        if (parts.length < 3) {
            return MissingNode.getInstance();
        }
        String name = parts[parts.length - 1];
        String version = capitalize(parts[parts.length - 2]);
        String group = parts[parts.length - 3];
        group = capitalize(group.contains("-") ? group.substring(group.lastIndexOf('-') + 1) : group);
        for (String candidate : new String[] {group + version + name, version + name, name}) {
            JsonNode doc = types.path(candidate);
            if (!doc.isMissingNode()) {
                return doc;
            }
        }
        return MissingNode.getInstance();
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static KubernetesDescriptions load() {
        try (InputStream in = KubernetesDescriptions.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return new KubernetesDescriptions(Codecs.json().createObjectNode());
            }
            return new KubernetesDescriptions(Codecs.json().readTree(new GZIPInputStream(in)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
