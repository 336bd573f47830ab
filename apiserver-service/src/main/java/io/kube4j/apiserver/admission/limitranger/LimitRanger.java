package io.kube4j.apiserver.admission.limitranger;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeItem;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.admission.AdmissionAttributes;
import io.kube4j.apiserver.admission.AdmissionAttributes.Operation;
import io.kube4j.apiserver.admission.AdmissionErrors;
import io.kube4j.apiserver.admission.AdmissionLookup;
import io.kube4j.apiserver.admission.AdmissionOrder;
import io.kube4j.apiserver.admission.CoreResources;
import io.kube4j.apiserver.admission.MutatingAdmissionPlugin;
import io.kube4j.apiserver.admission.ValidatingAdmissionPlugin;
import io.kube4j.security.UserInfo;
import org.springframework.core.annotation.Order;
import reactor.core.publisher.Mono;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Kubernetes' {@code LimitRanger} admission plugin ({@code plugin/pkg/admission/limitranger}): the namespace's
 * LimitRanges give containers their default requests and limits (noted in the pod annotation
 * {@code kubernetes.io/limit-ranger}), and bound Container and Pod resources (min, max, maxLimitRequestRatio) and
 * PersistentVolumeClaim storage (min, max); a violation is 403 Forbidden with Kubernetes' messages.
 */
@Order(AdmissionOrder.LIMIT_RANGER)
public final class LimitRanger implements MutatingAdmissionPlugin, ValidatingAdmissionPlugin {

    static final String ANNOTATION = "kubernetes.io/limit-ranger";

    private final AdmissionLookup lookup;
    private final ResourceType limitRanges;

    public LimitRanger(AdmissionLookup lookup) {
        this.lookup = lookup;
        this.limitRanges = lookup.type("", "v1", "limitranges");
    }

    @Override
    public String name() {
        return "LimitRanger";
    }

    @Override
    public boolean appliesTo(Operation op, ResourceType type, String subresource, UserInfo user) {
        if (!subresource.isEmpty()) {
            return false;
        }
        // Pod resources cannot change after create: Kubernetes looks at pods on create only.
        if (CoreResources.isPods(type)) {
            return op == Operation.CREATE;
        }
        return CoreResources.isCore(type, "persistentvolumeclaims") && (op == Operation.CREATE || op == Operation.UPDATE);
    }

    private List<LimitRange> ranges(String ns) {
        if (ns.isEmpty() || !lookup.anyCached(limitRanges, ns)) {
            return List.of();
        }
        return lookup.listCached(limitRanges, ns);
    }

    @Override
    public Mono<HasMetadata> admit(AdmissionAttributes a) {
        if (a.object() instanceof Pod pod) {
            List<LimitRange> ranges = ranges(a.namespace());
            if (!ranges.isEmpty()) {
                applyDefaults(pod, ranges);
            }
        }
        return Mono.justOrEmpty(a.object());
    }

    @Override
    public Mono<Void> validate(AdmissionAttributes a) {
        List<LimitRange> ranges = ranges(a.namespace());
        if (ranges.isEmpty()) {
            return Mono.empty();
        }
        List<String> errors = new ArrayList<>();
        for (LimitRange lr : ranges) {
            if (a.object() instanceof Pod pod) {
                errors.addAll(validatePod(lr, pod));
            } else if (a.object() instanceof PersistentVolumeClaim pvc) {
                errors.addAll(validatePvc(lr, pvc));
            }
        }
        if (errors.isEmpty()) {
            return Mono.empty();
        }
        return Mono.error(AdmissionErrors.forbidden(a, aggregate(errors)));
    }

    /** Kubernetes' {@code utilerrors.NewAggregate(...).Error()}: one message alone, several in brackets. */
    static String aggregate(List<String> errors) {
        return errors.size() == 1 ? errors.get(0) : "[" + String.join(", ", errors) + "]";
    }

    // ---------------------------------------------------------------- defaults

    /** Sets the containers' missing requests and limits from the ranges' Container defaults. */
    static void applyDefaults(Pod pod, List<LimitRange> ranges) {
        Map<String, Quantity> requests = new LinkedHashMap<>();
        Map<String, Quantity> limits = new LinkedHashMap<>();
        for (LimitRange lr : ranges) {
            for (LimitRangeItem item : items(lr)) {
                if ("Container".equals(item.getType())) {
                    requests.putAll(defaultRequest(item));
                    limits.putAll(defaultLimit(item));
                }
            }
        }
        if ((requests.isEmpty() && limits.isEmpty()) || pod.getSpec() == null) {
            return;
        }
        List<String> notes = new ArrayList<>();
        for (List<Container> list : containerLists(pod)) {
            for (Container c : list) {
                merge(c, requests, limits, notes);
            }
        }
        if (!notes.isEmpty()) {
            Map<String, String> ann = new LinkedHashMap<>(pod.getMetadata().getAnnotations() == null
                    ? Map.of() : pod.getMetadata().getAnnotations());
            ann.put(ANNOTATION, "LimitRanger plugin set: " + String.join("; ", notes));
            pod.getMetadata().setAnnotations(ann);
        }
    }

