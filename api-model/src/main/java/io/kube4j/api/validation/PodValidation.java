package io.kube4j.api.validation;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;

import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static io.kube4j.api.validation.Validation.isEmpty;

/** The pod spec rules of {@code ValidatePodSpec}, for pods and for the pod templates of workloads. */
final class PodValidation {

    static final List<String> RESTART_POLICIES = List.of("Always", "OnFailure", "Never");
    static final List<String> DNS_POLICIES = List.of("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None");
    static final List<String> PROTOCOLS = List.of("SCTP", "TCP", "UDP");
    static final List<String> PULL_POLICIES = List.of("Always", "IfNotPresent", "Never");
    static final List<String> TERMINATION_MESSAGE_POLICIES = List.of("File", "FallbackToLogsOnError");
    static final List<String> TOLERATION_OPERATORS = List.of("Equal", "Exists");
    static final List<String> TAINT_EFFECTS = List.of("NoExecute", "NoSchedule", "PreferNoSchedule");

    /** The strict quantity grammar: a decimal number and one suffix (binary SI, decimal SI, or exponent). */
    private static final Pattern QUANTITY = Pattern.compile(
            "[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?");
    static final String QUANTITY_ERROR =
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

    private PodValidation() {
    }

    /** A pod template: its labels and annotations, then its pod spec. */
    static void validatePodTemplate(PodTemplateSpec template, String path, List<FieldError> errs) {
        if (template == null) {
            errs.add(FieldError.required(path, ""));
            return;
        }
        ObjectMeta meta = template.getMetadata();
        if (meta != null) {
            errs.addAll(Validation.validateLabels(meta.getLabels(), path + ".metadata.labels"));
            errs.addAll(Validation.validateAnnotations(meta.getAnnotations(), path + ".metadata.annotations"));
        }
        validatePodSpec(template.getSpec(), path + ".spec", errs);
    }

    static void validatePodSpec(PodSpec spec, String path, List<FieldError> errs) {
        if (spec == null) {
            errs.add(FieldError.required(path, ""));
            return;
        }
        validateVolumes(spec.getVolumes(), path + ".volumes", errs);
        boolean hostNetwork = Boolean.TRUE.equals(spec.getHostNetwork());
        Set<String> names = new HashSet<>();
        List<Container> containers = spec.getContainers();
        if (containers == null || containers.isEmpty()) {
            errs.add(FieldError.required(path + ".containers", ""));
        } else {
            for (int i = 0; i < containers.size(); i++) {
                validateContainer(containers.get(i), path + ".containers[" + i + "]", names, hostNetwork, errs);
            }
        }
        List<Container> init = spec.getInitContainers();
        if (init != null) {
            for (int i = 0; i < init.size(); i++) {
                validateContainer(init.get(i), path + ".initContainers[" + i + "]", names, hostNetwork, errs);
            }
        }
        String rp = spec.getRestartPolicy();
        if (!isEmpty(rp) && !RESTART_POLICIES.contains(rp)) {
            errs.add(FieldError.notSupported(path + ".restartPolicy", rp, RESTART_POLICIES));
        }
        String dns = spec.getDnsPolicy();
        if (!isEmpty(dns) && !DNS_POLICIES.contains(dns)) {
            errs.add(FieldError.notSupported(path + ".dnsPolicy", dns, DNS_POLICIES));
        } else if ("None".equals(dns) && spec.getDnsConfig() == null) {
            errs.add(FieldError.required(path + ".dnsConfig", "must provide `dnsConfig` when `dnsPolicy` is None"));
        }
        Long ads = spec.getActiveDeadlineSeconds();
        if (ads != null && (ads < 1 || ads > Integer.MAX_VALUE)) {
            errs.add(FieldError.invalid(path + ".activeDeadlineSeconds", ads, NameRules.inclusiveRange(1, Integer.MAX_VALUE)));
        }
        Validation.nonNegative(spec.getTerminationGracePeriodSeconds(), path + ".terminationGracePeriodSeconds", errs);
        if (!isEmpty(spec.getServiceAccountName())) {
            for (String msg : NameRules.dns1123Subdomain(spec.getServiceAccountName())) {
                errs.add(FieldError.invalid(path + ".serviceAccountName", spec.getServiceAccountName(), msg));
            }
        }
        if (!isEmpty(spec.getNodeName())) {
            for (String msg : NameRules.dns1123Subdomain(spec.getNodeName())) {
                errs.add(FieldError.invalid(path + ".nodeName", spec.getNodeName(), msg));
            }
        }
        errs.addAll(Validation.validateLabels(spec.getNodeSelector(), path + ".nodeSelector"));
        validateTolerations(spec.getTolerations(), path + ".tolerations", errs);
    }

