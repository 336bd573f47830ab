package io.kube4j.controller.namespace;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.fabric8.kubernetes.api.model.NamespaceCondition;
import io.fabric8.kubernetes.api.model.NamespaceStatus;

/**
 * Turns what went wrong (or is still left) while emptying a namespace into its five status conditions, as Kubernetes'
 * {@code namespaceConditionUpdater}: each condition is True with a reason and message while its problem lasts and
 * False with the "ok" reason otherwise, so a cleared problem shows as cleared. One instance per deletion attempt.
 */
public final class NamespaceConditionUpdater {

    public static final String DISCOVERY_FAILURE = "NamespaceDeletionDiscoveryFailure";
    public static final String GROUP_VERSION_PARSING_FAILURE = "NamespaceDeletionGroupVersionParsingFailure";
    public static final String CONTENT_FAILURE = "NamespaceDeletionContentFailure";
    public static final String CONTENT_REMAINING = "NamespaceContentRemaining";
    public static final String FINALIZERS_REMAINING = "NamespaceFinalizersRemaining";

    /** The conditions this controller owns, in the order they are added to a namespace. */
    public static final List<String> TYPES = List.of(DISCOVERY_FAILURE, GROUP_VERSION_PARSING_FAILURE, CONTENT_FAILURE,
            CONTENT_REMAINING, FINALIZERS_REMAINING);

    private static final Map<String, String> OK_REASONS = Map.of(
            DISCOVERY_FAILURE, "ResourcesDiscovered",
            GROUP_VERSION_PARSING_FAILURE, "ParsedGroupVersions",
            CONTENT_FAILURE, "ContentDeleted",
            CONTENT_REMAINING, "ContentRemoved",
            FINALIZERS_REMAINING, "ContentRemoved");
    private static final Map<String, String> OK_MESSAGES = Map.of(
            DISCOVERY_FAILURE, "All resources successfully discovered",
            GROUP_VERSION_PARSING_FAILURE, "All legacy kube types successfully parsed",
            CONTENT_FAILURE, "All content successfully deleted, may be waiting on finalization",
            CONTENT_REMAINING, "All content successfully removed",
            FINALIZERS_REMAINING, "All content successfully removed");

    private final String now;
    private final List<NamespaceCondition> conditions = new ArrayList<>();
    private final List<String> deleteContentErrors = new ArrayList<>();

    /** {@code now}: the RFC 3339 time new and changed conditions get as lastTransitionTime. */
    public NamespaceConditionUpdater(String now) {
        this.now = now;
    }

    public void discoveryFailed(String message) {
        conditions.add(condition(DISCOVERY_FAILURE, "True", "DiscoveryFailed", message));
    }

    public void groupVersionParsingFailed(String message) {
        conditions.add(condition(GROUP_VERSION_PARSING_FAILURE, "True", "GroupVersionParsingFailed", message));
    }

    public void deleteContentFailed(String message) {
        deleteContentErrors.add(message);
    }

    /**
     * What is left: instances per resource ({@code pods.} for the core group, {@code deployments.apps}) and instances
     * per finalizer; empty maps leave the conditions at their ok variants.
     */
    public void contentRemaining(Map<String, Integer> remainingByResource, Map<String, Integer> remainingByFinalizer) {
        List<String> resources = new ArrayList<>();
        new TreeMap<>(remainingByResource).forEach((r, n) -> {
            if (n > 0) {
                resources.add(r + " has " + n + " resource instances");
            }
        });
        if (!resources.isEmpty()) {
            conditions.add(condition(CONTENT_REMAINING, "True", "SomeResourcesRemain",
                    "Some resources are remaining: " + String.join(", ", resources)));
        }
        List<String> finalizers = new ArrayList<>();
        new TreeMap<>(remainingByFinalizer).forEach((f, n) -> {
            if (n > 0) {
                finalizers.add(f + " in " + n + " resource instances");
            }
        });
        if (!finalizers.isEmpty()) {
            conditions.add(condition(FINALIZERS_REMAINING, "True", "SomeFinalizersRemain",
                    "Some content in the namespace has finalizers remaining: " + String.join(", ", finalizers)));
        }
    }

    /**
     * Sets the five conditions on {@code status} (adding missing ones, updating changed ones; lastTransitionTime moves
     * only when the status flips); true when anything changed.
     */
    public boolean update(NamespaceStatus status) {
        List<NamespaceCondition> wanted = new ArrayList<>(conditions);
        if (find(wanted, CONTENT_FAILURE) == null && !deleteContentErrors.isEmpty()) {
            List<String> sorted = new ArrayList<>(deleteContentErrors);
            sorted.sort(null);
            wanted.add(condition(CONTENT_FAILURE, "True", "ContentDeletionFailed", "Failed to delete all resource types, "
                    + sorted.size() + " remaining: " + String.join(", ", sorted)));
        }
        List<NamespaceCondition> current = status.getConditions() == null ? new ArrayList<>()
                : new ArrayList<>(status.getConditions());
        boolean changed = false;
        for (String type : TYPES) {
            NamespaceCondition next = find(wanted, type);
            if (next == null) {
                next = condition(type, "False", OK_REASONS.get(type), OK_MESSAGES.get(type));
            }
            NamespaceCondition old = find(current, type);
            if (old == null) {
                current.add(next);
                changed = true;
            } else if (!next.getStatus().equals(old.getStatus()) || !next.getReason().equals(old.getReason())
                    || !next.getMessage().equals(old.getMessage())) {
                if (!next.getStatus().equals(old.getStatus())) {
                    old.setLastTransitionTime(now);
                }
                old.setStatus(next.getStatus());
                old.setReason(next.getReason());
                old.setMessage(next.getMessage());
                changed = true;
            }
        }
        if (changed) {
            status.setConditions(current);
        }
        return changed;
    }

    private NamespaceCondition condition(String type, String status, String reason, String message) {
        NamespaceCondition c = new NamespaceCondition();
        c.setType(type);
        c.setStatus(status);
        c.setReason(reason);
        c.setMessage(message);
        c.setLastTransitionTime(now);
        return c;
    }

    static NamespaceCondition find(List<NamespaceCondition> conditions, String type) {
        for (NamespaceCondition c : conditions) {
            if (type.equals(c.getType())) {
                return c;
            }
        }
        return null;
    }
}
