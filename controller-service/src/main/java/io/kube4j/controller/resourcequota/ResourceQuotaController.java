package io.kube4j.controller.resourcequota;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaStatus;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.kube4j.api.quota.QuotaUsage;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.controller.Controller;
import io.kube4j.client.controller.Reconciler;
import io.kube4j.client.controller.Request;
import io.kube4j.client.controller.Result;
import io.kube4j.client.controller.Startable;
import io.kube4j.client.informer.Lister;
import io.kube4j.client.informer.ResourceEventHandler;
import io.kube4j.client.informer.SharedIndexInformer;
import io.kube4j.controller.manager.ControllerContext;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Kubernetes' resource quota controller (kube-controller-manager's {@code resourcequota}): recalculates every
 * ResourceQuota's {@code status.used} from the objects its namespace holds, so that usage charged by the apiserver's
 * admission is given back when objects go away (and a quota's status appears once it is created). Counted: the
 * core resources Kubernetes' legacy evaluators count that kube4j serves (pods and their compute requests/limits,
 * services, configmaps, secrets, resourcequotas), each with its {@code count/<resource>}.
 * A quota is looked at when it changes, when a counted object in its namespace is deleted or a pod finishes, and every
 * {@code resync-period}. The status is written with the quota's resourceVersion: a charge admitted meanwhile makes it
 * conflict and the quota is recalculated again.
 */
public final class ResourceQuotaController implements Reconciler, Startable {

    static final String NAME = "resourcequota";

    /** A counted resource: its plural and its lister. */
    private record Counted(String plural, Lister<? extends HasMetadata> lister) {
    }

    private final Lister<ResourceQuota> quotas;
    private final List<Counted> counted;
    private final ResourceClient<ResourceQuota> client;
    private final Duration resync;
    private final Controller controller;

    public ResourceQuotaController(ControllerContext context, ResourceQuotaControllerProperties props) {
        SharedIndexInformer<ResourceQuota> quotaInformer = context.informer(ResourceQuota.class);
        this.quotas = quotaInformer.lister();
        this.client = context.client().resources(ResourceQuota.class);
        this.resync = props.resyncPeriod();
        var builder = context.controller(NAME).reconciler(this).workers(props.concurrentSyncs())
                .waitFor(quotaInformer::hasSynced);
        Map<String, SharedIndexInformer<? extends HasMetadata>> informers = new LinkedHashMap<>();
        informers.put("pods", context.informer(Pod.class));
        informers.put("services", context.informer(Service.class));
        informers.put("configmaps", context.informer(ConfigMap.class));
        informers.put("secrets", context.informer(Secret.class));
        // persistentvolumeclaims and replicationcontrollers join once the apiserver serves them
        informers.put("resourcequotas", quotaInformer);
        this.counted = informers.entrySet().stream().map(e -> new Counted(e.getKey(), e.getValue().lister())).toList();
        for (SharedIndexInformer<? extends HasMetadata> i : informers.values()) {
            builder.waitFor(i::hasSynced);
        }
        this.controller = builder.build();
        quotaInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ResourceQuota q) {
                enqueue(q);
            }

            @Override
            public void onUpdate(ResourceQuota old, ResourceQuota q) {
                // only a change of the limits matters: status writes (ours and admission's) do not need a recount
                if (!java.util.Objects.equals(old.getSpec(), q.getSpec())) {
                    enqueue(q);
                }
            }
        });
        informers.forEach((plural, informer) -> addReleaseHandler(informer));
    }

    private <T extends HasMetadata> void addReleaseHandler(SharedIndexInformer<T> informer) {
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onUpdate(T old, T now) {
                if (now instanceof Pod pod && QuotaUsage.isTerminal(pod) && !QuotaUsage.isTerminal((Pod) old)) {
                    enqueueNamespace(pod.getMetadata().getNamespace());
                }
            }

            @Override
            public void onDelete(T obj, boolean finalStateUnknown) {
                if (!(obj instanceof ResourceQuota)) {
                    enqueueNamespace(obj.getMetadata().getNamespace());
                }
            }
        });
    }

    private void enqueue(ResourceQuota q) {
        controller.enqueue(new Request(q.getMetadata().getNamespace(), q.getMetadata().getName()));
    }

    private void enqueueNamespace(String ns) {
        if (ns != null) {
            quotas.list(ns).forEach(this::enqueue);
        }
    }

    @Override
    public Result reconcile(Request request) {
        ResourceQuota q = quotas.get(request.namespace(), request.name());
        if (q == null) {
            return Result.done();
        }
        Map<String, Quantity> hard = q.getSpec() == null || q.getSpec().getHard() == null ? Map.of() : q.getSpec().getHard();
        Map<String, Quantity> used = usage(request.namespace(), hard);
        ResourceQuotaStatus status = q.getStatus() == null ? new ResourceQuotaStatus() : q.getStatus();
        if (sameAmounts(status.getHard(), hard) && sameAmounts(status.getUsed(), used)) {
            return Result.requeueAfter(resync);
        }
        ResourceQuota next = new io.fabric8.kubernetes.api.model.ResourceQuotaBuilder(q).build();
        next.setStatus(new ResourceQuotaStatus(new LinkedHashMap<>(hard), used));
        // with the cached resourceVersion: a charge admitted since makes this 409 and the quota is recounted
        client.updateStatus(next).block(Duration.ofSeconds(30));
        return Result.requeueAfter(resync);
    }

    /** The namespace's usage of every resource {@code hard} names, from the informers' caches. */
    Map<String, Quantity> usage(String ns, Map<String, Quantity> hard) {
        Map<String, BigDecimal> sum = new TreeMap<>();
        for (String h : hard.keySet()) {
            sum.put(h, BigDecimal.ZERO);
        }
        for (Counted c : counted) {
            for (HasMetadata o : c.lister().list(ns)) {
                QuotaUsage.of("", c.plural(), o).forEach((k, v) -> {
                    if (sum.containsKey(k)) {
                        sum.merge(k, v, BigDecimal::add);
                    }
                });
            }
        }
        Map<String, Quantity> out = new TreeMap<>();
        sum.forEach((k, v) -> out.put(k, QuotaUsage.quantity(v)));
        return out;
    }

    private static boolean sameAmounts(Map<String, Quantity> a, Map<String, Quantity> b) {
        Map<String, Quantity> x = a == null ? Map.of() : a;
        if (x.size() != b.size()) {
            return false;
        }
        for (Map.Entry<String, Quantity> e : b.entrySet()) {
            Quantity q = x.get(e.getKey());
            if (q == null || q.getNumericalAmount().compareTo(e.getValue().getNumericalAmount()) != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void start() {
        controller.start();
    }

    @Override
    public void stop() throws InterruptedException {
        controller.stop();
    }
}
