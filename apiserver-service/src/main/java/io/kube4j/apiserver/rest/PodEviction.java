package io.kube4j.apiserver.rest;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.api.selector.FieldSelector;
import io.kube4j.api.selector.LabelSelector;
import io.kube4j.apiserver.admission.AdmissionAttributes;
import io.kube4j.apiserver.admission.AdmissionChain;
import io.kube4j.apiserver.auth.RequestUser;
import io.kube4j.apiserver.config.ApiServerProperties;
import io.kube4j.apiserver.registry.DeleteRequest;
import io.kube4j.apiserver.registry.ListOptions;
import io.kube4j.apiserver.registry.ResourceStore;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code POST pods/{name}/eviction}: a pod delete that respects PodDisruptionBudgets, as Kubernetes'
 * {@code pkg/registry/core/pod/storage/eviction.go}. Terminal, pending and already-deleting pods are deleted at once;
 * otherwise the one budget matching the pod must allow a disruption, which is spent (decremented, the pod recorded in
 * {@code status.disruptedPods}) with a compare-and-swap write of the budget before the pod is deleted; a budget that
 * allows none answers 429 TooManyRequests, which clients such as {@code kubectl drain} retry.
 */
final class PodEviction {

    /** Kubernetes' {@code MaxDisruptedPodSize}: more unconfirmed evictions than this and the budget refuses. */
    static final int MAX_DISRUPTED_POD_SIZE = 2000;
    static final String VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget.";

    private final ResourceStore store;
    private final ResourceType pods;
    private final ResourceType pdbs;
    private final ApiServerProperties props;

    PodEviction(ResourceStore store, ResourceRegistry registry, ApiServerProperties props) {
        this.store = store;
        this.pods = registry.byType(Pod.class).orElseThrow();
        this.pdbs = registry.byType(PodDisruptionBudget.class).orElseThrow();
        this.props = props;
    }

    /** Whether {@code dryRun=All} is honoured for this subresource (eviction checks the budget without writing). */
    static boolean servesDryRun(ResourceType t, String subresource) {
        return "eviction".equals(subresource) && t.group().isEmpty() && t.plural().equals("pods");
    }

    Mono<ServerResponse> evict(ServerRequest request, RequestInfo info) {
        String ns = info.namespace();
        String name = info.name();
        return Bodies.read(request, props.maxRequestBodySize()).flatMap(body -> {
            JsonNode tree = Bodies.parseObject(body, Bodies.mediaType(request));
            String apiVersion = tree.path("apiVersion").asString("");
            String kind = tree.path("kind").asString("");
            if (!apiVersion.isEmpty() && !apiVersion.equals("policy/v1") && !apiVersion.equals("policy/v1beta1")
                    || !kind.isEmpty() && !kind.equals("Eviction")) {
                throw ApiException.badRequest("the object's apiVersion/kind (" + apiVersion + "/" + kind
                        + ") is not an Eviction (policy/v1 or policy/v1beta1)");
            }
            JsonNode optionsNode = tree.path("deleteOptions");
            DeleteRequest delete = ResourceHandler.deleteRequest(request, optionsNode);
            boolean dryRun = dryRun(request, optionsNode);
            Eviction eviction;
            try {
                ObjectNode copy = (ObjectNode) tree.deepCopy();
                copy.put("apiVersion", "policy/v1");
                copy.remove("deleteOptions");
                eviction = Codecs.json().treeToValue(copy, Eviction.class);
            } catch (tools.jackson.core.JacksonException e) {
                throw ApiException.badRequest("the request body is not a valid Eviction: " + e.getOriginalMessage());
            }
            String named = eviction.getMetadata() == null ? null : eviction.getMetadata().getName();
            if (named != null && !named.isEmpty() && !named.equals(name)) {
                throw ApiException.badRequest("name in URL does not match name in Eviction object");
            }
            // Kubernetes admits pods/eviction as a CREATE of the Eviction; the pod delete itself is not admitted again.
            AdmissionAttributes attrs = new AdmissionAttributes(AdmissionAttributes.Operation.CREATE, pods, "eviction",
                    ns, name, eviction, null, RequestUser.get(request), dryRun, null);
            AdmissionChain chain = store.admission();
            Mono<Void> admitted = chain.applies(attrs.operation(), pods, "eviction", attrs.user())
                    ? chain.admitAndValidate(attrs) : Mono.empty();
            return admitted.then(Mono.defer(() -> store.get(pods, ns, name)))
                    .flatMap(p -> evict((Pod) p, delete, dryRun));
        }).flatMap(status -> Responses.object(request, status.getCode() == null ? 201 : status.getCode(), status));
    }