    private static Set<String> validateVolumes(List<Volume> volumes, String path, List<FieldError> errs) {
        Set<String> names = new HashSet<>();
        if (volumes == null) {
            return names;
        }
        for (int i = 0; i < volumes.size(); i++) {
            String name = volumes.get(i).getName();
            String p = path + "[" + i + "].name";
            if (isEmpty(name)) {
                errs.add(FieldError.required(p, ""));
                continue;
            }
            List<String> msgs = NameRules.dns1123Label(name);
            msgs.forEach(m -> errs.add(FieldError.invalid(p, name, m)));
            if (msgs.isEmpty() && !names.add(name)) {
                errs.add(FieldError.duplicate(p, name));
            }
        }
        return names;
    }

    private static void validateContainer(Container c, String path, Set<String> names, boolean hostNetwork,
                                          List<FieldError> errs) {
        String name = c.getName();
        if (isEmpty(name)) {
            errs.add(FieldError.required(path + ".name", ""));
        } else {
            List<String> msgs = NameRules.dns1123Label(name);
            msgs.forEach(m -> errs.add(FieldError.invalid(path + ".name", name, m)));
            if (msgs.isEmpty() && !names.add(name)) {
                errs.add(FieldError.duplicate(path + ".name", name));
            }
        }
        String image = c.getImage();
        if (isEmpty(image)) {
            errs.add(FieldError.required(path + ".image", ""));
        } else if (!image.equals(image.strip())) {
            errs.add(FieldError.invalid(path + ".image", image, "must not have leading or trailing whitespace"));
        }
        String pull = c.getImagePullPolicy();
        if (!isEmpty(pull) && !PULL_POLICIES.contains(pull)) {
            errs.add(FieldError.notSupported(path + ".imagePullPolicy", pull, PULL_POLICIES));
        }
        String tmp = c.getTerminationMessagePolicy();
        if (!isEmpty(tmp) && !TERMINATION_MESSAGE_POLICIES.contains(tmp)) {
            errs.add(FieldError.notSupported(path + ".terminationMessagePolicy", tmp, TERMINATION_MESSAGE_POLICIES));
        }
        validatePorts(c.getPorts(), path + ".ports", hostNetwork, errs);
        validateEnv(c.getEnv(), path + ".env", errs);
        validateResources(c.getResources(), path + ".resources", errs);
    }

    private static void validatePorts(List<ContainerPort> ports, String path, boolean hostNetwork, List<FieldError> errs) {
        if (ports == null) {
            return;
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            ContainerPort port = ports.get(i);
            String p = path + "[" + i + "]";
            String name = port.getName();
            if (!isEmpty(name)) {
                List<String> msgs = NameRules.portName(name);
                msgs.forEach(m -> errs.add(FieldError.invalid(p + ".name", name, m)));
                if (msgs.isEmpty() && !names.add(name)) {
                    errs.add(FieldError.duplicate(p + ".name", name));
                }
            }
            Integer cp = port.getContainerPort();
            if (cp == null || cp == 0) {
                errs.add(FieldError.required(p + ".containerPort", ""));
            } else {
                NameRules.portNumber(cp).forEach(m -> errs.add(FieldError.invalid(p + ".containerPort", cp, m)));
            }
            Integer hp = port.getHostPort();
            if (hp != null && hp != 0) {
                NameRules.portNumber(hp).forEach(m -> errs.add(FieldError.invalid(p + ".hostPort", hp, m)));
                if (hostNetwork && cp != null && !hp.equals(cp)) {
                    errs.add(FieldError.invalid(p + ".hostPort", hp, "must match `containerPort` when `hostNetwork` is true"));
                }
            }
            String proto = port.getProtocol();
            if (!isEmpty(proto) && !PROTOCOLS.contains(proto)) {
                errs.add(FieldError.notSupported(p + ".protocol", proto, PROTOCOLS));
            }
        }
    }

