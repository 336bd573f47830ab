package io.kube4j.apiserver.admission.podsecurity;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SELinuxOptions;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.Volume;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

/**
 * The Pod Security Standards' checks (Kubernetes' {@code pod-security-admission/policy}), baseline and restricted,
 * in the order of their IDs as Kubernetes reports them; each gives its forbidden reason and detail, or nothing.
 */
public final class PodSecurityChecks {

    /** One failed check: Kubernetes' {@code forbiddenReason} and {@code forbiddenDetail}. */
    public record Violation(String reason, String detail) {
        @Override
        public String toString() {
            return detail.isEmpty() ? reason : reason + " (" + detail + ")";
        }
    }

    /** One check: its ID, the lowest level it applies at, the rule. */
    private record Check(String id, Level level, BiFunction<ObjectMeta, PodSpec, Violation> rule) {
    }

    /** The Pod Security Standards levels. */
    public enum Level {
        PRIVILEGED, BASELINE, RESTRICTED;

        public static Level parse(String s) {
            return switch (s == null ? "" : s) {
                case "privileged" -> PRIVILEGED;
                case "baseline" -> BASELINE;
                case "restricted" -> RESTRICTED;
                default -> null;
            };
        }

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final Set<String> BASELINE_CAPABILITIES = Set.of("AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER",
            "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT");
    private static final Set<String> SAFE_SYSCTLS = Set.of("kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
            "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
            "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes");
    private static final Set<String> SELINUX_TYPES = Set.of("", "container_t", "container_init_t", "container_kvm_t",
            "container_engine_t");
    private static final Set<String> RESTRICTED_VOLUMES = Set.of("configMap", "csi", "downwardAPI", "emptyDir",
            "ephemeral", "persistentVolumeClaim", "projected", "secret");
    private static final String APPARMOR_PREFIX = "container.apparmor.security.beta.kubernetes.io/";

    private static final List<Check> CHECKS = List.of(
            new Check("allowPrivilegeEscalation", Level.RESTRICTED, PodSecurityChecks::allowPrivilegeEscalation),
            new Check("appArmorProfile", Level.BASELINE, PodSecurityChecks::appArmor),
            new Check("capabilities_baseline", Level.BASELINE, PodSecurityChecks::capabilitiesBaseline),
            new Check("capabilities_restricted", Level.RESTRICTED, PodSecurityChecks::capabilitiesRestricted),
            new Check("hostNamespaces", Level.BASELINE, PodSecurityChecks::hostNamespaces),
            new Check("hostPathVolumes", Level.BASELINE, PodSecurityChecks::hostPath),
            new Check("hostPorts", Level.BASELINE, PodSecurityChecks::hostPorts),
            new Check("privileged", Level.BASELINE, PodSecurityChecks::privileged),
            new Check("procMount", Level.BASELINE, PodSecurityChecks::procMount),
            new Check("restrictedVolumes", Level.RESTRICTED, PodSecurityChecks::restrictedVolumes),
            new Check("runAsNonRoot", Level.RESTRICTED, PodSecurityChecks::runAsNonRoot),
            new Check("runAsUser", Level.RESTRICTED, PodSecurityChecks::runAsUser),
            new Check("seLinuxOptions", Level.BASELINE, PodSecurityChecks::seLinux),
            new Check("seccompProfile_baseline", Level.BASELINE, PodSecurityChecks::seccompBaseline),
            new Check("seccompProfile_restricted", Level.RESTRICTED, PodSecurityChecks::seccompRestricted),
            new Check("sysctls", Level.BASELINE, PodSecurityChecks::sysctls));

    private PodSecurityChecks() {
    }