    private static boolean dryRun(ServerRequest request, JsonNode options) {
        boolean dry = request.queryParams().getOrDefault("dryRun", List.of()).contains("All");
        JsonNode inBody = options.path("dryRun");
        if (!inBody.isMissingNode() && !inBody.isNull()) {
            if (!inBody.isArray()) {
                throw ApiException.badRequest("DeleteOptions.dryRun must be a list, got " + inBody);
            }
            for (JsonNode d : inBody) {
                if (!d.asString("").equals("All")) {
                    throw ApiException.badRequest("Unsupported value: \"" + d.asString("") + "\": supported values: \"All\"");
                }
                dry = true;
            }
        }
        return dry;
    }

    private Mono<io.fabric8.kubernetes.api.model.Status> evict(Pod pod, DeleteRequest delete, boolean dryRun) {
        if (canIgnoreBudget(pod)) {
            return deletePod(pod, delete, dryRun);
        }
        String ns = pod.getMetadata().getNamespace();
        ListOptions all = new ListOptions(LabelSelector.everything(), FieldSelector.everything(), null, null, 0, null);
        return store.list(pdbs, ns, all).flatMap(list -> {
            List<PodDisruptionBudget> matching = new ArrayList<>();
            for (byte[] item : list.items()) {
                PodDisruptionBudget pdb = Codecs.json().readValue(item, PodDisruptionBudget.class);
                if (matches(pdb, pod)) {
                    matching.add(pdb);
                }
            }
            if (matching.size() > 1) {
                return Mono.just(new StatusBuilder().withApiVersion("v1").withKind("Status").withNewMetadata().endMetadata()
                        .withStatus("Failure").withCode(500)
                        .withMessage("This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.")
                        .build());
            }
            if (matching.isEmpty()) {
                return deletePod(pod, delete, dryRun);
            }
            PodDisruptionBudget pdb = matching.get(0);
            if (!ready(pod) && unhealthyEvictable(pdb)) {
                // the pod must still be the one judged unhealthy when it is deleted
                DeleteRequest pinned = new DeleteRequest(delete.gracePeriodSeconds(), delete.propagationPolicy(),
                        delete.preconditionUid(), pod.getMetadata().getResourceVersion());
                return deletePod(pod, pinned, dryRun).onErrorMap(
                        e -> e instanceof ApiException a && a.code() == 409,
                        e -> tooManyRequests(VIOLATION, 10, "The pod " + pod.getMetadata().getName()
                                + " changed while it was being evicted; try again"));
            }
            return spend(pdb, pod.getMetadata().getName(), dryRun).then(Mono.defer(() -> deletePod(pod, delete, dryRun)));
        });
    }

