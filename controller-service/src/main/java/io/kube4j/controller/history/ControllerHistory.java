package io.kube4j.controller.history;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.kube4j.api.codec.Codecs;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.ResourceClient;
import io.kube4j.controller.common.OwnerReferences;
import io.kube4j.controller.deployment.PodTemplateHash;
import tools.jackson.databind.JsonNode;

/**
 * The revision history of a StatefulSet or DaemonSet as {@code ControllerRevision} objects, as Kubernetes'
 * {@code pkg/controller/history}: a revision is named {@code <parent>-<hash>}, labelled with the parent's template
 * labels and {@value #HASH_LABEL}, owned by the parent (controller reference), and carries the parent's patch
 * ({@code {"spec":{"template":{...,"$patch":"replace"}}}}, which {@code kubectl rollout undo} applies as a strategic
 * merge patch) and a revision number. A hash collision with a different revision bumps the parent's collision count
 * and tries again.
 *
 * <p>Calls block (up to {@link #TIMEOUT}); controllers call them from their worker threads.
 */
public final class ControllerHistory {

    /** The hash label every revision carries ({@code ControllerRevisionHashLabel}). */
    public static final String HASH_LABEL = "controller.kubernetes.io/hash";
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final ResourceClient<ControllerRevision> revisions;

    public ControllerHistory(ResourceClient<ControllerRevision> revisions) {
        this.revisions = Objects.requireNonNull(revisions);
    }

    /** {@code history.HashControllerRevision}: the hash of {@code revision}'s data and the collision count. */
    public static String hash(ControllerRevision revision, Integer collisionCount) {
        return PodTemplateHash.computeOf(dataOf(revision), collisionCount);
    }

    /** A revision's data as JSON (fabric8 keeps it as an untyped object). */
    public static JsonNode dataOf(ControllerRevision revision) {
        return Codecs.json().valueToTree(revision.getData());
    }

    /**
     * {@code history.NewControllerRevision}: an unsaved revision of {@code parent} ({@code apiVersion}/{@code kind}
     * for the owner reference) with {@code data}, {@code templateLabels}, number {@code revision} and the name its
     * hash with {@code collisionCount} gives.
     */
    public static ControllerRevision newRevision(HasMetadata parent, String apiVersion, String kind,
                                                 Map<String, String> templateLabels, Object data, long revision,
                                                 Integer collisionCount) {
        Map<String, String> labels = new TreeMap<>(templateLabels == null ? Map.of() : templateLabels);
        ControllerRevision cr = new ControllerRevision();
        cr.setMetadata(new ObjectMetaBuilder().withNamespace(parent.getMetadata().getNamespace())
                .withLabels(labels)
                .withOwnerReferences(new ArrayList<>(List.of(OwnerReferences.controllerRef(parent, apiVersion, kind))))
                .build());
        cr.setData(Codecs.json().valueToTree(data));
        cr.setRevision(revision);
        String hash = hash(cr, collisionCount);
        cr.getMetadata().setName(parent.getMetadata().getName() + "-" + hash);
        cr.getMetadata().getLabels().put(HASH_LABEL, hash);
        return cr;
    }

    /** {@code history.EqualRevision}: same hash label and same data. */
    public static boolean equalRevision(ControllerRevision a, ControllerRevision b) {
        if (a == null || b == null) {
            return a == b;
        }
        String ha = a.getMetadata().getLabels() == null ? null : a.getMetadata().getLabels().get(HASH_LABEL);
        String hb = b.getMetadata().getLabels() == null ? null : b.getMetadata().getLabels().get(HASH_LABEL);
        if (ha == null || !ha.equals(hb)) {
            return false;
        }
        // canonical forms: the same data read back from the apiserver may differ in number types or empty fields
        return PodTemplateHash.canonicalJson(dataOf(a)).equals(PodTemplateHash.canonicalJson(dataOf(b)));
    }

    /** {@code history.FindEqualRevisions}: the revisions among {@code all} equal to {@code needle}. */
    public static List<ControllerRevision> findEqual(List<ControllerRevision> all, ControllerRevision needle) {
        List<ControllerRevision> out = new ArrayList<>();
        for (ControllerRevision r : all) {
            if (equalRevision(r, needle)) {
                out.add(r);
            }
        }
        return out;
    }

    /** {@code history.SortControllerRevisions}: by revision number, then creation time, then name. */
    public static List<ControllerRevision> sorted(List<ControllerRevision> revisions) {
        List<ControllerRevision> out = new ArrayList<>(revisions);
        out.sort(Comparator.comparingLong((ControllerRevision r) -> r.getRevision() == null ? 0 : r.getRevision())
                .thenComparing(r -> Objects.toString(r.getMetadata().getCreationTimestamp(), ""))
                .thenComparing(r -> r.getMetadata().getName()));
        return out;
    }

