package io.kube4j.api.validation;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kube4j.api.registry.ResourceType;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Validation of API objects as the Kubernetes apiserver does it after defaulting: the object
 * metadata rules, each resource's spec rules, and on update the immutability rules. An empty list
 * means the object is valid. Fields that defaulting fills (restart policy, protocols, types) are
 * accepted when absent.
 */
public final class Validation {

    /** Total size of all annotation keys and values (256 KiB). */
    public static final int TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

    static final String IMMUTABLE = "field is immutable";

    private static final Set<String> RBAC_KINDS = Set.of("Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding");

    private Validation() {
    }

    /** The rules a new object must satisfy. */
    public static List<FieldError> validateCreate(ResourceType type, HasMetadata obj) {
        List<FieldError> errs = new ArrayList<>(validateMetadata(type, obj.getMetadata()));
        if (obj instanceof Pod p) {
            PodValidation.validatePodSpec(p.getSpec(), "spec", errs);
        } else if (obj instanceof Service s) {
            CoreValidation.validateService(s, errs);
        } else if (obj instanceof Deployment d) {
            WorkloadValidation.validateDeployment(d, errs);
        } else if (obj instanceof ReplicaSet rs) {
            WorkloadValidation.validateReplicaSet(rs, errs);
        } else if (obj instanceof StatefulSet ss) {
            WorkloadValidation.validateStatefulSet(ss, errs);
        } else if (obj instanceof DaemonSet ds) {
            WorkloadValidation.validateDaemonSet(ds, errs);
        } else if (obj instanceof Job j) {
            WorkloadValidation.validateJobSpec(j.getSpec(), "spec", errs);
        } else if (obj instanceof CronJob cj) {
            WorkloadValidation.validateCronJob(cj, errs);
        } else if (obj instanceof io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler hpa) {
            AutoscalingValidation.validate(hpa, errs);
        } else if (obj instanceof io.fabric8.kubernetes.api.model.PersistentVolume pv) {
            StorageValidation.validatePersistentVolume(pv, errs);
        } else if (obj instanceof io.fabric8.kubernetes.api.model.PersistentVolumeClaim pvc) {
            StorageValidation.validatePersistentVolumeClaim(pvc, errs);
        } else if (obj instanceof io.fabric8.kubernetes.api.model.storage.StorageClass sc) {
            StorageValidation.validateStorageClass(sc, errs);
        } else if (obj instanceof io.fabric8.kubernetes.api.model.networking.v1.Ingress ing) {
            IngressValidation.validateIngress(ing, errs);
        } else if (obj instanceof io.fabric8.kubernetes.api.model.networking.v1.IngressClass ic) {
            IngressValidation.validateIngressClass(ic, errs);
        } else if (obj instanceof ConfigMap cm) {
            CoreValidation.validateConfigMap(cm, errs);
        } else if (obj instanceof Secret s) {
            CoreValidation.validateSecret(s, errs);
        } else if (obj instanceof Event e) {
            CoreValidation.validateEvent(e, errs);
        } else if (obj instanceof io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration m) {
            WebhookConfigurationValidation.validate(m, errs);
        } else if (obj instanceof io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration v) {
            WebhookConfigurationValidation.validate(v, errs);
        }
        return errs;
    }

    /** The create rules applied to {@code newObj}, then what may not change from {@code oldObj}. */
    public static List<FieldError> validateUpdate(ResourceType type, HasMetadata newObj, HasMetadata oldObj) {
        List<FieldError> errs = validateCreate(type, newObj);
        UpdateValidation.validate(newObj, oldObj, errs);
        return errs;
    }

