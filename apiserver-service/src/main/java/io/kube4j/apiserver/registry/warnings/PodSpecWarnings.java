package io.kube4j.apiserver.registry.warnings;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NodeAffinity;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplate;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PreferredSchedulingTerm;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The warnings Kubernetes answers a write of a pod or of a pod template with (pkg/api/pod/warnings.go): deprecated
 * node labels in selectors, affinity and spread constraints, non-functional annotations, deprecated volume types,
 * repeated env names, duplicate or ambiguous ports and port names, fractional byte quantities, a negative grace
 * period. They are advice: the write goes on. Paths are Kubernetes' field paths ({@code spec.template.spec...}).
 * {@link #forWrite} is the entry point for every write, Services included ({@link ServiceWarnings}).
 */
public final class PodSpecWarnings {

    private static final Map<String, String> DEPRECATED_NODE_LABELS = Map.of(
            "beta.kubernetes.io/arch", "deprecated since v1.14; use \"kubernetes.io/arch\" instead",
            "beta.kubernetes.io/os", "deprecated since v1.14; use \"kubernetes.io/os\" instead",
            "failure-domain.beta.kubernetes.io/region", "deprecated since v1.17; use \"topology.kubernetes.io/region\" instead",
            "failure-domain.beta.kubernetes.io/zone", "deprecated since v1.17; use \"topology.kubernetes.io/zone\" instead",
            "beta.kubernetes.io/instance-type", "deprecated since v1.17; use \"node.kubernetes.io/instance-type\" instead");

    /** An annotation that no longer does anything, possibly with a per-container prefix form. */
    private record DeprecatedAnnotation(String key, String prefix, String message) {
    }

    private static final List<DeprecatedAnnotation> DEPRECATED_ANNOTATIONS = List.of(
            new DeprecatedAnnotation("scheduler.alpha.kubernetes.io/critical-pod", null,
                    "non-functional in v1.16+; use the \"priorityClassName\" field instead"),
            new DeprecatedAnnotation("seccomp.security.alpha.kubernetes.io/pod",
                    "container.seccomp.security.alpha.kubernetes.io/",
                    "non-functional in v1.27+; use the \"seccompProfile\" field instead"),
            new DeprecatedAnnotation("security.alpha.kubernetes.io/sysctls", null,
                    "non-functional in v1.11+; use the \"sysctls\" field instead"),
            new DeprecatedAnnotation("security.alpha.kubernetes.io/unsafe-sysctls", null,
                    "non-functional in v1.11+; use the \"sysctls\" field instead"));

    private static final String APPARMOR_PREFIX = "container.apparmor.security.beta.kubernetes.io/";

    private PodSpecWarnings() {
    }

    /**
     * The warnings of writing {@code obj} over {@code old} (null on create). As Kubernetes' strategies: a pod warns
     * on create only (pods are rewritten often, mostly by controllers); a workload warns on create and when an
     * update changes its spec (its generation moves).
     */
    public static List<String> forWrite(HasMetadata obj, HasMetadata old) {
        if (obj instanceof io.fabric8.kubernetes.api.model.Service svc) {
            return ServiceWarnings.forWrite(svc); // Services warn on every write
        }
        if (obj instanceof Pod pod) {
            return old != null || pod.getSpec() == null ? List.of() : forPodSpec(null, pod.getSpec(), pod.getMetadata());
        }
        if (old != null && Objects.equals(obj.getMetadata().getGeneration(), old.getMetadata().getGeneration())) {
            return List.of();
        }
        if (obj instanceof Deployment d && d.getSpec() != null) {
            return forTemplate("spec.template", d.getSpec().getTemplate());
        } else if (obj instanceof ReplicaSet r && r.getSpec() != null) {
            return forTemplate("spec.template", r.getSpec().getTemplate());
        } else if (obj instanceof StatefulSet s && s.getSpec() != null) {
            return forTemplate("spec.template", s.getSpec().getTemplate());
        } else if (obj instanceof DaemonSet ds && ds.getSpec() != null) {
            return forTemplate("spec.template", ds.getSpec().getTemplate());
        } else if (obj instanceof Job j && j.getSpec() != null) {
            return forTemplate("spec.template", j.getSpec().getTemplate());
        } else if (obj instanceof CronJob cj && cj.getSpec() != null && cj.getSpec().getJobTemplate() != null
                && cj.getSpec().getJobTemplate().getSpec() != null) {
            return forTemplate("spec.jobTemplate.spec.template", cj.getSpec().getJobTemplate().getSpec().getTemplate());
        } else if (obj instanceof ReplicationController rc && rc.getSpec() != null) {
            return forTemplate("spec.template", rc.getSpec().getTemplate());
        } else if (obj instanceof PodTemplate pt) {
            return forTemplate("template", pt.getTemplate());
        }
        return List.of();
    }

    static List<String> forTemplate(String path, PodTemplateSpec template) {
        if (template == null || template.getSpec() == null) {
            return List.of();
        }
        ObjectMeta meta = template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
        return forPodSpec(path, template.getSpec(), meta);
    }

    private static String child(String base, String... names) {
        StringBuilder sb = new StringBuilder(base == null ? "" : base);
        for (String n : names) {
            if (!sb.isEmpty()) {
                sb.append('.');
            }
            sb.append(n);
        }
        return sb.toString();
    }

    /** Kubernetes' checks on one pod spec and its metadata; {@code base} is null for a pod, the template's path else. */
    static List<String> forPodSpec(String base, PodSpec spec, ObjectMeta meta) {
        List<String> out = new ArrayList<>();
        Map<String, String> annotations = meta == null || meta.getAnnotations() == null ? Map.of() : meta.getAnnotations();
        String specPath = child(base, "spec");

        if (spec.getNodeSelector() != null) {
            spec.getNodeSelector().keySet().stream().sorted().forEach(k -> {
                String msg = DEPRECATED_NODE_LABELS.get(k);
                if (msg != null) {
                    out.add(specPath + ".nodeSelector[" + k + "]: " + msg);
                }
            });
        }
        NodeAffinity na = spec.getAffinity() == null ? null : spec.getAffinity().getNodeAffinity();
        if (na != null) {
            if (na.getRequiredDuringSchedulingIgnoredDuringExecution() != null
                    && na.getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms() != null) {
                List<NodeSelectorTerm> terms = na.getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms();
                for (int i = 0; i < terms.size(); i++) {
                    nodeSelectorTerm(out, terms.get(i), specPath + ".affinity.nodeAffinity."
                            + "requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[" + i + "]");
                }
            }
            List<PreferredSchedulingTerm> preferred = na.getPreferredDuringSchedulingIgnoredDuringExecution();
            for (int i = 0; preferred != null && i < preferred.size(); i++) {
                nodeSelectorTerm(out, preferred.get(i).getPreference(), specPath + ".affinity.nodeAffinity."
                        + "preferredDuringSchedulingIgnoredDuringExecution[" + i + "].preference");
            }
        }
        List<TopologySpreadConstraint> spread = spec.getTopologySpreadConstraints();
        for (int i = 0; spread != null && i < spread.size(); i++) {
            String key = spread.get(i).getTopologyKey();
            String msg = key == null ? null : DEPRECATED_NODE_LABELS.get(key);
            if (msg != null) {
                out.add(specPath + ".topologySpreadConstraints[" + i + "].topologyKey: " + key + " is " + msg);
            }
        }

        String annotationsPath = child(base, "metadata", "annotations");
        for (DeprecatedAnnotation d : DEPRECATED_ANNOTATIONS) {
            if (annotations.containsKey(d.key())) {
                out.add(annotationsPath + "[" + d.key() + "]: " + d.message());
            }
            if (d.prefix() != null) {
                annotations.keySet().stream().sorted().filter(k -> k.startsWith(d.prefix())).findFirst()
                        .ifPresent(k -> out.add(annotationsPath + "[" + k + "]: " + d.message()));
            }
        }

        List<Volume> volumes = spec.getVolumes();
        for (int i = 0; volumes != null && i < volumes.size(); i++) {
            Volume v = volumes.get(i);
            String p = specPath + ".volumes[" + i + "]";
            if (v.getPhotonPersistentDisk() != null) {
                out.add(p + ".photonPersistentDisk: deprecated in v1.11, non-functional in v1.16+");
            }
            if (v.getGitRepo() != null) {
                out.add(p + ".gitRepo: deprecated in v1.11");
            }
            if (v.getScaleIO() != null) {
                out.add(p + ".scaleIO: deprecated in v1.16, non-functional in v1.22+");
            }
            if (v.getFlocker() != null) {
                out.add(p + ".flocker: deprecated in v1.22, support removal is planned in v1.26");
            }
            if (v.getStorageos() != null) {
                out.add(p + ".storageOS: deprecated in v1.22, support removal is planned in v1.26");
            }
            if (v.getQuobyte() != null) {
                out.add(p + ".quobyte: deprecated in v1.22, support removal is planned in v1.26");
            }
            if (v.getGlusterfs() != null) {
                out.add(p + ".glusterfs: deprecated in v1.25, this feature will be removed in v1.26");
            }
            if (v.getCephfs() != null) {
                out.add(p + ".cephfs: deprecated in v1.28, non-functional in v1.31+");
            }
            if (v.getRbd() != null) {
                out.add(p + ".rbd: deprecated in v1.28, non-functional in v1.31+");
            }
        }

        boolean podSeccomp = spec.getSecurityContext() != null && spec.getSecurityContext().getSeccompProfile() != null;
        boolean podAppArmor = spec.getSecurityContext() != null && spec.getSecurityContext().getAppArmorProfile() != null;
        if (!podSeccomp && annotations.containsKey("seccomp.security.alpha.kubernetes.io/pod")) {
            out.add(annotationsPath + "[seccomp.security.alpha.kubernetes.io/pod]: non-functional in v1.27+; "
                    + "use the \"seccompProfile\" field instead");
        }
        visitContainers(spec, specPath, (c, p) -> {
            boolean seccomp = c.getSecurityContext() != null && c.getSecurityContext().getSeccompProfile() != null;
            String seccompKey = "container.seccomp.security.alpha.kubernetes.io/" + c.getName();
            if (!seccomp && annotations.containsKey(seccompKey)) {
                out.add(annotationsPath + "[" + seccompKey + "]: non-functional in v1.27+; use the \"seccompProfile\" "
                        + "field instead");
            }
            // for pods Kubernetes warns through its AppArmor version-skew handling instead
            boolean appArmor = c.getSecurityContext() != null && c.getSecurityContext().getAppArmorProfile() != null;
            String appArmorKey = APPARMOR_PREFIX + c.getName();
            if (base != null && !podAppArmor && !appArmor && annotations.containsKey(appArmorKey)) {
                out.add(annotationsPath + "[" + appArmorKey + "]: deprecated since v1.30; use the \"appArmorProfile\" "
                        + "field instead");
            }
            if (c.getResources() != null) {
                fractionalBytes(out, c.getResources().getLimits(), p + ".resources.limits");
                fractionalBytes(out, c.getResources().getRequests(), p + ".resources.requests");
            }
            List<EnvVar> env = c.getEnv();
            if (env != null && env.size() > 1) {
                Set<String> seen = new HashSet<>();
                for (int i = 0; i < env.size(); i++) {
                    EnvVar e = env.get(i);
                    if (seen.add(e.getName())) {
                        continue;
                    }
                    String ref = "$(" + e.getName() + ")";
                    String value = e.getValue() == null ? "" : e.getValue();
                    // a redefinition that builds on the previous value (X="$(X):more") is fine
                    if (e.getValueFrom() != null || value.equals(ref) || !value.contains(ref)) {
                        out.add(p + ".env[" + i + "]: hides previous definition of \"" + e.getName()
                                + "\", which may be dropped when using apply");
                    }
                }
            }
        });

        Map<String, List<Map.Entry<String, ContainerPort>>> byPort = new LinkedHashMap<>();
        visitContainers(spec, specPath, (c, p) -> {
            List<ContainerPort> ports = c.getPorts();
            for (int i = 0; ports != null && i < ports.size(); i++) {
                ContainerPort port = ports.get(i);
                String at = p + ".ports[" + i + "]";
                String hostIp = port.getHostIP() == null ? "" : port.getHostIP();
                int hostPort = port.getHostPort() == null ? 0 : port.getHostPort();
                if (!hostIp.isEmpty() && hostPort == 0) {
                    out.add(at + ": hostIP set without hostPort: " + goStruct(port));
                }
                String key = port.getContainerPort() + "/" + (port.getProtocol() == null ? "" : port.getProtocol());
                List<Map.Entry<String, ContainerPort>> others = byPort.computeIfAbsent(key, k -> new ArrayList<>());
                for (Map.Entry<String, ContainerPort> other : others) {
                    String otherIp = other.getValue().getHostIP() == null ? "" : other.getValue().getHostIP();
                    int otherPort = other.getValue().getHostPort() == null ? 0 : other.getValue().getHostPort();
                    if (hostIp.equals(otherIp) && hostPort == otherPort) {
                        out.add(at + ": duplicate port definition with " + other.getKey());
                    } else if (hostPort == 0 || otherPort == 0) {
                        out.add(at + ": overlapping port definition with " + other.getKey());
                    } else if (hostPort == otherPort && (hostIp.isEmpty() != otherIp.isEmpty())) {
                        out.add(at + ": dangerously ambiguous port definition with " + other.getKey());
                    }
                }
                others.add(Map.entry(at, port));
            }
        });
        Map<String, String> portNames = new LinkedHashMap<>();
        visitContainers(spec, specPath, (c, p) -> {
            List<ContainerPort> ports = c.getPorts();
            for (int i = 0; ports != null && i < ports.size(); i++) {
                String name = ports.get(i).getName();
                if (name == null || name.isEmpty()) {
                    continue;
                }
                String at = p + ".ports[" + i + "]";
                String other = portNames.putIfAbsent(name, at);
                if (other != null) {
                    out.add(at + ": duplicate port name \"" + name + "\" with " + other
                            + ", services and probes that select ports by name will use " + other);
                }
            }
        });

        if (spec.getTerminationGracePeriodSeconds() != null && spec.getTerminationGracePeriodSeconds() < 0) {
            out.add(specPath + ".terminationGracePeriodSeconds: must be >= 0; negative values are invalid and will "
                    + "be treated as 1");
        }
        // the annotation checks overlap (as in Kubernetes, whose warning recorder keeps one of identical warnings)
        return out.stream().distinct().toList();
    }

    private static void nodeSelectorTerm(List<String> out, NodeSelectorTerm term, String path) {
        if (term == null || term.getMatchExpressions() == null) {
            return;
        }
        List<NodeSelectorRequirement> exprs = term.getMatchExpressions();
        for (int i = 0; i < exprs.size(); i++) {
            String key = exprs.get(i).getKey();
            String msg = key == null ? null : DEPRECATED_NODE_LABELS.get(key);
            if (msg != null) {
                out.add(path + ".matchExpressions[" + i + "].key: " + key + " is " + msg);
            }
        }
    }

    /** Memory and hugepages are counted in bytes: a quantity that is not a whole number of them is refused later. */
    private static void fractionalBytes(List<String> out, Map<String, Quantity> resources, String path) {
        if (resources == null) {
            return;
        }
        resources.keySet().stream().sorted().forEach(name -> {
            if (!name.equals("memory") && !name.startsWith("hugepages-")) {
                return;
            }
            Quantity q = resources.get(name);
            try {
                BigDecimal bytes = q.getNumericalAmount();
                if (bytes.stripTrailingZeros().scale() > 0) {
                    out.add(path + "[" + name + "]: fractional byte value \"" + q + "\" is invalid, must be an integer");
                }
            } catch (RuntimeException e) {
                // a malformed quantity: validation answers it
            }
        });
    }

    /** Init containers, containers, then ephemeral containers, with their paths (Kubernetes' visiting order). */
    private static void visitContainers(PodSpec spec, String specPath, BiConsumer<Container, String> visit) {
        List<Container> init = spec.getInitContainers();
        for (int i = 0; init != null && i < init.size(); i++) {
            visit.accept(init.get(i), specPath + ".initContainers[" + i + "]");
        }
        List<Container> main = spec.getContainers();
        for (int i = 0; main != null && i < main.size(); i++) {
            visit.accept(main.get(i), specPath + ".containers[" + i + "]");
        }
        var ephemeral = spec.getEphemeralContainers();
        for (int i = 0; ephemeral != null && i < ephemeral.size(); i++) {
            var e = ephemeral.get(i);
            Container c = new Container();
            c.setName(e.getName());
            c.setPorts(e.getPorts());
            c.setEnv(e.getEnv());
            c.setResources(e.getResources());
            c.setSecurityContext(e.getSecurityContext());
            visit.accept(c, specPath + ".ephemeralContainers[" + i + "]");
        }
    }

    /** A port as Go's {@code %+v} prints Kubernetes' ContainerPort. */
    private static String goStruct(ContainerPort p) {
        return "{Name:" + nz(p.getName()) + " HostPort:" + (p.getHostPort() == null ? 0 : p.getHostPort())
                + " ContainerPort:" + (p.getContainerPort() == null ? 0 : p.getContainerPort())
                + " Protocol:" + nz(p.getProtocol()) + " HostIP:" + nz(p.getHostIP()) + "}";
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