    /** The highest revision number among {@code revisions} (0 when none): a new one gets this plus one. */
    public static long maxRevision(List<ControllerRevision> revisions) {
        long max = 0;
        for (ControllerRevision r : revisions) {
            if (r.getRevision() != null && r.getRevision() > max) {
                max = r.getRevision();
            }
        }
        return max;
    }

    /**
     * The revisions in {@code candidates} (an informer's, in the parent's namespace) that {@code parent} controls
     * ({@code ListControllerRevisions} filtered by controller reference; adoption of orphans matching
     * {@code selector} is the caller's, through {@link #adopt}).
     */
    public static List<ControllerRevision> ownedBy(HasMetadata parent, List<ControllerRevision> candidates) {
        List<ControllerRevision> out = new ArrayList<>();
        for (ControllerRevision r : candidates) {
            if (OwnerReferences.isControlledBy(r, parent.getMetadata().getUid())) {
                out.add(r);
            }
        }
        return out;
    }

    /** Whether {@code revision} has no controller and its labels match {@code selector} (an orphan to adopt). */
    public static boolean adoptable(ControllerRevision revision, LabelSelector selector) {
        return OwnerReferences.controllerOf(revision) == null && selector != null
                && io.kube4j.api.selector.LabelSelector.from(selector).matches(revision.getMetadata().getLabels());
    }

    /**
     * {@code CreateControllerRevision}: creates {@code revision} (from {@link #newRevision}) named by its hash with
     * {@code collisionCount}; when a revision of that name exists with other data, the count goes up by one and the
     * name is hashed again. Returns the stored revision (an equal existing one is returned as is) and the collision
     * count used, which the caller writes back to the parent's status.
     */
    public Created create(HasMetadata parent, ControllerRevision revision, int collisionCount) {
        int count = collisionCount;
        while (true) {
            ControllerRevision attempt = copyNamed(parent, revision, count);
            try {
                return new Created(revisions.create(attempt).block(TIMEOUT), count);
            } catch (ApiStatusException.AlreadyExists e) {
                ControllerRevision existing = revisions.get(attempt.getMetadata().getNamespace(),
                        attempt.getMetadata().getName()).block(TIMEOUT);
                if (existing != null && equalRevision(existing, attempt)) {
                    return new Created(existing, count);
                }
                count++;
            }
        }
    }

    /** {@code UpdateControllerRevision}: sets {@code revision}'s number to {@code newRevision} (retrying conflicts). */
    public ControllerRevision updateRevision(ControllerRevision revision, long newRevision) {
        if (revision.getRevision() != null && revision.getRevision() == newRevision) {
            return revision;
        }
        return revisions.updateWithRetry(revision.getMetadata().getNamespace(), revision.getMetadata().getName(), r -> {
            r.setRevision(newRevision);
            return r;
        }, false).block(TIMEOUT);
    }

    /** Deletes {@code revision} (already gone counts as done). */
    public void delete(ControllerRevision revision) {
        try {
            revisions.delete(revision.getMetadata().getNamespace(), revision.getMetadata().getName(), null)
                    .block(TIMEOUT);
        } catch (ApiStatusException.NotFound e) {
            // gone already
        }
    }

    /** {@code AdoptControllerRevision}: adds a controller reference to {@code parent} to an orphan revision. */
    public ControllerRevision adopt(HasMetadata parent, String apiVersion, String kind, ControllerRevision revision) {
        OwnerReference ref = OwnerReferences.controllerRef(parent, apiVersion, kind);
        return revisions.updateWithRetry(revision.getMetadata().getNamespace(), revision.getMetadata().getName(), r -> {
            if (OwnerReferences.controllerOf(r) != null) {
                throw new IllegalStateException("revision " + r.getMetadata().getName() + " already has a controller");
            }
            r.getMetadata().setOwnerReferences(OwnerReferences.with(r.getMetadata().getOwnerReferences(), ref));
            return r;
        }, false).block(TIMEOUT);
    }

    private static ControllerRevision copyNamed(HasMetadata parent, ControllerRevision revision, int collisionCount) {
        ControllerRevision c = Codecs.json().convertValue(revision, ControllerRevision.class);
        String hash = hash(c, collisionCount);
        c.getMetadata().setName(parent.getMetadata().getName() + "-" + hash);
        if (c.getMetadata().getLabels() == null) {
            c.getMetadata().setLabels(new TreeMap<>());
        }
        c.getMetadata().getLabels().put(HASH_LABEL, hash);
        return c;
    }

    /** A stored revision and the collision count its name was hashed with. */
    public record Created(ControllerRevision revision, int collisionCount) {
    }
}