    /** LimitRange defaulting: default falls back to max, defaultRequest to default. */
    static Map<String, Quantity> defaultLimit(LimitRangeItem item) {
        Map<String, Quantity> out = new LinkedHashMap<>(nonNull(item.getMax()));
        out.putAll(nonNull(item.getDefault()));
        return out;
    }

    static Map<String, Quantity> defaultRequest(LimitRangeItem item) {
        Map<String, Quantity> out = new LinkedHashMap<>(defaultLimit(item));
        out.putAll(nonNull(item.getDefaultRequest()));
        return out;
    }

    private static void merge(Container c, Map<String, Quantity> requests, Map<String, Quantity> limits,
                              List<String> notes) {
        ResourceRequirements r = c.getResources() == null ? new ResourceRequirements() : c.getResources();
        Map<String, Quantity> lim = new LinkedHashMap<>(nonNull(r.getLimits()));
        Map<String, Quantity> req = new LinkedHashMap<>(nonNull(r.getRequests()));
        List<String> setLimits = new ArrayList<>();
        List<String> setRequests = new ArrayList<>();
        limits.forEach((k, v) -> {
            if (!lim.containsKey(k)) {
                lim.put(k, new Quantity(v.getAmount(), v.getFormat()));
                setLimits.add(k);
            }
        });
        requests.forEach((k, v) -> {
            if (!req.containsKey(k)) {
                // a container with a limit and no request requests its limit (pod defaulting), not the range's default
                Quantity q = r.getLimits() != null && r.getLimits().containsKey(k) ? r.getLimits().get(k) : v;
                req.put(k, new Quantity(q.getAmount(), q.getFormat()));
                setRequests.add(k);
            }
        });
        if (setLimits.isEmpty() && setRequests.isEmpty()) {
            return;
        }
        r.setLimits(lim.isEmpty() ? null : lim);
        r.setRequests(req.isEmpty() ? null : req);
        c.setResources(r);
        if (!setRequests.isEmpty()) {
            notes.add(String.join(", ", setRequests) + " request for container " + c.getName());
        }
        if (!setLimits.isEmpty()) {
            notes.add(String.join(", ", setLimits) + " limit for container " + c.getName());
        }
    }

    // ---------------------------------------------------------------- limits

    static List<String> validatePod(LimitRange lr, Pod pod) {
        List<String> errs = new ArrayList<>();
        if (pod.getSpec() == null) {
            return errs;
        }
        for (LimitRangeItem item : items(lr)) {
            if ("Container".equals(item.getType())) {
                for (List<Container> list : containerLists(pod)) {
                    for (Container c : list) {
                        ResourceRequirements r = c.getResources();
                        check(errs, "Container", item, r == null ? Map.of() : nonNull(r.getRequests()),
                                r == null ? Map.of() : nonNull(r.getLimits()));
                    }
                }
            } else if ("Pod".equals(item.getType())) {
                check(errs, "Pod", item, podTotal(pod, true), podTotal(pod, false));
            }
        }
        return errs;
    }

    static List<String> validatePvc(LimitRange lr, PersistentVolumeClaim pvc) {
        List<String> errs = new ArrayList<>();
        var res = pvc.getSpec() == null ? null : pvc.getSpec().getResources();
        Map<String, Quantity> req = res == null ? Map.of() : nonNull(res.getRequests());
        Map<String, Quantity> lim = res == null ? Map.of() : nonNull(res.getLimits());
        for (LimitRangeItem item : items(lr)) {
            if ("PersistentVolumeClaim".equals(item.getType())) {
                nonNull(item.getMin()).forEach((k, v) -> minConstraint(errs, "PersistentVolumeClaim", k, v, req, lim));
                nonNull(item.getMax()).forEach((k, v) -> {
                    // Kubernetes checks a claim's max against its request: claims seldom set limits
                    Quantity q = req.get(k);
                    if (q == null) {
                        errs.add(String.format("maximum %s usage per %s is %s.  No request is specified", k,
                                "PersistentVolumeClaim", text(v)));
                    } else if (value(q).compareTo(value(v)) > 0) {
                        errs.add(String.format("maximum %s usage per %s is %s, but request is %s", k,
                                "PersistentVolumeClaim", text(v), text(q)));
                    }
                });
            }
        }
        return errs;
    }

    private static void check(List<String> errs, String limitType, LimitRangeItem item, Map<String, Quantity> req,
                              Map<String, Quantity> lim) {
        nonNull(item.getMin()).forEach((k, v) -> minConstraint(errs, limitType, k, v, req, lim));
        nonNull(item.getMax()).forEach((k, v) -> maxConstraint(errs, limitType, k, v, req, lim));
        nonNull(item.getMaxLimitRequestRatio()).forEach((k, v) -> ratioConstraint(errs, limitType, k, v, req, lim));
    }

