package io.kube4j.cli.commands.apply;

import io.kube4j.cli.api.ApiResource;
import io.kube4j.cli.api.Manifests;
import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Invocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Where a manifest's object goes: its resource (by {@code apiVersion} and {@code kind}, from discovery) and its
 * namespace (the object's, else {@code -n} or the context's, written into the object as kubectl does; a mismatch
 * with an explicit {@code -n} is kubectl's error). Also small accessors for {@code metadata} maps.
 */
public final class Targets {

    private Targets() {
    }

    /** The resource serving {@code doc}'s kind, or kubectl's "resource mapping not found" error. */
    public static ApiResource resourceOf(Invocation inv, Manifests.Document doc) {
        return inv.discovery().forKind(doc.apiVersion(), doc.kind()).orElseThrow(() -> new CliException(
                "resource mapping not found for name: \"" + (doc.name() == null ? "" : doc.name())
                        + "\" namespace: \"" + (doc.namespace() == null ? "" : doc.namespace()) + "\" from \""
                        + doc.source() + "\": no matches for kind \"" + doc.kind() + "\" in version \""
                        + doc.apiVersion() + "\"\nensure CRDs are installed first"));
    }

    /** The namespace of {@code doc} (null for cluster-scoped resources); sets it in the object when absent. */
    public static String namespaceOf(Invocation inv, ApiResource r, Manifests.Document doc) {
        if (!r.namespaced()) {
            return null;
        }
        String own = doc.namespace();
        if (own != null) {
            if (inv.namespaceGiven() && !own.equals(inv.namespace())) {
                throw new CliException("the namespace from the provided object \"" + own + "\" does not match the "
                        + "namespace \"" + inv.namespace() + "\". You must pass '--namespace=" + own
                        + "' to perform this operation.");
            }
            return own;
        }
        String ns = inv.namespace();
        metadata(doc.object()).put("namespace", ns);
        return ns;
    }

    /** {@code metadata}, created when absent. */
    public static ObjectNode metadata(ObjectNode object) {
        return child(object, "metadata");
    }

    /** {@code metadata.annotations}, created when absent. */
    public static ObjectNode annotations(ObjectNode object) {
        return child(metadata(object), "annotations");
    }

    /** {@code metadata.labels}, created when absent. */
    public static ObjectNode labels(ObjectNode object) {
        return child(metadata(object), "labels");
    }

    /** {@code parent.name} as an object, created (or replacing a non-object) when absent. */
    public static ObjectNode child(ObjectNode parent, String name) {
        JsonNode n = parent.get(name);
        if (n instanceof ObjectNode o) {
            return o;
        }
        return parent.putObject(name);
    }
}