    /** Every violation of {@code level} by a pod, in Kubernetes' order. */
    public static List<Violation> evaluate(Level level, ObjectMeta meta, PodSpec spec) {
        List<Violation> out = new ArrayList<>();
        if (level == Level.PRIVILEGED || spec == null) {
            return out;
        }
        ObjectMeta m = meta == null ? new ObjectMeta() : meta;
        for (Check c : CHECKS) {
            if (c.level().ordinal() <= level.ordinal()) {
                // restricted's seccomp and capabilities rules replace baseline's (they are stricter)
                if (level == Level.RESTRICTED && (c.id().equals("seccompProfile_baseline")
                        || c.id().equals("capabilities_baseline"))) {
                    continue;
                }
                Violation v = c.rule().apply(m, spec);
                if (v != null) {
                    out.add(v);
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- helpers

    private record Named(String name, SecurityContext sc, List<ContainerPort> ports) {
    }

    private static List<Named> containers(PodSpec spec) {
        List<Named> out = new ArrayList<>();
        for (Container c : nonNull(spec.getInitContainers())) {
            out.add(new Named(c.getName(), c.getSecurityContext(), c.getPorts()));
        }
        for (Container c : nonNull(spec.getContainers())) {
            out.add(new Named(c.getName(), c.getSecurityContext(), c.getPorts()));
        }
        for (EphemeralContainer c : nonNull(spec.getEphemeralContainers())) {
            out.add(new Named(c.getName(), c.getSecurityContext(), c.getPorts()));
        }
        return out;
    }

    private static <T> List<T> nonNull(List<T> l) {
        return l == null ? List.of() : l;
    }

    private static String quoted(java.util.Collection<String> names) {
        return names.stream().map(n -> "\"" + n + "\"").collect(Collectors.joining(", "));
    }

    /** {@code container "a" must ...} or {@code containers "a", "b" must ...}. */
    private static String containersMust(List<String> names, String rest) {
        return (names.size() == 1 ? "container " : "containers ") + quoted(names) + " " + rest;
    }

    private static PodSecurityContext podSc(PodSpec spec) {
        return spec.getSecurityContext() == null ? new PodSecurityContext() : spec.getSecurityContext();
    }

    // ---------------------------------------------------------------- baseline

    private static Violation hostNamespaces(ObjectMeta m, PodSpec spec) {
        List<String> on = new ArrayList<>();
        if (Boolean.TRUE.equals(spec.getHostNetwork())) {
            on.add("hostNetwork=true");
        }
        if (Boolean.TRUE.equals(spec.getHostPID())) {
            on.add("hostPID=true");
        }
        if (Boolean.TRUE.equals(spec.getHostIPC())) {
            on.add("hostIPC=true");
        }
        return on.isEmpty() ? null : new Violation("host namespaces", String.join(", ", on));
    }

    private static Violation privileged(ObjectMeta m, PodSpec spec) {
        List<String> bad = containers(spec).stream()
                .filter(c -> c.sc() != null && Boolean.TRUE.equals(c.sc().getPrivileged())).map(Named::name).toList();
        return bad.isEmpty() ? null
                : new Violation("privileged", containersMust(bad, "must not set securityContext.privileged=true"));
    }

    private static Violation capabilitiesBaseline(ObjectMeta m, PodSpec spec) {
        List<String> bad = new ArrayList<>();
        Set<String> caps = new LinkedHashSet<>();
        for (Named c : containers(spec)) {
            Capabilities k = c.sc() == null ? null : c.sc().getCapabilities();
            List<String> added = k == null ? List.of() : nonNull(k.getAdd());
            List<String> forbidden = added.stream().filter(a -> !BASELINE_CAPABILITIES.contains(a)).toList();
            if (!forbidden.isEmpty()) {
                bad.add(c.name());
                caps.addAll(forbidden);
            }
        }
        return bad.isEmpty() ? null : new Violation("non-default capabilities",
                containersMust(bad, "must not include " + quoted(caps) + " in securityContext.capabilities.add"));
    }

    private static Violation hostPath(ObjectMeta m, PodSpec spec) {
        List<String> bad = nonNull(spec.getVolumes()).stream().filter(v -> v.getHostPath() != null)
                .map(Volume::getName).toList();
        if (bad.isEmpty()) {
            return null;
        }
        return new Violation("hostPath volumes", (bad.size() == 1 ? "volume " : "volumes ") + quoted(bad)
                + (bad.size() == 1 ? " uses hostPath" : " use hostPath"));
    }

    private static Violation hostPorts(ObjectMeta m, PodSpec spec) {
        List<String> bad = new ArrayList<>();
        Set<String> ports = new LinkedHashSet<>();
        for (Named c : containers(spec)) {
            boolean any = false;
            for (ContainerPort p : nonNull(c.ports())) {
                if (p.getHostPort() != null && p.getHostPort() != 0) {
                    ports.add(Integer.toString(p.getHostPort()));
                    any = true;
                }
            }
            if (any) {
                bad.add(c.name());
            }
        }
        return bad.isEmpty() ? null : new Violation("hostPort", (bad.size() == 1 ? "container " : "containers ")
                + quoted(bad) + (bad.size() == 1 ? " uses" : " use") + " hostPort" + (ports.size() == 1 ? " " : "s ")
                + String.join(", ", ports));
    }

    private static Violation appArmor(ObjectMeta m, PodSpec spec) {
        List<String> bad = new ArrayList<>();
        Map<String, String> ann = m.getAnnotations() == null ? Map.of() : m.getAnnotations();
        ann.forEach((k, v) -> {
            if (k.startsWith(APPARMOR_PREFIX) && !v.equals("runtime/default") && !v.startsWith("localhost/")) {
                bad.add(k + "=\"" + v + "\"");
            }
        });
        if (spec.getSecurityContext() != null && spec.getSecurityContext().getAppArmorProfile() != null
                && "Unconfined".equals(spec.getSecurityContext().getAppArmorProfile().getType())) {
            bad.add("pod must not set securityContext.appArmorProfile.type to \"Unconfined\"");
        }
        for (Named c : containers(spec)) {
            if (c.sc() != null && c.sc().getAppArmorProfile() != null
                    && "Unconfined".equals(c.sc().getAppArmorProfile().getType())) {
                bad.add("container \"" + c.name() + "\" must not set securityContext.appArmorProfile.type to \"Unconfined\"");
            }
        }
        return bad.isEmpty() ? null : new Violation("forbidden AppArmor profile" + (bad.size() == 1 ? "" : "s"),
                String.join(", ", bad));
    }

    private static Violation seLinux(ObjectMeta m, PodSpec spec) {
        Set<String> problems = new LinkedHashSet<>();
        List<SELinuxOptions> all = new ArrayList<>();
        all.add(podSc(spec).getSeLinuxOptions());
        containers(spec).forEach(c -> all.add(c.sc() == null ? null : c.sc().getSeLinuxOptions()));
        for (SELinuxOptions o : all) {
            if (o == null) {
                continue;
            }
            if (!SELINUX_TYPES.contains(o.getType() == null ? "" : o.getType())) {
                problems.add("type \"" + o.getType() + "\"");
            }
            if (o.getUser() != null && !o.getUser().isEmpty()) {
                problems.add("user \"" + o.getUser() + "\"");
            }
            if (o.getRole() != null && !o.getRole().isEmpty()) {
                problems.add("role \"" + o.getRole() + "\"");
            }
        }
        return problems.isEmpty() ? null : new Violation("seLinuxOptions",
                "forbidden securityContext.seLinuxOptions: " + String.join(", ", problems));
    }

    private static Violation procMount(ObjectMeta m, PodSpec spec) {
        List<String> bad = containers(spec).stream().filter(c -> c.sc() != null && c.sc().getProcMount() != null
                && !"Default".equals(c.sc().getProcMount())).map(Named::name).toList();
        return bad.isEmpty() ? null
                : new Violation("procMount", containersMust(bad, "must not set securityContext.procMount to \"Unmasked\""));
    }

    private static Violation seccompBaseline(ObjectMeta m, PodSpec spec) {
        List<String> bad = new ArrayList<>();
        var pod = podSc(spec).getSeccompProfile();
        if (pod != null && "Unconfined".equals(pod.getType())) {
            bad.add("pod must not set securityContext.seccompProfile.type to \"Unconfined\"");
        }
        List<String> cs = containers(spec).stream().filter(c -> c.sc() != null && c.sc().getSeccompProfile() != null
                && "Unconfined".equals(c.sc().getSeccompProfile().getType())).map(Named::name).toList();
        if (!cs.isEmpty()) {
            bad.add(containersMust(cs, "must not set securityContext.seccompProfile.type to \"Unconfined\""));
        }
        return bad.isEmpty() ? null : new Violation("seccompProfile", String.join("; ", bad));
    }

    private static Violation sysctls(ObjectMeta m, PodSpec spec) {
        List<String> bad = nonNull(podSc(spec).getSysctls()).stream().map(Sysctl::getName)
                .filter(n -> !SAFE_SYSCTLS.contains(n)).toList();
        return bad.isEmpty() ? null : new Violation("forbidden sysctls", String.join(", ", bad));
    }

    // ---------------------------------------------------------------- restricted

    private static Violation restrictedVolumes(ObjectMeta m, PodSpec spec) {
        List<String> bad = new ArrayList<>();
        Set<String> types = new LinkedHashSet<>();
        for (Volume v : nonNull(spec.getVolumes())) {
            String type = volumeType(v);
            if (type != null && !RESTRICTED_VOLUMES.contains(type)) {
                bad.add(v.getName());
                types.add(type);
            }
        }
        if (bad.isEmpty()) {
            return null;
        }
        return new Violation("restricted volume types", (bad.size() == 1 ? "volume " : "volumes ") + quoted(bad)
                + (bad.size() == 1 ? " uses restricted volume type " : " use restricted volume types ") + quoted(types));
    }

    /** The volume source's field name (hostPath, nfs, ...), from the one non-null source. */
    private static String volumeType(Volume v) {
        Map<String, Object> tree = io.kube4j.api.codec.Codecs.json().convertValue(v, Map.class);
        for (String k : tree.keySet()) {
            if (!k.equals("name") && tree.get(k) != null) {
                return k;
            }
        }
        return null;
    }

    private static Violation allowPrivilegeEscalation(ObjectMeta m, PodSpec spec) {
        List<String> bad = containers(spec).stream().filter(c -> c.sc() == null
                || !Boolean.FALSE.equals(c.sc().getAllowPrivilegeEscalation())).map(Named::name).toList();
        return bad.isEmpty() ? null : new Violation("allowPrivilegeEscalation != false",
                containersMust(bad, "must set securityContext.allowPrivilegeEscalation=false"));
    }

    private static Violation capabilitiesRestricted(ObjectMeta m, PodSpec spec) {
        List<String> noDrop = new ArrayList<>();
        List<String> badAdd = new ArrayList<>();
        Set<String> caps = new LinkedHashSet<>();
        for (Named c : containers(spec)) {
            Capabilities k = c.sc() == null ? null : c.sc().getCapabilities();
            if (k == null || !nonNull(k.getDrop()).contains("ALL")) {
                noDrop.add(c.name());
            }
            List<String> added = k == null ? List.of() : nonNull(k.getAdd()).stream()
                    .filter(a -> !a.equals("NET_BIND_SERVICE")).toList();
            if (!added.isEmpty()) {
                badAdd.add(c.name());
                caps.addAll(added);
            }
        }
        List<String> details = new ArrayList<>();
        if (!noDrop.isEmpty()) {
            details.add(containersMust(noDrop, "must set securityContext.capabilities.drop=[\"ALL\"]"));
        }
        if (!badAdd.isEmpty()) {
            details.add(containersMust(badAdd, "must not include " + quoted(caps) + " in securityContext.capabilities.add"));
        }
        return details.isEmpty() ? null : new Violation("unrestricted capabilities", String.join("; ", details));
    }

    private static Violation runAsNonRoot(ObjectMeta m, PodSpec spec) {
        Boolean podLevel = podSc(spec).getRunAsNonRoot();
        if (Boolean.FALSE.equals(podLevel)) {
            return new Violation("runAsNonRoot != true", "pod must not set securityContext.runAsNonRoot=false");
        }
        List<String> explicitFalse = new ArrayList<>();
        List<String> unset = new ArrayList<>();
        for (Named c : containers(spec)) {
            Boolean v = c.sc() == null ? null : c.sc().getRunAsNonRoot();
            if (Boolean.FALSE.equals(v)) {
                explicitFalse.add(c.name());
            } else if (v == null && !Boolean.TRUE.equals(podLevel)) {
                unset.add(c.name());
            }
        }
        List<String> details = new ArrayList<>();
        if (!explicitFalse.isEmpty()) {
            details.add(containersMust(explicitFalse, "must not set securityContext.runAsNonRoot=false"));
        }
        if (!unset.isEmpty()) {
            details.add("pod or " + containersMust(unset, "must set securityContext.runAsNonRoot=true"));
        }
        return details.isEmpty() ? null : new Violation("runAsNonRoot != true", String.join("; ", details));
    }

    private static Violation runAsUser(ObjectMeta m, PodSpec spec) {
        List<String> details = new ArrayList<>();
        Long pod = podSc(spec).getRunAsUser();
        if (pod != null && pod == 0) {
            details.add("pod must not set runAsUser=0");
        }
        List<String> bad = containers(spec).stream().filter(c -> c.sc() != null && c.sc().getRunAsUser() != null
                && c.sc().getRunAsUser() == 0).map(Named::name).toList();
        if (!bad.isEmpty()) {
            details.add(containersMust(bad, "must not set runAsUser=0"));
        }
        return details.isEmpty() ? null : new Violation("runAsUser=0", String.join("; ", details));
    }

    private static Violation seccompRestricted(ObjectMeta m, PodSpec spec) {
        var pod = podSc(spec).getSeccompProfile();
        boolean podOk = pod != null && ("RuntimeDefault".equals(pod.getType()) || "Localhost".equals(pod.getType()));
        List<String> details = new ArrayList<>();
        if (pod != null && !podOk) {
            details.add("pod must not set securityContext.seccompProfile.type to \"" + pod.getType() + "\"");
        }
        List<String> badSet = new ArrayList<>();
        List<String> unset = new ArrayList<>();
        for (Named c : containers(spec)) {
            var p = c.sc() == null ? null : c.sc().getSeccompProfile();
            if (p == null) {
                if (!podOk) {
                    unset.add(c.name());
                }
            } else if (!"RuntimeDefault".equals(p.getType()) && !"Localhost".equals(p.getType())) {
                badSet.add(c.name());
            }
        }
        if (!badSet.isEmpty()) {
            details.add(containersMust(badSet, "must not set securityContext.seccompProfile.type to \"Unconfined\""));
        }
        if (!unset.isEmpty()) {
            details.add("pod or " + containersMust(unset,
                    "must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\""));
        }
        return details.isEmpty() ? null : new Violation("seccompProfile", String.join("; ", details));
    }
}
