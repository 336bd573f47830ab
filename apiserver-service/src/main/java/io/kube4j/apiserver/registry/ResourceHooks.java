package io.kube4j.apiserver.registry;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceSpec;
import io.fabric8.kubernetes.api.model.NamespaceStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.api.validation.FieldError;
import io.kube4j.apiserver.admission.PriorityAdmission;
import io.kube4j.apiserver.admission.PriorityClasses;
import io.kube4j.apiserver.allocation.RangeAllocator;
import io.kube4j.apiserver.allocation.ServiceAllocators;
import io.kube4j.apiserver.rest.ApiException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What the generic {@link ResourceStore} does differently per resource: pod status and graceful
 * deletion, namespace finalization, Service IP and port allocation, PriorityClass rules. Admission (namespace
 * lifecycle, pod priority, default tolerations...) is the {@link io.kube4j.apiserver.admission.AdmissionChain}'s.
 */
public final class ResourceHooks {

    /** Namespaces the apiserver creates at start and refuses to delete. */
    public static final List<String> SYSTEM_NAMESPACES = List.of("default", "kube-system", "kube-public");

    private final ServiceAllocators allocators;

    public ResourceHooks(ServiceAllocators allocators) {
        this.allocators = allocators;
    }

    void attach(ResourceStore store) {
        // hooks that need to write back through the store would keep it here
    }

    // ---------------------------------------------------------------- create

    /** Rules beyond api-model's validation for resources whose rules live in the apiserver. */
    List<FieldError> validate(ResourceType t, HasMetadata obj, HasMetadata old) {
        if (obj instanceof PriorityClass pc) {
            return old instanceof PriorityClass oldPc ? PriorityClasses.validateUpdate(pc, oldPc) : PriorityClasses.validate(pc);
        }
        return List.of();
    }

    void prepareForCreate(ResourceType t, HasMetadata obj) {
        if (obj instanceof io.fabric8.kubernetes.api.model.Secret secret) {
            mergeStringData(secret);
        } else if (obj instanceof PriorityClass pc) {
            PriorityClasses.applyDefaults(pc);
        } else if (obj instanceof io.fabric8.kubernetes.api.model.batch.v1.Job job) {
            JobStrategy.prepareForCreate(job);
        } else if (obj instanceof Pod pod) {
            PodStatus status = new PodStatus();
            status.setPhase("Pending");
            status.setQosClass(qosClass(pod));
            pod.setStatus(status);
            if (pod.getSpec() != null && pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty()) {
                status.setConditions(List.of(scheduledCondition()));
            }
        } else if (obj instanceof Namespace ns) {
            if (ns.getSpec() == null) {
                ns.setSpec(new NamespaceSpec());
            }
            if (ns.getSpec().getFinalizers() == null || ns.getSpec().getFinalizers().isEmpty()) {
                ns.getSpec().setFinalizers(List.of("kubernetes"));
            }
            NamespaceStatus st = new NamespaceStatus();
            st.setPhase("Active");
            ns.setStatus(st);
            Map<String, String> labels = new java.util.LinkedHashMap<>(
                    ns.getMetadata().getLabels() == null ? Map.of() : ns.getMetadata().getLabels());
            labels.put("kubernetes.io/metadata.name", ns.getMetadata().getName());
            ns.getMetadata().setLabels(labels);
        }
    }

    static PodCondition scheduledCondition() {
        PodCondition c = new PodCondition();
        c.setType("PodScheduled");
        c.setStatus("True");
        c.setLastTransitionTime(ResourceStore.now());
        return c;
    }

