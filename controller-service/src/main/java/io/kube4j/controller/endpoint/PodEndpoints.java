package io.kube4j.controller.endpoint;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.kube4j.api.selector.LabelSelector;

/**
 * The rules both endpoint controllers apply to a pod (Kubernetes' {@code pkg/controller/util/endpoint} and
 * {@code endpointslice/util}): whether it belongs in a Service's endpoints at all, whether it is ready, which port a
 * service port resolves to on it, and whether a pod update can change any Service's endpoints.
 */
public final class PodEndpoints {

    /** Label Kubernetes puts on the Endpoints and EndpointSlices of headless services ({@code v1.IsHeadlessService}). */
    public static final String HEADLESS_LABEL = "service.kubernetes.io/headless";
    /** Annotation: when the pod or service change that caused this write happened ({@code EndpointsLastChangeTriggerTime}). */
    public static final String LAST_CHANGE_TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time";

    private PodEndpoints() {
    }

    /** Ready condition True ({@code podutil.IsPodReady}). */
    public static boolean isReady(Pod pod) {
        PodCondition c = readyCondition(pod);
        return c != null && "True".equals(c.getStatus());
    }

    static PodCondition readyCondition(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return null;
        }
        for (PodCondition c : pod.getStatus().getConditions()) {
            if ("Ready".equals(c.getType())) {
                return c;
            }
        }
        return null;
    }

    /** Succeeded or Failed: a terminal pod never serves again. */
    public static boolean isTerminal(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    public static boolean isTerminating(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() != null;
    }

    /**
     * {@code ShouldPodBeInEndpoints}: not terminal, has an IP, and (unless {@code includeTerminating}) not being
     * deleted. Endpoints pass {@code publishNotReadyAddresses}; EndpointSlices pass true and mark terminating pods.
     */
    public static boolean shouldBeInEndpoints(Pod pod, boolean includeTerminating) {
        if (isTerminal(pod)) {
            return false;
        }
        if (ipv4(pod) == null) {
            return false;
        }
        return includeTerminating || !isTerminating(pod);
    }

    /** The pod's IPv4 address ({@code status.podIP}, else the first IPv4 of {@code status.podIPs}), or null. */
    public static String ipv4(Pod pod) {
        if (pod.getStatus() == null) {
            return null;
        }
        String ip = pod.getStatus().getPodIP();
        if (isIpv4(ip)) {
            return ip;
        }
        if (pod.getStatus().getPodIPs() != null) {
            for (PodIP p : pod.getStatus().getPodIPs()) {
                if (isIpv4(p.getIp())) {
                    return p.getIp();
                }
            }
        }
        return null;
    }

    static boolean isIpv4(String ip) {
        if (ip == null || ip.isEmpty()) {
            return false;
        }
        String[] parts = ip.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    /** {@code ShouldSetHostname}: the pod names a hostname and its subdomain is this service, in its namespace. */
    public static boolean shouldSetHostname(Pod pod, Service service) {
        String hostname = pod.getSpec() == null ? null : pod.getSpec().getHostname();
        return hostname != null && !hostname.isEmpty()
                && Objects.equals(pod.getSpec().getSubdomain(), service.getMetadata().getName())
                && Objects.equals(pod.getMetadata().getNamespace(), service.getMetadata().getNamespace());
    }

    /**
     * {@code podutil.FindPort}: a numeric targetPort as is (unset: the service port); a named one looked up in the
     * pod's containers' ports with the same protocol. Empty when the pod has no such port.
     */
    public static OptionalInt findPort(Pod pod, ServicePort servicePort) {
        IntOrString target = servicePort.getTargetPort();
        String protocol = protocol(servicePort.getProtocol());
        if (target == null || (target.getStrVal() == null && (target.getIntVal() == null || target.getIntVal() == 0))
                || (target.getStrVal() != null && target.getStrVal().isEmpty())) {
            return servicePort.getPort() == null ? OptionalInt.empty() : OptionalInt.of(servicePort.getPort());
        }
        if (target.getStrVal() == null) {
            return OptionalInt.of(target.getIntVal());
        }
        String name = target.getStrVal();
        if (pod.getSpec() == null) {
            return OptionalInt.empty();
        }
        List<Container> containers = new ArrayList<>();
        if (pod.getSpec().getContainers() != null) {
            containers.addAll(pod.getSpec().getContainers());
        }
        if (pod.getSpec().getInitContainers() != null) {
            // restartable init containers (sidecars) serve like app containers
            pod.getSpec().getInitContainers().stream().filter(c -> "Always".equals(c.getRestartPolicy()))
                    .forEach(containers::add);
        }
        for (Container c : containers) {
            if (c.getPorts() == null) {
                continue;
            }
            for (ContainerPort p : c.getPorts()) {
                if (name.equals(p.getName()) && protocol.equals(protocol(p.getProtocol())) && p.getContainerPort() != null) {
                    return OptionalInt.of(p.getContainerPort());
                }
            }
        }
        return OptionalInt.empty();
    }

    public static String protocol(String p) {
        return p == null || p.isEmpty() ? "TCP" : p;
    }

    /** A service takes endpoints from this controller only with a selector and when it is not ExternalName. */
    public static boolean hasSelector(Service service) {
        Map<String, String> sel = service.getSpec() == null ? null : service.getSpec().getSelector();
        return sel != null && !sel.isEmpty() && !"ExternalName".equals(service.getSpec().getType());
    }

    /** {@code IsServiceIPSet}: a cluster IP that is neither empty nor {@code None}. */
    public static boolean isHeadless(Service service) {
        String ip = service.getSpec() == null ? null : service.getSpec().getClusterIP();
        return ip == null || ip.isEmpty() || "None".equals(ip);
    }

    public static boolean selects(Service service, Pod pod) {
        if (!hasSelector(service) || !Objects.equals(service.getMetadata().getNamespace(), pod.getMetadata().getNamespace())) {
            return false;
        }
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        for (Map.Entry<String, String> e : service.getSpec().getSelector().entrySet()) {
            if (!Objects.equals(labels.get(e.getKey()), e.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** The services of {@code servicesInNamespace} whose selector matches the pod ({@code GetPodServiceMemberships}). */
    public static Set<String> memberships(List<Service> servicesInNamespace, Pod pod) {
        Set<String> names = new LinkedHashSet<>();
        for (Service s : servicesInNamespace) {
            if (selects(s, pod)) {
                names.add(s.getMetadata().getName());
            }
        }
        return names;
    }

    /** What a pod update means for endpoints ({@code podEndpointsChanged}). */
    public record PodChange(boolean endpointChanged, boolean labelsChanged) {
        public boolean any() {
            return endpointChanged || labelsChanged;
        }
    }

    /**
     * Whether a pod update can change any endpoints: deletion started, readiness, IP, node, hostname/subdomain, phase
     * (terminal) changed (endpointChanged), or its labels changed (which services select it). Everything else, for
     * example a status heartbeat or an annotation, costs nothing.
     */
    public static PodChange change(Pod oldPod, Pod newPod) {
        boolean labelsChanged = !Objects.equals(labels(oldPod), labels(newPod));
        boolean endpointChanged = (oldPod.getMetadata().getDeletionTimestamp() == null)
                != (newPod.getMetadata().getDeletionTimestamp() == null)
                || isReady(oldPod) != isReady(newPod)
                || isTerminal(oldPod) != isTerminal(newPod)
                || !Objects.equals(ipv4(oldPod), ipv4(newPod))
                || !Objects.equals(nodeName(oldPod), nodeName(newPod))
                || !Objects.equals(hostname(oldPod), hostname(newPod))
                || !Objects.equals(subdomain(oldPod), subdomain(newPod));
        return new PodChange(endpointChanged, labelsChanged);
    }

    /**
     * The services to resync after a pod update ({@code determineNeededServiceUpdates}): when the pod's endpoint
     * changed, every service that selected it before or after; when only its labels changed, the services that
     * started or stopped selecting it.
     */
    public static Set<String> servicesToSync(Set<String> oldServices, Set<String> newServices, boolean endpointChanged) {
        Set<String> out = new LinkedHashSet<>();
        if (endpointChanged) {
            out.addAll(oldServices);
            out.addAll(newServices);
        } else {
            for (String s : oldServices) {
                if (!newServices.contains(s)) {
                    out.add(s);
                }
            }
            for (String s : newServices) {
                if (!oldServices.contains(s)) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    private static Map<String, String> labels(Pod p) {
        Map<String, String> l = p.getMetadata().getLabels();
        return l == null ? Map.of() : l;
    }

    static String nodeName(Pod p) {
        return p.getSpec() == null ? null : emptyToNull(p.getSpec().getNodeName());
    }

    private static String hostname(Pod p) {
        return p.getSpec() == null ? null : emptyToNull(p.getSpec().getHostname());
    }

    private static String subdomain(Pod p) {
        return p.getSpec() == null ? null : emptyToNull(p.getSpec().getSubdomain());
    }

    public static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /** A label selector of the service's {@code spec.selector} (only call with {@link #hasSelector}). */
    public static LabelSelector selector(Service service) {
        return LabelSelector.from(new io.fabric8.kubernetes.api.model.LabelSelectorBuilder()
                .withMatchLabels(service.getSpec().getSelector()).build());
    }
}