    static void minConstraint(List<String> errs, String limitType, String res, Quantity enforced,
                              Map<String, Quantity> req, Map<String, Quantity> lim) {
        Quantity r = req.get(res);
        Quantity l = lim.get(res);
        if (r == null) {
            errs.add(String.format("minimum %s usage per %s is %s.  No request is specified", res, limitType, text(enforced)));
        } else if (value(r).compareTo(value(enforced)) < 0) {
            errs.add(String.format("minimum %s usage per %s is %s, but request is %s", res, limitType, text(enforced), text(r)));
        } else if (l != null && value(l).compareTo(value(enforced)) < 0) {
            errs.add(String.format("minimum %s usage per %s is %s, but limit is %s", res, limitType, text(enforced), text(l)));
        }
    }

    static void maxConstraint(List<String> errs, String limitType, String res, Quantity enforced,
                              Map<String, Quantity> req, Map<String, Quantity> lim) {
        Quantity r = req.get(res);
        Quantity l = lim.get(res);
        if (l == null) {
            errs.add(String.format("maximum %s usage per %s is %s.  No limit is specified", res, limitType, text(enforced)));
        } else if (value(l).compareTo(value(enforced)) > 0) {
            errs.add(String.format("maximum %s usage per %s is %s, but limit is %s", res, limitType, text(enforced), text(l)));
        } else if (r != null && value(r).compareTo(value(enforced)) > 0) {
            errs.add(String.format("maximum %s usage per %s is %s, but request is %s", res, limitType, text(enforced), text(r)));
        }
    }

    static void ratioConstraint(List<String> errs, String limitType, String res, Quantity enforced,
                                Map<String, Quantity> req, Map<String, Quantity> lim) {
        Quantity r = req.get(res);
        Quantity l = lim.get(res);
        if (r == null || value(r).signum() == 0) {
            errs.add(String.format("%s max limit to request ratio per %s is %s, but no request is specified or request is 0",
                    res, limitType, text(enforced)));
            return;
        }
        if (l == null || value(l).signum() == 0) {
            errs.add(String.format("%s max limit to request ratio per %s is %s, but no limit is specified or limit is 0",
                    res, limitType, text(enforced)));
            return;
        }
        BigDecimal ratio = value(l).divide(value(r), 9, RoundingMode.HALF_EVEN);
        if (ratio.compareTo(value(enforced)) > 0) {
            errs.add(String.format(Locale.ROOT, "%s max limit to request ratio per %s is %s, but provided ratio is %f",
                    res, limitType, text(enforced), ratio.doubleValue()));
        }
    }

    /** A pod's total: the sum over its containers, or the largest init container when that is more. */
    static Map<String, Quantity> podTotal(Pod pod, boolean requests) {
        Map<String, BigDecimal> sum = new LinkedHashMap<>();
        Map<String, String> formats = new LinkedHashMap<>();
        for (Container c : nonNull(pod.getSpec().getContainers())) {
            amounts(c, requests).forEach((k, v) -> {
                sum.merge(k, value(v), BigDecimal::add);
                formats.putIfAbsent(k, v.getFormat());
            });
        }
        for (Container c : nonNull(pod.getSpec().getInitContainers())) {
            amounts(c, requests).forEach((k, v) -> {
                sum.merge(k, value(v), BigDecimal::max);
                formats.putIfAbsent(k, v.getFormat());
            });
        }
        Map<String, Quantity> out = new LinkedHashMap<>();
        // the total keeps the unit its parts were given in (Kubernetes prints 1200Mi, not 1258291200)
        sum.forEach((k, v) -> out.put(k, Quantity.fromNumericalAmount(v, formats.get(k))));
        return out;
    }

    private static Map<String, Quantity> amounts(Container c, boolean requests) {
        ResourceRequirements r = c.getResources();
        if (r == null) {
            return Map.of();
        }
        return nonNull(requests ? r.getRequests() : r.getLimits());
    }

    private static List<List<Container>> containerLists(Pod pod) {
        return List.of(nonNull(pod.getSpec().getInitContainers()), nonNull(pod.getSpec().getContainers()));
    }

    static BigDecimal value(Quantity q) {
        return q.getNumericalAmount();
    }

    static String text(Quantity q) {
        return q.getFormat() == null ? q.getAmount() : q.getAmount() + q.getFormat();
    }

    private static List<LimitRangeItem> items(LimitRange lr) {
        return lr.getSpec() == null || lr.getSpec().getLimits() == null ? List.of() : lr.getSpec().getLimits();
    }

    private static <K, V> Map<K, V> nonNull(Map<K, V> m) {
        return m == null ? Map.of() : m;
    }

    private static <T> List<T> nonNull(List<T> l) {
        return l == null ? List.of() : l;
    }
}
