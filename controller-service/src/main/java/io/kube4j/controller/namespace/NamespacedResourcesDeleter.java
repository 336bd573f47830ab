package io.kube4j.controller.namespace;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.client.util.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Empties a Terminating namespace, as Kubernetes' {@code namespacedResourcesDeleter}: pods first (each resource by
 * deletecollection, else object by object, with background propagation), then every other namespaced resource; what
 * is left is counted per resource and per finalizer into the namespace's conditions; once nothing is left the
 * {@code kubernetes} finalizer is removed from {@code spec.finalizers} and the apiserver removes the namespace.
 * Pods are deleted gracefully: while they terminate the deleter answers with an estimate of how long that takes.
 */
public final class NamespacedResourcesDeleter {

    /** The spec finalizer this controller owns. */
    public static final String FINALIZER = "kubernetes";
    /** How long to expect objects with finalizers to take, when nothing else gives an estimate (Kubernetes': 15 s). */
    static final long FINALIZER_ESTIMATE_SECONDS = 15;
    /** A pod's grace period when its spec has none (the apiserver's default). */
    static final long DEFAULT_POD_GRACE_SECONDS = 30;

    private static final Logger log = LoggerFactory.getLogger(NamespacedResourcesDeleter.class);

    private final NamespaceDeletionClient client;
    private final Clock clock;

    public NamespacedResourcesDeleter(NamespaceDeletionClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** Content still being removed: look again in about {@code estimateSeconds}. */
    public static final class ContentRemainingException extends RuntimeException {
        private final long estimateSeconds;

        ContentRemainingException(long estimateSeconds) {
            super("some content remains in the namespace, estimate " + estimateSeconds
                    + " seconds before it is removed", null, false, false);
            this.estimateSeconds = estimateSeconds;
        }

        public long estimateSeconds() {
            return estimateSeconds;
        }
    }

    /** Deleting some content failed; the namespace's NamespaceDeletionContentFailure condition says which. */
    public static final class ContentDeletionException extends RuntimeException {
        ContentDeletionException(String message) {
            super(message);
        }
    }

    /**
     * Works on {@code namespace} (the informer's copy, not modified): nothing when it is not being deleted or is
     * already finalized by us. Throws {@link ContentRemainingException} while content remains (requeue after a delay
     * derived from the estimate) and {@link ContentDeletionException} or a client error when something failed (retry
     * with backoff).
     */
    public void delete(Namespace namespace) {
        if (namespace.getMetadata().getDeletionTimestamp() == null) {
            return;
        }
        String name = namespace.getMetadata().getName();
        String uid = namespace.getMetadata().getUid();
        Namespace ns = namespace;
        if (!"Terminating".equals(phase(ns))) {
            ns = client.updateStatus(name, uid, current -> {
                if ("Terminating".equals(phase(current))) {
                    return null;
                }
                if (current.getStatus() == null) {
                    current.setStatus(new NamespaceStatus());
                }
                current.getStatus().setPhase("Terminating");
                return current;
            });
            if (ns == null) {
                return; // gone (or replaced by a namespace of the same name)
            }
        }
        if (!specFinalizers(ns).contains(FINALIZER)) {
            return; // our part is done; other spec finalizers are other controllers' business
        }
        long estimate = deleteAllContent(ns);
        if (estimate > 0) {
            throw new ContentRemainingException(estimate);
        }
        Namespace finalized = client.removeFinalizer(name, uid, FINALIZER);
        List<String> left = finalized == null ? List.of() : specFinalizers(finalized);
        log.info("namespace {}: all content removed, finalizer {} removed{}", name, FINALIZER,
                left.isEmpty() ? "; the namespace goes" : "; it waits for the spec finalizers " + left);
    }

    /** What one resource left behind. */
    record ResourceOutcome(long estimateSeconds, int remaining, Map<String, Integer> byFinalizer) {
        static final ResourceOutcome EMPTY = new ResourceOutcome(0, 0, Map.of());
    }

    /** Deletes the content of every resource; the largest estimate of what remains (0: nothing remains). */
    long deleteAllContent(Namespace ns) {
        String name = ns.getMetadata().getName();
        Instant deletedAt = parseTime(ns.getMetadata().getDeletionTimestamp());
        NamespaceConditionUpdater conditions = new NamespaceConditionUpdater(now());
        List<String> errors = new ArrayList<>();

        NamespaceDeletionClient.Discovery discovery = client.discover();
        if (discovery.discoveryError() != null) {
            errors.add(discovery.discoveryError());
            conditions.discoveryFailed(discovery.discoveryError());
        }
        if (discovery.groupVersionError() != null) {
            errors.add(discovery.groupVersionError());
            conditions.groupVersionParsingFailed(discovery.groupVersionError());
        }

        Map<String, Integer> remainingByResource = new HashMap<>();
        Map<String, Integer> remainingByFinalizer = new HashMap<>();
        long estimate = 0;
        // Pods first (Kubernetes' OrderedNamespaceDeletion): nothing else goes while a pod may still use it.
        ResourceType pods = discovery.resources().stream().filter(NamespacedResourcesDeleter::isPods).findFirst()
                .orElse(null);
        List<ResourceType> order = new ArrayList<>();
        if (pods != null) {
            order.add(pods);
        }
        discovery.resources().stream().filter(t -> !isPods(t)).forEach(order::add);
        for (ResourceType t : order) {
            ResourceOutcome outcome;
            try {
                outcome = deleteAllContentOf(t, name, deletedAt);
            } catch (RuntimeException e) {
                String message = e instanceof ContentDeletionException ? e.getMessage()
                        : "failed to delete " + resourceName(t) + " in namespace " + name + ": " + e.getMessage();
                errors.add(message);
                conditions.deleteContentFailed(message);
                outcome = ResourceOutcome.EMPTY;
            }
            estimate = Math.max(estimate, outcome.estimateSeconds());
            if (outcome.remaining() > 0) {
                remainingByResource.merge(resourceName(t), outcome.remaining(), Integer::sum);
                outcome.byFinalizer().forEach((f, n) -> remainingByFinalizer.merge(f, n, Integer::sum));
            }
            if (t == pods && remainingByResource.containsKey(resourceName(t))) {
                log.debug("namespace {}: pods remain, other resources wait for them", name);
                break;
            }
        }
        conditions.contentRemaining(remainingByResource, remainingByFinalizer);
        writeConditions(ns, conditions);
        if (!errors.isEmpty()) {
            throw new ContentDeletionException("namespace " + name + ": " + String.join("; ", errors));
        }
        return estimate;
    }

    private void writeConditions(Namespace ns, NamespaceConditionUpdater conditions) {
        NamespaceStatus probe = copyStatus(ns.getStatus());
        if (!conditions.update(probe)) {
            return; // the cache's copy already says so: no write
        }
        try {
            client.updateStatus(ns.getMetadata().getName(), ns.getMetadata().getUid(), current -> {
                if (current.getStatus() == null) {
                    current.setStatus(new NamespaceStatus());
                }
                return conditions.update(current.getStatus()) ? current : null;
            });
        } catch (RuntimeException e) {
            // as Kubernetes: a failed condition write does not stop the deletion
            log.warn("namespace {}: could not update its status conditions: {}", ns.getMetadata().getName(),
                    e.toString());
        }
    }

    /** Kubernetes' {@code deleteAllContentForGroupVersionResource}. */
    ResourceOutcome deleteAllContentOf(ResourceType t, String namespace, Instant deletedAt) {
        long estimate = 0;
        if (isPods(t)) {
            List<HasMetadata> pods = client.list(t, namespace);
            estimate = pods == null ? 0 : estimateGracefulTermination(pods, deletedAt);
        }
        if (!client.deleteCollection(t, namespace)) {
            List<HasMetadata> items = client.list(t, namespace);
            if (items != null) {
                for (HasMetadata item : items) {
                    client.delete(t, namespace, item.getMetadata().getName());
                }
            }
        }
        List<HasMetadata> remaining = client.list(t, namespace);
        if (remaining == null || remaining.isEmpty()) {
            return ResourceOutcome.EMPTY;
        }
        Map<String, Integer> byFinalizer = new HashMap<>();
        for (HasMetadata item : remaining) {
            List<String> finalizers = item.getMetadata().getFinalizers();
            if (finalizers != null) {
                finalizers.forEach(f -> byFinalizer.merge(f, 1, Integer::sum));
            }
        }
        if (estimate != 0) {
            return new ResourceOutcome(estimate, remaining.size(), byFinalizer);
        }
        if (!byFinalizer.isEmpty()) {
            return new ResourceOutcome(FINALIZER_ESTIMATE_SECONDS, remaining.size(), byFinalizer);
        }
        throw new ContentDeletionException("unexpected items still remain in namespace: " + namespace
                + " for resource: " + resourceName(t));
    }

    /**
     * The longest grace period of the namespace's pods that are not terminal yet, or 0 once that much time has passed
     * since the namespace began terminating.
     */
    long estimateGracefulTermination(List<HasMetadata> pods, Instant deletedAt) {
        long estimate = 0;
        for (HasMetadata o : pods) {
            if (!(o instanceof Pod pod)) {
                continue;
            }
            String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
            if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
                continue;
            }
            Long grace = pod.getSpec() == null ? null : pod.getSpec().getTerminationGracePeriodSeconds();
            estimate = Math.max(estimate, grace == null ? DEFAULT_POD_GRACE_SECONDS : grace);
        }
        if (deletedAt != null && Duration.between(deletedAt, clock.now()).compareTo(Duration.ofSeconds(estimate)) >= 0) {
            return 0;
        }
        return estimate;
    }

