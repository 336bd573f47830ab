package io.kube4j.controller.statefulset;

import java.util.HashMap;
import java.util.Map;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.kube4j.api.codec.Codecs;
import io.kube4j.controller.history.ControllerHistory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A StatefulSet's revisions, as Kubernetes' {@code getPatch}/{@code newRevision}/{@code ApplyRevision}: a revision's
 * data is the strategic merge patch {@code {"spec":{"template":{...,"$patch":"replace"}}}} that restores the set's pod
 * template ({@code kubectl rollout undo} applies it as is), and applying a revision to a set replaces its template.
 */
final class StatefulSetRevisions {

    private StatefulSetRevisions() {
    }

    /** The patch that restores {@code set}'s template. */
    static ObjectNode patch(StatefulSet set) {
        ObjectNode template = (ObjectNode) Codecs.json().valueToTree(set.getSpec().getTemplate());
        template.put("$patch", "replace");
        ObjectNode root = Codecs.json().createObjectNode();
        root.putObject("spec").set("template", template);
        return root;
    }

    /** An unsaved revision number {@code revision} of {@code set}'s template, with the set's annotations. */
    static ControllerRevision newRevision(StatefulSet set, long revision, int collisionCount) {
        Map<String, String> labels = set.getSpec().getTemplate() == null
                || set.getSpec().getTemplate().getMetadata() == null ? Map.of()
                : set.getSpec().getTemplate().getMetadata().getLabels();
        ControllerRevision cr = ControllerHistory.newRevision(set, StatefulSetController.API_VERSION,
                StatefulSetController.KIND, labels, patch(set), revision, collisionCount);
        if (set.getMetadata().getAnnotations() != null && !set.getMetadata().getAnnotations().isEmpty()) {
            // kubectl rollout history shows the revision's kubernetes.io/change-cause
            cr.getMetadata().setAnnotations(new HashMap<>(set.getMetadata().getAnnotations()));
        }
        return cr;
    }

    /** A copy of {@code set} whose template is {@code revision}'s ({@code ApplyRevision}). */
    static StatefulSet apply(StatefulSet set, ControllerRevision revision) {
        StatefulSet copy = Codecs.fromJson(Codecs.toJson(set), StatefulSet.class);
        JsonNode template = ControllerHistory.dataOf(revision).path("spec").path("template");
        if (template.isObject()) {
            ObjectNode t = ((ObjectNode) template).deepCopy();
            t.remove("$patch");
            copy.getSpec().setTemplate(Codecs.json().treeToValue(t, PodTemplateSpec.class));
        }
        return copy;
    }
}