    /** False also for a malformed quantity: validation, which runs next, answers it with a 422. */
    private static boolean sameAmount(Quantity a, Quantity b) {
        try {
            return a.getNumericalAmount().compareTo(b.getNumericalAmount()) == 0;
        } catch (ArithmeticException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Kubernetes' QoS class: Guaranteed, Burstable or BestEffort. */
    static String qosClass(Pod pod) {
        if (pod.getSpec() == null || pod.getSpec().getContainers() == null) {
            return "BestEffort";
        }
        List<Container> all = new ArrayList<>(pod.getSpec().getContainers());
        if (pod.getSpec().getInitContainers() != null) {
            all.addAll(pod.getSpec().getInitContainers());
        }
        boolean any = false;
        boolean guaranteed = true;
        for (Container c : all) {
            ResourceRequirements r = c.getResources();
            Map<String, Quantity> req = r == null || r.getRequests() == null ? Map.of() : r.getRequests();
            Map<String, Quantity> lim = r == null || r.getLimits() == null ? Map.of() : r.getLimits();
            if (!req.isEmpty() || !lim.isEmpty()) {
                any = true;
            }
            for (String res : List.of("cpu", "memory")) {
                Quantity l = lim.get(res);
                Quantity q = req.get(res) != null ? req.get(res) : l;
                if (l == null || q == null || !sameAmount(l, q)) {
                    guaranteed = false;
                }
            }
        }
        if (!any) {
            return "BestEffort";
        }
        return guaranteed ? "Guaranteed" : "Burstable";
    }

    /** Allocates a new Service's ClusterIP and NodePorts before it is written. */
    Mono<Void> beforeCreate(ResourceType t, HasMetadata obj) {
        return beforeCreate(t, obj, false);
    }

    /**
     * {@link #beforeCreate(ResourceType, HasMetadata)}, or on a dry run the same checks with nothing claimed: a free
     * address and free ports are picked and shown, as Kubernetes' dry-run allocators do, and stay free.
     */
    Mono<Void> beforeCreate(ResourceType t, HasMetadata obj, boolean dryRun) {
        if (!(obj instanceof Service svc) || svc.getSpec() == null) {
            return Mono.empty();
        }
        String owner = svc.getMetadata().getNamespace() + "/" + svc.getMetadata().getName();
        Mono<Void> ip = allocateClusterIp(svc, owner, dryRun);
        return ip.then(Mono.defer(() -> allocateNodePorts(svc, null, owner, dryRun)));
    }

    private Mono<Void> allocateClusterIp(Service svc, String owner, boolean dryRun) {
        var spec = svc.getSpec();
        if ("ExternalName".equals(spec.getType())) {
            spec.setClusterIP(null);
            spec.setClusterIPs(null);
            return Mono.empty();
        }
        String requested = spec.getClusterIP();
        if (requested == null || requested.isEmpty()) {
            if (spec.getClusterIPs() != null && !spec.getClusterIPs().isEmpty()) {
                requested = spec.getClusterIPs().get(0);
            }
        }
        if ("None".equals(requested)) {
            spec.setClusterIP("None");
            spec.setClusterIPs(List.of("None"));
            return Mono.empty();
        }
        if (requested != null && requested.equals(allocators.firstAddress()) && isKubernetesService(svc)) {
            // the range's first address is kept out of the allocator for the apiserver's own Service
            setIp(svc, requested);
            return Mono.empty();
        }
        RangeAllocator ips = allocators.clusterIps();
        if (requested == null || requested.isEmpty()) {
            return (dryRun ? ips.peekNext() : ips.allocateNext(owner))
                    .onErrorMap(RangeAllocator.RangeFullException.class, e -> invalid(svc, FieldError.invalid(
                            "spec.clusterIPs", "", "failed to allocate IP: range is full")))
                    .doOnNext(ip -> setIp(svc, ServiceAllocators.ipv4(ip))).then();
        }
        long ip;
        try {
            ip = ServiceAllocators.ipv4(requested);
        } catch (IllegalArgumentException e) {
            return Mono.error(invalid(svc, FieldError.invalid("spec.clusterIPs[0]", requested,
                    "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")));
        }
        if (!ips.contains(ip)) {
            return Mono.error(invalid(svc, FieldError.invalid("spec.clusterIPs", requested,
                    "failed to allocate IP " + requested + ": provided IP is not in the valid range. The range of valid IPs is "
                            + allocators.serviceCidr())));
        }
        String req = requested;
        return (dryRun ? ips.isFree(ip) : ips.claim(ip, owner)).flatMap(ok -> ok ? Mono.fromRunnable(() -> setIp(svc, req))
                : Mono.error(invalid(svc, FieldError.invalid("spec.clusterIPs", req,
                "failed to allocate IP " + req + ": provided IP is already allocated"))));
    }

    /** {@code default/kubernetes}, the Service the apiserver keeps for itself ({@code KubernetesService}). */
    private static boolean isKubernetesService(Service svc) {
        return svc.getMetadata() != null && "kubernetes".equals(svc.getMetadata().getName())
                && "default".equals(svc.getMetadata().getNamespace());
    }

    private static void setIp(Service svc, String ip) {
        svc.getSpec().setClusterIP(ip);
        svc.getSpec().setClusterIPs(List.of(ip));
    }

    private static boolean wantsNodePorts(Service svc) {
        String type = svc.getSpec().getType();
        return "NodePort".equals(type) || "LoadBalancer".equals(type);
    }

    /** Claims requested NodePorts, keeps the old ones of an update, and allocates the rest. */
    private Mono<Void> allocateNodePorts(Service svc, Service old, String owner, boolean dryRun) {
        List<ServicePort> ports = svc.getSpec().getPorts() == null ? List.of() : svc.getSpec().getPorts();
        if (!wantsNodePorts(svc)) {
            ports.forEach(p -> p.setNodePort(null));
            return Mono.empty();
        }
        Set<Integer> kept = old == null ? Set.of() : nodePorts(old);
        RangeAllocator alloc = allocators.nodePorts();
        List<Mono<Void>> steps = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) {
            ServicePort p = ports.get(i);
            int index = i;
            if (p.getNodePort() == null || p.getNodePort() == 0) {
                Integer reuse = old == null ? null : oldNodePort(old, p);
                if (reuse != null) {
                    p.setNodePort(reuse);
                    continue;
                }
                steps.add((dryRun ? alloc.peekNext() : alloc.allocateNext(owner))
                        .onErrorMap(RangeAllocator.RangeFullException.class, e -> invalid(svc, FieldError.invalid(
                                "spec.ports[" + index + "].nodePort", 0, "failed to allocate port: range is full")))
                        .doOnNext(n -> p.setNodePort(n.intValue())).then());
            } else if (!kept.contains(p.getNodePort())) {
                int n = p.getNodePort();
                if (!alloc.contains(n)) {
                    return Mono.error(invalid(svc, FieldError.invalid("spec.ports[" + i + "].nodePort", n,
                            "provided port is not in the valid range. The range of valid ports is "
                                    + allocators.nodePortRange())));
                }
                steps.add((dryRun ? alloc.isFree(n) : alloc.claim(n, owner)).flatMap(ok -> ok ? Mono.<Void>empty()
                        : Mono.error(invalid(svc, FieldError.invalid("spec.ports[" + index + "].nodePort", n,
                        "provided port is already allocated")))));
            }
        }
        return Flux.concat(steps).then();
    }

    private static Integer oldNodePort(Service old, ServicePort p) {
        if (old.getSpec().getPorts() == null) {
            return null;
        }
        for (ServicePort o : old.getSpec().getPorts()) {
            if (o.getNodePort() != null && o.getNodePort() > 0 && Objects.equals(o.getPort(), p.getPort())
                    && Objects.equals(o.getProtocol(), p.getProtocol())) {
                return o.getNodePort();
            }
        }
        return null;
    }

    private static Set<Integer> nodePorts(Service svc) {
        Set<Integer> out = new HashSet<>();
        if (svc.getSpec() != null && svc.getSpec().getPorts() != null) {
            for (ServicePort p : svc.getSpec().getPorts()) {
                if (p.getNodePort() != null && p.getNodePort() > 0) {
                    out.add(p.getNodePort());
                }
            }
        }
        return out;
    }

    private static ApiException invalid(Service svc, FieldError e) {
        return new ApiException(422, "Invalid", "Service \"" + svc.getMetadata().getName() + "\" is invalid: " + e.message(),
                svc.getMetadata().getName(), "", "Service",
                List.of(new io.fabric8.kubernetes.api.model.StatusCause(e.field(), e.message(), e.type().reason())), null);
    }

    /** Gives back what {@link #beforeCreate} allocated when the create did not happen. */
    Mono<Void> createFailed(ResourceType t, HasMetadata obj) {
        return obj instanceof Service svc ? releaseAll(svc, null) : Mono.empty();
    }

    private Mono<Void> releaseAll(Service svc, Service keep) {
        if (svc.getSpec() == null) {
            return Mono.empty();
        }
        List<Mono<Void>> steps = new ArrayList<>();
        String ip = svc.getSpec().getClusterIP();
        String keepIp = keep == null || keep.getSpec() == null ? null : keep.getSpec().getClusterIP();
        if (ip != null && !ip.isEmpty() && !"None".equals(ip) && !ip.equals(keepIp)) {
            try {
                long member = ServiceAllocators.ipv4(ip);
                if (allocators.clusterIps().contains(member)) { // not the kubernetes Service's reserved address
                    steps.add(allocators.clusterIps().release(member));
                }
            } catch (IllegalArgumentException ignored) {
                // not an address we could have allocated
            }
        }
        Set<Integer> keepPorts = keep == null ? Set.of() : nodePorts(keep);
        for (int p : nodePorts(svc)) {
            if (!keepPorts.contains(p)) {
                steps.add(allocators.nodePorts().release(p));
            }
        }
        return Flux.concat(steps).then();
    }

    /**
     * A Secret's {@code stringData} is write-only: as Kubernetes' conversion does, its entries are base64-encoded
     * into {@code data} (overriding keys present in both) and it is never stored.
     */
    static void mergeStringData(io.fabric8.kubernetes.api.model.Secret secret) {
        if (secret.getStringData() == null || secret.getStringData().isEmpty()) {
            secret.setStringData(null);
            return;
        }
        java.util.Map<String, String> data = new java.util.LinkedHashMap<>(
                secret.getData() == null ? java.util.Map.of() : secret.getData());
        secret.getStringData().forEach((k, v) -> data.put(k, java.util.Base64.getEncoder()
                .encodeToString((v == null ? "" : v).getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        secret.setData(data);
        secret.setStringData(null);
    }

    // ---------------------------------------------------------------- update

    void prepareForUpdate(ResourceType t, HasMetadata next, HasMetadata current) {
        if (next instanceof io.fabric8.kubernetes.api.model.Secret secret) {
            mergeStringData(secret);
        } else if (next instanceof Service svc && current instanceof Service old && svc.getSpec() != null && old.getSpec() != null) {
            if ((svc.getSpec().getClusterIP() == null || svc.getSpec().getClusterIP().isEmpty())
                    && !"ExternalName".equals(svc.getSpec().getType())) {
                svc.getSpec().setClusterIP(old.getSpec().getClusterIP());
                svc.getSpec().setClusterIPs(old.getSpec().getClusterIPs());
            }
        } else if (next instanceof Namespace ns && current instanceof Namespace old) {
            // spec.finalizers change only through /finalize
            ns.setSpec(old.getSpec());
        } else if (next instanceof Pod pod && current instanceof Pod old) {
            PriorityAdmission.admitPodUpdate(pod, old);
        } else if (next instanceof PriorityClass pc) {
            PriorityClasses.applyDefaults(pc);
        }
    }

    /**
     * Whether {@link #beforeUpdate}, {@link #afterUpdate} and {@link #updateFailed} read the object as it was before
     * the update for type {@code t}; for the others the store passes null and saves decoding it a second time.
     */
    boolean usesOldObjectOnUpdate(ResourceType t) {
        return Service.class.isAssignableFrom(t.type());
    }

    Mono<Void> beforeUpdate(ResourceType t, HasMetadata next, HasMetadata current) {
        return beforeUpdate(t, next, current, false);
    }

    /** New NodePorts of a Service update; on a dry run checked and picked, never claimed. */
    Mono<Void> beforeUpdate(ResourceType t, HasMetadata next, HasMetadata current, boolean dryRun) {
        if (next instanceof Service svc && current instanceof Service old && svc.getSpec() != null) {
            String owner = svc.getMetadata().getNamespace() + "/" + svc.getMetadata().getName();
            return allocateNodePorts(svc, old, owner, dryRun);
        }
        return Mono.empty();
    }

    Mono<Void> afterUpdate(ResourceType t, HasMetadata next, HasMetadata current) {
        if (next instanceof Service svc && current instanceof Service old) {
            return releaseAll(old, svc);
        }
        return Mono.empty();
    }

    Mono<Void> updateFailed(ResourceType t, HasMetadata next, HasMetadata current) {
        if (next instanceof Service svc && current instanceof Service old) {
            return releaseAll(svc, old);
        }
        return Mono.empty();
    }

    /**
     * Whether an object being deleted whose finalizers are now all gone may be removed by this write
     * (a pod still waits for its grace period; a namespace for its spec finalizers too).
     */
    boolean canDeleteOnFinalizersGone(ResourceType t, HasMetadata obj, HasMetadata old) {
        boolean hadFinalizers = hasFinalizers(old);
        if (obj instanceof Pod pod) {
            Long grace = pod.getMetadata().getDeletionGracePeriodSeconds();
            return hadFinalizers && (grace == null || grace == 0 || !isBound(pod));
        }
        if (obj instanceof Namespace ns && old instanceof Namespace oldNs) {
            return specFinalizers(ns).isEmpty() && (hadFinalizers || !specFinalizers(oldNs).isEmpty());
        }
        return hadFinalizers;
    }

    private static List<String> specFinalizers(Namespace ns) {
        return ns.getSpec() == null || ns.getSpec().getFinalizers() == null ? List.of() : ns.getSpec().getFinalizers();
    }

    // ---------------------------------------------------------------- delete

    void checkDelete(ResourceType t, HasMetadata obj) {
        if (obj instanceof PriorityClass && PriorityClasses.isSystemClass(obj.getMetadata().getName())) {
            throw ApiException.forbidden(t, obj.getMetadata().getName(), t.qualifiedName() + " \""
                    + obj.getMetadata().getName() + "\" is forbidden: this is a system priority class and cannot be deleted");
        }
    }

    /**
     * Starts a graceful deletion where the resource has one; true when the object stays for now.
     * Pods bound to a node get a deletionTimestamp grace period seconds ahead (the node agent stops them
     * and deletes with grace 0); namespaces go Terminating until the namespace controller empties them.
     */
    boolean beginGracefulDelete(ResourceType t, HasMetadata obj, DeleteRequest req) {
        if (obj instanceof Pod pod) {
            long grace = req.gracePeriodSeconds() != null ? req.gracePeriodSeconds()
                    : pod.getSpec() != null && pod.getSpec().getTerminationGracePeriodSeconds() != null
                    ? pod.getSpec().getTerminationGracePeriodSeconds() : 30;
            String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
            if (!isBound(pod) || "Succeeded".equals(phase) || "Failed".equals(phase)) {
                grace = 0;
            }
            grace = Math.max(grace, 0);
            Long current = pod.getMetadata().getDeletionGracePeriodSeconds();
            if (pod.getMetadata().getDeletionTimestamp() != null && current != null && current <= grace) {
                return current > 0 || hasFinalizers(pod);
            }
            if (grace == 0 && pod.getMetadata().getDeletionTimestamp() == null) {
                return false;
            }
            pod.getMetadata().setDeletionGracePeriodSeconds(grace);
            pod.getMetadata().setDeletionTimestamp(ResourceStore.RFC3339.format(Instant.now().plusSeconds(grace)));
            return grace > 0 || hasFinalizers(pod);
        }
        if (obj instanceof Namespace ns) {
            boolean specFinalizers = ns.getSpec() != null && ns.getSpec().getFinalizers() != null
                    && !ns.getSpec().getFinalizers().isEmpty();
            if (ns.getMetadata().getDeletionTimestamp() == null) {
                ns.getMetadata().setDeletionTimestamp(ResourceStore.now());
                ns.getMetadata().setDeletionGracePeriodSeconds(0L);
            }
            NamespaceStatus st = ns.getStatus() == null ? new NamespaceStatus() : ns.getStatus();
            st.setPhase("Terminating");
            ns.setStatus(st);
            return specFinalizers || hasFinalizers(ns);
        }
        return false;
    }

    private static boolean hasFinalizers(HasMetadata o) {
        return o.getMetadata().getFinalizers() != null && !o.getMetadata().getFinalizers().isEmpty();
    }

    static boolean isBound(Pod pod) {
        return pod.getSpec() != null && pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty();
    }

    Mono<Void> afterDelete(ResourceType t, HasMetadata obj) {
        return obj instanceof Service svc ? releaseAll(svc, null) : Mono.empty();
    }
}