    /** Kubernetes' way of naming a resource in the conditions: {@code pods.}, {@code deployments.apps}. */
    static String resourceName(ResourceType t) {
        return t.plural() + "." + t.group();
    }

    private static boolean isPods(ResourceType t) {
        return t.group().isEmpty() && t.plural().equals("pods");
    }

    private static String phase(Namespace ns) {
        return ns.getStatus() == null ? null : ns.getStatus().getPhase();
    }

    static List<String> specFinalizers(Namespace ns) {
        return ns.getSpec() == null || ns.getSpec().getFinalizers() == null ? List.of() : ns.getSpec().getFinalizers();
    }

    private static NamespaceStatus copyStatus(NamespaceStatus s) {
        NamespaceStatus copy = new NamespaceStatus();
        if (s == null) {
            return copy;
        }
        copy.setPhase(s.getPhase());
        if (s.getConditions() != null) {
            List<io.fabric8.kubernetes.api.model.NamespaceCondition> cs = new ArrayList<>();
            s.getConditions().forEach(c -> cs.add(new io.fabric8.kubernetes.api.model.NamespaceCondition(
                    c.getLastTransitionTime(), c.getMessage(), c.getReason(), c.getStatus(), c.getType())));
            copy.setConditions(cs);
        }
        return copy;
    }

    private String now() {
        return clock.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static Instant parseTime(String rfc3339) {
        if (rfc3339 == null) {
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse(rfc3339).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