    /** Kubernetes' {@code canIgnorePDB}: a pod that is done, not yet running or already going needs no budget. */
    static boolean canIgnoreBudget(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase) || "Pending".equals(phase)
                || pod.getMetadata().getDeletionTimestamp() != null;
    }

    /** A budget covers a pod of its namespace its selector matches; a null or empty selector matches nothing here. */
    static boolean matches(PodDisruptionBudget pdb, Pod pod) {
        if (!Objects.equals(pdb.getMetadata().getNamespace(), pod.getMetadata().getNamespace()) || pdb.getSpec() == null) {
            return false;
        }
        LabelSelector sel;
        try {
            sel = LabelSelector.from(pdb.getSpec().getSelector());
        } catch (IllegalArgumentException e) {
            return false;
        }
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        return !sel.isNothing() && !sel.isEverything() && sel.matches(labels);
    }

    static boolean ready(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** An unready pod is evictable when the policy is AlwaysAllow, or (IfHealthyBudget) the budget is met already. */
    private static boolean unhealthyEvictable(PodDisruptionBudget pdb) {
        if ("AlwaysAllow".equals(pdb.getSpec().getUnhealthyPodEvictionPolicy())) {
            return true;
        }
        PodDisruptionBudgetStatus s = pdb.getStatus();
        int current = s == null || s.getCurrentHealthy() == null ? 0 : s.getCurrentHealthy();
        int desired = s == null || s.getDesiredHealthy() == null ? 0 : s.getDesiredHealthy();
        return current >= desired && desired > 0;
    }

    /** Spends one disruption of the budget (checkAndDecrement), re-checked on every compare-and-swap attempt. */
    private Mono<Void> spend(PodDisruptionBudget found, String podName, boolean dryRun) {
        if (dryRun) {
            check(found);
            return Mono.empty();
        }
        return store.guaranteedUpdate(pdbs, found.getMetadata().getNamespace(), found.getMetadata().getName(), current -> {
            PodDisruptionBudget pdb = (PodDisruptionBudget) current;
            check(pdb);
            PodDisruptionBudgetStatus s = pdb.getStatus();
            s.setDisruptionsAllowed(s.getDisruptionsAllowed() - 1);
            if (s.getDisruptionsAllowed() == 0) {
                DisruptionConditions.set(s, false, pdb.getMetadata().getGeneration());
            }
            Map<String, String> disrupted = new LinkedHashMap<>(s.getDisruptedPods() == null ? Map.of() : s.getDisruptedPods());
            disrupted.put(podName, ResourceStore.RFC3339.format(Instant.now()));
            s.setDisruptedPods(disrupted);
            return pdb;
        }).then();
    }

    /** The budget's refusals, in eviction.go's order and words. */
    void check(PodDisruptionBudget pdb) {
        String name = pdb.getMetadata().getName();
        PodDisruptionBudgetStatus s = pdb.getStatus();
        long generation = pdb.getMetadata().getGeneration() == null ? 0 : pdb.getMetadata().getGeneration();
        if (s == null || s.getObservedGeneration() == null || s.getObservedGeneration() < generation) {
            throw tooManyRequests(VIOLATION, 10, "The disruption budget " + name + " is still being processed by the server.");
        }
        int allowed = s.getDisruptionsAllowed() == null ? 0 : s.getDisruptionsAllowed();
        if (allowed < 0) {
            throw ApiException.forbidden(pdbs, name, "poddisruptionbudgets.policy \"" + name
                    + "\" is forbidden: pdb disruptions allowed is negative");
        }
        if (s.getDisruptedPods() != null && s.getDisruptedPods().size() > MAX_DISRUPTED_POD_SIZE) {
            throw ApiException.forbidden(pdbs, name, "poddisruptionbudgets.policy \"" + name
                    + "\" is forbidden: DisruptedPods map too big - too many evictions not confirmed by PDB controller");
        }
        if (allowed == 0) {
            throw tooManyRequests(VIOLATION, 0, "The disruption budget " + name + " needs "
                    + (s.getDesiredHealthy() == null ? 0 : s.getDesiredHealthy()) + " healthy pods and has "
                    + (s.getCurrentHealthy() == null ? 0 : s.getCurrentHealthy()) + " currently");
        }
    }

    static ApiException tooManyRequests(String message, int retryAfter, String cause) {
        return new ApiException(429, "TooManyRequests", message, null, null, null,
                List.of(new StatusCause(null, cause, "DisruptionBudget")), retryAfter);
    }

    /**
     * addConditionAndDeletePod: the pod gets the condition DisruptionTarget (reason EvictionByEvictionAPI), then is
     * deleted with the eviction's DeleteOptions (a resourceVersion precondition follows the condition's write).
     */
    private Mono<io.fabric8.kubernetes.api.model.Status> deletePod(Pod pod, DeleteRequest delete, boolean dryRun) {
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        io.fabric8.kubernetes.api.model.Status success = new StatusBuilder().withApiVersion("v1").withKind("Status")
                .withNewMetadata().endMetadata().withStatus("Success").build();
        if (dryRun) {
            return Mono.just(success);
        }
        Mono<String> conditioned = store.guaranteedUpdate(pods, ns, name, current -> {
            Pod p = (Pod) current;
            if (delete.preconditionVersion() != null
                    && !delete.preconditionVersion().equals(p.getMetadata().getResourceVersion())) {
                throw ApiException.conflict(pods, name, "Precondition failed: ResourceVersion in precondition: "
                        + delete.preconditionVersion() + ", ResourceVersion in object meta: "
                        + p.getMetadata().getResourceVersion());
            }
            PodStatus status = p.getStatus() == null ? new PodStatus() : p.getStatus();
            List<PodCondition> conditions = new ArrayList<>(status.getConditions() == null ? List.of() : status.getConditions());
            boolean present = conditions.stream().anyMatch(c -> "DisruptionTarget".equals(c.getType())
                    && "True".equals(c.getStatus()) && "EvictionByEvictionAPI".equals(c.getReason()));
            if (!present) {
                conditions.removeIf(c -> "DisruptionTarget".equals(c.getType()));
                PodCondition c = new PodCondition();
                c.setType("DisruptionTarget");
                c.setStatus("True");
                c.setReason("EvictionByEvictionAPI");
                c.setMessage("Eviction API: evicting");
                c.setLastTransitionTime(ResourceStore.now());
                conditions.add(c);
                status.setConditions(conditions);
                p.setStatus(status);
            }
            return p;
        }).map(w -> w.object().getMetadata().getResourceVersion());
        return conditioned.flatMap(rv -> store.delete(pods, ns, name, new DeleteRequest(delete.gracePeriodSeconds(),
                        delete.propagationPolicy(), delete.preconditionUid(),
                        delete.preconditionVersion() == null ? null : rv)))
                .thenReturn(success);
    }

    /** Writes the {@code DisruptionAllowed} condition as Kubernetes' {@code pdbhelper.UpdateDisruptionAllowedCondition}. */
    static final class DisruptionConditions {

        private DisruptionConditions() {
        }

        static void set(PodDisruptionBudgetStatus s, boolean allowed, Long generation) {
            List<io.fabric8.kubernetes.api.model.Condition> conditions = new ArrayList<>(
                    s.getConditions() == null ? List.of() : s.getConditions());
            String status = allowed ? "True" : "False";
            String reason = allowed ? "SufficientPods" : "InsufficientPods";
            io.fabric8.kubernetes.api.model.Condition existing = conditions.stream()
                    .filter(c -> "DisruptionAllowed".equals(c.getType())).findFirst().orElse(null);
            if (existing != null && status.equals(existing.getStatus()) && reason.equals(existing.getReason())) {
                return;
            }
            conditions.removeIf(c -> "DisruptionAllowed".equals(c.getType()));
            io.fabric8.kubernetes.api.model.Condition c = new io.fabric8.kubernetes.api.model.Condition();
            c.setType("DisruptionAllowed");
            c.setStatus(status);
            c.setReason(reason);
            c.setMessage("");
            c.setObservedGeneration(generation);
            c.setLastTransitionTime(ResourceStore.now());
            conditions.add(c);
            s.setConditions(conditions);
        }
    }
}