    /** {@code ValidateObjectMeta}: name, namespace, labels and annotations. */
    public static List<FieldError> validateMetadata(ResourceType type, ObjectMeta meta) {
        List<FieldError> errs = new ArrayList<>();
        if (meta == null) {
            errs.add(FieldError.required("metadata", ""));
            return errs;
        }
        String name = meta.getName();
        if (name == null || name.isEmpty()) {
            errs.add(FieldError.required("metadata.name", "name or generateName is required"));
        } else {
            for (String msg : nameErrors(type, name)) {
                errs.add(FieldError.invalid("metadata.name", name, msg));
            }
        }
        String ns = meta.getNamespace();
        if (type.namespaced()) {
            if (ns == null || ns.isEmpty()) {
                errs.add(FieldError.required("metadata.namespace", ""));
            } else {
                for (String msg : NameRules.dns1123Label(ns)) {
                    errs.add(FieldError.invalid("metadata.namespace", ns, msg));
                }
            }
        } else if (ns != null && !ns.isEmpty()) {
            errs.add(FieldError.forbidden("metadata.namespace", "not allowed on this type"));
        }
        errs.addAll(validateLabels(meta.getLabels(), "metadata.labels"));
        errs.addAll(validateAnnotations(meta.getAnnotations(), "metadata.annotations"));
        return errs;
    }

    /** The name-format messages for an object of {@code type} called {@code name}. */
    public static List<String> nameErrors(ResourceType type, String name) {
        return switch (type.kind()) {
            case "Namespace" -> NameRules.dns1123Label(name);
            case "Service" -> NameRules.dns1035Label(name);
            default -> RBAC_KINDS.contains(type.kind()) ? NameRules.pathSegmentName(name) : NameRules.dns1123Subdomain(name);
        };
    }

    public static boolean isDns1123Label(String value) {
        return value != null && NameRules.dns1123Label(value).isEmpty();
    }

    public static boolean isDns1123Subdomain(String value) {
        return value != null && NameRules.dns1123Subdomain(value).isEmpty();
    }

    public static boolean isDns1035Label(String value) {
        return value != null && NameRules.dns1035Label(value).isEmpty();
    }

    public static boolean isQualifiedName(String value) {
        return value != null && NameRules.qualifiedName(value).isEmpty();
    }

    public static boolean isValidLabelValue(String value) {
        return value != null && NameRules.labelValue(value).isEmpty();
    }

    /** Label keys must be qualified names and values valid label values; errors are reported at {@code fieldPath}. */
    public static List<FieldError> validateLabels(Map<String, String> labels, String fieldPath) {
        List<FieldError> errs = new ArrayList<>();
        if (labels == null) {
            return errs;
        }
        for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
            errs.addAll(validateQualifiedName(e.getKey(), fieldPath));
            String v = Objects.requireNonNullElse(e.getValue(), "");
            for (String msg : NameRules.labelValue(v)) {
                errs.add(FieldError.invalid(fieldPath, v, msg));
            }
        }
        return errs;
    }

    /** {@code value} must be a qualified name ({@code [prefix/]name}); errors are reported at {@code fieldPath}. */
    public static List<FieldError> validateQualifiedName(String value, String fieldPath) {
        List<FieldError> errs = new ArrayList<>();
        for (String msg : NameRules.qualifiedName(value == null ? "" : value)) {
            errs.add(FieldError.invalid(fieldPath, value, msg));
        }
        return errs;
    }

    /** Annotation keys must be qualified names (compared lower-cased) and all of them together at most 256 KiB. */
    public static List<FieldError> validateAnnotations(Map<String, String> annotations, String fieldPath) {
        List<FieldError> errs = new ArrayList<>();
        if (annotations == null) {
            return errs;
        }
        long size = 0;
        for (Map.Entry<String, String> e : new TreeMap<>(annotations).entrySet()) {
            String k = e.getKey();
            for (String msg : NameRules.qualifiedName(k.toLowerCase())) {
                errs.add(FieldError.invalid(fieldPath, k, msg));
            }
            size += k.getBytes(StandardCharsets.UTF_8).length;
            if (e.getValue() != null) {
                size += e.getValue().getBytes(StandardCharsets.UTF_8).length;
            }
        }
        if (size > TOTAL_ANNOTATION_SIZE_LIMIT) {
            errs.add(FieldError.tooLong(fieldPath, "", TOTAL_ANNOTATION_SIZE_LIMIT));
        }
        return errs;
    }

    static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }

    static void nonNegative(Number value, String field, List<FieldError> errs) {
        if (value != null && value.longValue() < 0) {
            errs.add(FieldError.invalid(field, value, "must be greater than or equal to 0"));
        }
    }
}