    private static void validateEnv(List<EnvVar> env, String path, List<FieldError> errs) {
        if (env == null) {
            return;
        }
        for (int i = 0; i < env.size(); i++) {
            String name = env.get(i).getName();
            String p = path + "[" + i + "].name";
            if (isEmpty(name)) {
                errs.add(FieldError.required(p, ""));
            } else {
                NameRules.envVarName(name).forEach(m -> errs.add(FieldError.invalid(p, name, m)));
            }
        }
    }

    static void validateResources(ResourceRequirements r, String path, List<FieldError> errs) {
        if (r == null) {
            return;
        }
        Map<String, BigDecimal> limits = quantities(r.getLimits(), path + ".limits", errs);
        Map<String, BigDecimal> requests = quantities(r.getRequests(), path + ".requests", errs);
        for (Map.Entry<String, BigDecimal> e : requests.entrySet()) {
            BigDecimal limit = limits.get(e.getKey());
            if (limit == null) {
                continue;
            }
            String req = r.getRequests().get(e.getKey()).toString();
            String lim = r.getLimits().get(e.getKey()).toString();
            int cmp = e.getValue().compareTo(limit);
            if (cmp != 0 && !overcommitAllowed(e.getKey())) {
                errs.add(FieldError.invalid(path + ".requests", req, "must be equal to " + e.getKey() + " limit of " + lim));
            } else if (cmp > 0) {
                errs.add(FieldError.invalid(path + ".requests", req,
                        "must be less than or equal to " + e.getKey() + " limit of " + lim));
            }
        }
    }

    /** Parses each quantity (reporting bad or negative ones) into its numeric value. */
    private static Map<String, BigDecimal> quantities(Map<String, Quantity> in, String path, List<FieldError> errs) {
        Map<String, BigDecimal> out = new TreeMap<>();
        if (in == null) {
            return out;
        }
        for (Map.Entry<String, Quantity> e : new TreeMap<>(in).entrySet()) {
            String p = path + "[" + e.getKey() + "]";
            String text = e.getValue() == null ? "" : e.getValue().toString();
            BigDecimal value = parseQuantity(text);
            if (value == null) {
                errs.add(FieldError.invalid(p, text, QUANTITY_ERROR));
            } else if (value.signum() < 0) {
                errs.add(FieldError.invalid(p, text, "must be greater than or equal to 0"));
            } else {
                out.put(e.getKey(), value);
            }
        }
        return out;
    }

    /** The value of a Kubernetes quantity string, or null when it is not one. */
    static BigDecimal parseQuantity(String text) {
        if (text == null || !QUANTITY.matcher(text).matches()) {
            return null;
        }
        try {
            return Quantity.getAmountInBytes(new Quantity(text));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static boolean overcommitAllowed(String resource) {
        if (resource.startsWith("hugepages-")) {
            return false;
        }
        // extended resources (vendor-domain/name) may not be overcommitted
        return !resource.contains("/") || resource.startsWith("kubernetes.io/") || resource.contains(".kubernetes.io/");
    }

    private static void validateTolerations(List<Toleration> tolerations, String path, List<FieldError> errs) {
        if (tolerations == null) {
            return;
        }
        for (int i = 0; i < tolerations.size(); i++) {
            Toleration t = tolerations.get(i);
            String p = path + "[" + i + "]";
            if (!isEmpty(t.getKey())) {
                errs.addAll(Validation.validateQualifiedName(t.getKey(), p + ".key"));
            }
            String op = t.getOperator();
            if (!isEmpty(op) && !TOLERATION_OPERATORS.contains(op)) {
                errs.add(FieldError.notSupported(p + ".operator", op, TOLERATION_OPERATORS));
            } else if ("Exists".equals(op) && !isEmpty(t.getValue())) {
                errs.add(FieldError.invalid(p + ".operator", op, "value must be empty when `operator` is 'Exists'"));
            }
            if (isEmpty(t.getKey()) && !"Exists".equals(op)) {
                errs.add(FieldError.invalid(p + ".operator", op == null ? "" : op,
                        "operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
            }
            String effect = t.getEffect();
            if (!isEmpty(effect) && !TAINT_EFFECTS.contains(effect)) {
                errs.add(FieldError.notSupported(p + ".effect", effect, TAINT_EFFECTS));
            }
        }
    }
}
