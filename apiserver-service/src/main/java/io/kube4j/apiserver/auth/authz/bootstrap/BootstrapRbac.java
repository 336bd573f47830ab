package io.kube4j.apiserver.auth.authz.bootstrap;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.rbac.AggregationRule;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.auth.authz.rbac.RuleCoverage;
import io.kube4j.apiserver.registry.DeleteRequest;
import io.kube4j.apiserver.registry.ResourceStore;
import io.kube4j.apiserver.rest.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reconciles the {@link DefaultPolicy} at apiserver start, as kube-apiserver's {@code rbac/bootstrap-roles} hook:
 * a missing role or binding is created; an existing one gets the rules, labels, annotations, aggregation
 * selectors and subjects it lacks, while what users added stays; a binding whose roleRef changed is recreated; an
 * object annotated {@code rbac.authorization.kubernetes.io/autoupdate: "false"} is left alone.
 */
public final class BootstrapRbac {

    private static final Logger log = LoggerFactory.getLogger(BootstrapRbac.class);

    private final ResourceStore store;
    private final ResourceType roles;
    private final ResourceType bindings;

    public BootstrapRbac(ResourceStore store, ResourceRegistry registry) {
        this.store = store;
        this.roles = registry.byPath("rbac.authorization.k8s.io", "v1", "clusterroles").orElseThrow();
        this.bindings = registry.byPath("rbac.authorization.k8s.io", "v1", "clusterrolebindings").orElseThrow();
    }

    /** Reconciles every default role then binding; completes when all are in place (retrying while storage fails). */
    public Mono<Void> reconcile() {
        return Flux.defer(() -> Flux.fromIterable(DefaultPolicy.clusterRoles().values()))
                .concatMap(this::reconcileRole)
                .thenMany(Flux.defer(() -> Flux.fromIterable(DefaultPolicy.clusterRoleBindings().values())))
                .concatMap(this::reconcileBinding)
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(5))
                        .filter(e -> !(e instanceof ApiException a) || a.code() >= 500 || a.code() == 409))
                .then(Mono.fromRunnable(() -> log.info("default RBAC roles and bindings reconciled")));
    }

    private Mono<Void> reconcileRole(ClusterRole expected) {
        String name = expected.getMetadata().getName();
        return store.get(roles, null, name)
                .flatMap(o -> {
                    ClusterRole existing = (ClusterRole) o;
                    if (!autoupdate(existing)) {
                        return Mono.empty();
                    }
                    boolean changed = mergeMeta(existing.getMetadata(), expected.getMetadata());
                    List<PolicyRule> rules = existing.getRules() == null ? new ArrayList<>() : new ArrayList<>(existing.getRules());
                    for (PolicyRule r : expected.getRules()) {
                        if (!RuleCoverage.covers(rules, List.of(r))) {
                            rules.add(r);
                            changed = true;
                        }
                    }
                    existing.setRules(rules);
                    if (expected.getAggregationRule() != null) {
                        changed |= mergeAggregation(existing, expected.getAggregationRule());
                    }
                    if (!changed) {
                        return Mono.empty();
                    }
                    log.info("reconciling cluster role {}", name);
                    return store.update(roles, null, name, existing, ResourceStore.Part.MAIN).then();
                })
                .onErrorResume(e -> e instanceof ApiException a && a.code() == 404, e -> create(roles, expected));
    }

    private Mono<Void> reconcileBinding(ClusterRoleBinding expected) {
        String name = expected.getMetadata().getName();
        return store.get(bindings, null, name)
                .flatMap(o -> {
                    ClusterRoleBinding existing = (ClusterRoleBinding) o;
                    if (!autoupdate(existing)) {
                        return Mono.empty();
                    }
                    if (!Objects.equals(existing.getRoleRef(), expected.getRoleRef())) {
                        // roleRef is immutable: recreate, keeping the subjects users added
                        log.info("recreating cluster role binding {}: its roleRef changed", name);
                        mergeSubjects(expected, existing.getSubjects());
                        return store.delete(bindings, null, name, DeleteRequest.defaults())
                                .then(create(bindings, expected));
                    }
                    boolean changed = mergeMeta(existing.getMetadata(), expected.getMetadata());
                    List<Subject> before = existing.getSubjects() == null ? List.of() : List.copyOf(existing.getSubjects());
                    mergeSubjects(existing, expected.getSubjects());
                    changed |= existing.getSubjects().size() != before.size();
                    if (!changed) {
                        return Mono.empty();
                    }
                    log.info("reconciling cluster role binding {}", name);
                    return store.update(bindings, null, name, existing, ResourceStore.Part.MAIN).then();
                })
                .onErrorResume(e -> e instanceof ApiException a && a.code() == 404, e -> create(bindings, expected));
    }

    private Mono<Void> create(ResourceType t, HasMetadata o) {
        return store.create(t, null, o)
                .doOnNext(w -> log.info("created {} {}", t.kind(), o.getMetadata().getName()))
                .then();
    }

    private static boolean autoupdate(HasMetadata o) {
        Map<String, String> a = o.getMetadata().getAnnotations();
        return a == null || !"false".equals(a.get(DefaultPolicy.AUTOUPDATE));
    }

    private static boolean mergeMeta(ObjectMeta existing, ObjectMeta expected) {
        boolean changed = false;
        Map<String, String> labels = existing.getLabels() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(existing.getLabels());
        Map<String, String> annotations = existing.getAnnotations() == null ? new LinkedHashMap<>()
                : new LinkedHashMap<>(existing.getAnnotations());
        for (Map.Entry<String, String> e : expected.getLabels().entrySet()) {
            changed |= labels.putIfAbsent(e.getKey(), e.getValue()) == null;
        }
        for (Map.Entry<String, String> e : expected.getAnnotations().entrySet()) {
            changed |= annotations.putIfAbsent(e.getKey(), e.getValue()) == null;
        }
        existing.setLabels(labels);
        existing.setAnnotations(annotations);
        return changed;
    }

    private static boolean mergeAggregation(ClusterRole existing, AggregationRule expected) {
        AggregationRule a = existing.getAggregationRule();
        List<LabelSelector> selectors = a == null || a.getClusterRoleSelectors() == null ? new ArrayList<>()
                : new ArrayList<>(a.getClusterRoleSelectors());
        boolean changed = false;
        for (LabelSelector s : expected.getClusterRoleSelectors()) {
            if (!selectors.contains(s)) {
                selectors.add(s);
                changed = true;
            }
        }
        AggregationRule merged = new AggregationRule();
        merged.setClusterRoleSelectors(selectors);
        existing.setAggregationRule(merged);
        return changed;
    }

    private static void mergeSubjects(ClusterRoleBinding b, List<Subject> add) {
        List<Subject> subjects = b.getSubjects() == null ? new ArrayList<>() : new ArrayList<>(b.getSubjects());
        for (Subject s : add == null ? List.<Subject>of() : add) {
            if (subjects.stream().noneMatch(x -> Objects.equals(x.getKind(), s.getKind())
                    && Objects.equals(x.getName(), s.getName()) && Objects.equals(x.getNamespace(), s.getNamespace()))) {
                subjects.add(s);
            }
        }
        b.setSubjects(subjects);
    }
}
