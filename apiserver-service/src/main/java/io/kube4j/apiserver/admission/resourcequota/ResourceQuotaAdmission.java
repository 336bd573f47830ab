package io.kube4j.apiserver.admission.resourcequota;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaStatus;
import io.kube4j.api.quota.QuotaUsage;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.admission.AdmissionAttributes;
import io.kube4j.apiserver.admission.AdmissionAttributes.Operation;
import io.kube4j.apiserver.admission.AdmissionErrors;
import io.kube4j.apiserver.admission.AdmissionLookup;
import io.kube4j.apiserver.admission.AdmissionOrder;
import io.kube4j.apiserver.admission.ValidatingAdmissionPlugin;
import io.kube4j.apiserver.registry.ObjectCodec;
import io.kube4j.apiserver.rest.ApiException;
import io.kube4j.apiserver.storage.StoredObject;
import io.kube4j.security.UserInfo;
import org.springframework.core.annotation.Order;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Kubernetes' {@code ResourceQuota} admission plugin ({@code plugin/pkg/admission/resourcequota}): a new object is
 * charged to every quota of its namespace that tracks something it uses, by a compare-and-swap of the quota's
 * {@code status.used} in the same admission (re-read and re-checked on a conflict), so that concurrent creates never
 * take {@code used} over {@code hard}; over the limit is 403 {@code exceeded quota: ...}. A quota whose usage of a
 * tracked resource is not known yet (no controller has computed it) is counted from storage first. Usage of objects
 * that go away is given back by the controller-manager's recalculation, as in Kubernetes.
 */
@Order(AdmissionOrder.RESOURCE_QUOTA)
public final class ResourceQuotaAdmission implements ValidatingAdmissionPlugin {

    private static final int MAX_ATTEMPTS = 200;

    private final AdmissionLookup lookup;
    private final ResourceType quotas;

    public ResourceQuotaAdmission(AdmissionLookup lookup) {
        this.lookup = lookup;
        this.quotas = lookup.type("", "v1", "resourcequotas");
    }

    @Override
    public String name() {
        return "ResourceQuota";
    }

    @Override
    public boolean appliesTo(Operation op, ResourceType type, String subresource, UserInfo user) {
        // Kubernetes also re-charges updates (a claim that grows); creates are what most quotas bound.
        return op == Operation.CREATE && subresource.isEmpty() && type.namespaced();
    }

    @Override
    public Mono<Void> validate(AdmissionAttributes a) {
        if (a.namespace().isEmpty() || a.object() == null || !lookup.anyCached(quotas, a.namespace())) {
            return Mono.empty();
        }
        Map<String, BigDecimal> delta = QuotaUsage.of(a.type().group(), a.type().plural(), a.object());
        if (delta.isEmpty()) {
            return Mono.empty();
        }
        List<ResourceQuota> cached = lookup.listCached(quotas, a.namespace());
        return Flux.fromIterable(cached)
                .filter(q -> tracks(q, delta) || a.object() instanceof Pod && !missing(q, a).isEmpty())
                .concatMap(q -> charge(a, q.getMetadata().getName(), delta, 0))
                .then();
    }

    private static boolean tracks(ResourceQuota q, Map<String, BigDecimal> delta) {
        Map<String, Quantity> hard = hard(q);
        return delta.keySet().stream().anyMatch(hard::containsKey);
    }

    private static List<String> missing(ResourceQuota q, AdmissionAttributes a) {
        return QuotaUsage.missingPodResources((Pod) a.object(), hard(q).keySet());
    }

    private static Map<String, Quantity> hard(ResourceQuota q) {
        return q.getSpec() == null || q.getSpec().getHard() == null ? Map.of() : q.getSpec().getHard();
    }

    /** Checks and records {@code delta} on quota {@code name} with compare-and-swap, retrying on conflicts. */
    private Mono<Void> charge(AdmissionAttributes a, String name, Map<String, BigDecimal> delta, int attempt) {
        String key = quotas.key(a.namespace(), name);
        return lookup.storage().get(key).flatMap(stored -> charge(a, key, stored, delta, attempt));
    }

    private Mono<Void> charge(AdmissionAttributes a, String key, StoredObject stored, Map<String, BigDecimal> delta,
                              int attempt) {
        ResourceQuota q = (ResourceQuota) ObjectCodec.decode(quotas, stored.value(), stored.modRevision());
        String name = q.getMetadata().getName();
        Map<String, Quantity> hard = hard(q);
        if (a.object() instanceof Pod pod) {
            List<String> missing = QuotaUsage.missingPodResources(pod, hard.keySet());
            if (!missing.isEmpty()) {
                return Mono.error(AdmissionErrors.forbidden(a, "failed quota: " + name + ": must specify "
                        + String.join(",", missing)));
            }
        }
        Map<String, Quantity> used = q.getStatus() == null || q.getStatus().getUsed() == null
                ? Map.of() : q.getStatus().getUsed();
        List<String> unknown = hard.keySet().stream().filter(h -> delta.containsKey(h) && !used.containsKey(h)).toList();
        Mono<Map<String, BigDecimal>> usage = unknown.isEmpty() ? Mono.just(numbers(used))
                : countFromStorage(a.namespace(), hard).map(counted -> {
                    Map<String, BigDecimal> u = numbers(used);
                    for (String h : unknown) {
                        u.put(h, counted.getOrDefault(h, BigDecimal.ZERO));
                    }
                    return u;
                });
        return usage.flatMap(current -> {
            Map<String, BigDecimal> next = new TreeMap<>(current);
            List<String> exceeded = new ArrayList<>();
            for (Map.Entry<String, Quantity> h : hard.entrySet()) {
                BigDecimal d = delta.get(h.getKey());
                if (d == null) {
                    continue;
                }
                BigDecimal total = current.getOrDefault(h.getKey(), BigDecimal.ZERO).add(d);
                next.put(h.getKey(), total);
                if (total.compareTo(h.getValue().getNumericalAmount()) > 0) {
                    exceeded.add(h.getKey());
                }
            }
            if (!exceeded.isEmpty()) {
                return Mono.error(AdmissionErrors.forbidden(a, exceededMessage(name, exceeded, delta, current, hard)));
            }
            ResourceQuotaStatus status = q.getStatus() == null ? new ResourceQuotaStatus() : q.getStatus();
            status.setHard(new LinkedHashMap<>(hard));
            Map<String, Quantity> written = new TreeMap<>();
            used.forEach(written::put);
            next.forEach((k, v) -> written.put(k, QuotaUsage.quantity(v)));
            status.setUsed(written);
            q.setStatus(status);
            if (a.dryRun()) {
                return Mono.empty();
            }
            return lookup.storage().update(key, ObjectCodec.encodeForStorage(q), stored.modRevision(), null)
                    .flatMap(r -> {
                        if (r.succeeded()) {
                            return Mono.empty();
                        }
                        if (r.object() == null) {
                            return Mono.empty(); // the quota is gone: nothing to charge
                        }
                        if (attempt + 1 >= MAX_ATTEMPTS) {
                            return Mono.error(ApiException.conflict(quotas, name,
                                    "too many concurrent updates of the quota, please retry"));
                        }
                        // another admission charged the quota first: check again against what it wrote
                        long jitter = ThreadLocalRandom.current().nextLong(Math.min(1 + attempt, 20));
                        Mono<Void> again = Mono.defer(() -> charge(a, key, r.object(), delta, attempt + 1));
                        return jitter == 0 ? again : Mono.delay(Duration.ofMillis(jitter)).then(again);
                    });
        });
    }

    /** Usage of every resource the quota tracks, counted from storage (a quota no controller has computed yet). */
    private Mono<Map<String, BigDecimal>> countFromStorage(String ns, Map<String, Quantity> hard) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        List<ResourceType> types = lookup.namespacedTypes();
        return Flux.fromIterable(types)
                .filter(t -> t.stored() && hard.keySet().stream().anyMatch(h -> countedBy(h, t)))
                .filter(t -> seen.add(t.keyPrefix()))
                .concatMap(t -> lookup.listLive(t, ns).flatMapMany(Flux::fromIterable)
                        .map(o -> QuotaUsage.of(t.group(), t.plural(), o)))
                .reduce(new TreeMap<String, BigDecimal>(), (acc, u) -> {
                    u.forEach((k, v) -> acc.merge(k, v, BigDecimal::add));
                    return acc;
                })
                .map(m -> (Map<String, BigDecimal>) m);
    }

    private static boolean countedBy(String hard, ResourceType t) {
        String count = t.group().isEmpty() ? "count/" + t.plural() : "count/" + t.plural() + "." + t.group();
        if (hard.equals(count) || hard.equals(t.plural()) && t.group().isEmpty()) {
            return true;
        }
        if (t.group().isEmpty() && t.plural().equals("pods")) {
            return hard.startsWith("requests.") || hard.startsWith("limits.") && !hard.equals("requests.storage")
                    || hard.equals("cpu") || hard.equals("memory") || hard.equals("ephemeral-storage");
        }
        if (t.group().isEmpty() && t.plural().equals("services")) {
            return hard.startsWith("services.");
        }
        return t.group().isEmpty() && t.plural().equals("persistentvolumeclaims") && hard.equals("requests.storage");
    }

    private static Map<String, BigDecimal> numbers(Map<String, Quantity> m) {
        Map<String, BigDecimal> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.getNumericalAmount()));
        return out;
    }

    /** Kubernetes' {@code exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2}. */
    static String exceededMessage(String name, List<String> exceeded, Map<String, BigDecimal> delta,
                                  Map<String, BigDecimal> used, Map<String, Quantity> hard) {
        List<String> sorted = exceeded.stream().sorted().toList();
        StringBuilder req = new StringBuilder();
        StringBuilder u = new StringBuilder();
        StringBuilder lim = new StringBuilder();
        for (String r : sorted) {
            sep(req).append(r).append('=').append(QuotaUsage.format(delta.get(r)));
            sep(u).append(r).append('=').append(QuotaUsage.format(used.getOrDefault(r, BigDecimal.ZERO)));
            sep(lim).append(r).append('=').append(QuotaUsage.format(hard.get(r).getNumericalAmount()));
        }
        return "exceeded quota: " + name + ", requested: " + req + ", used: " + u + ", limited: " + lim;
    }

    private static StringBuilder sep(StringBuilder sb) {
        return sb.isEmpty() ? sb : sb.append(',');
    }
}
