package io.kube4j.api.validation;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.kube4j.api.codec.Codecs;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import static io.kube4j.api.validation.Validation.IMMUTABLE;
import static io.kube4j.api.validation.Validation.isEmpty;

/** What may not change on update, per resource ({@code Validate*Update} in Kubernetes). */
final class UpdateValidation {

    static final String POD_UPDATE_FORBIDDEN = "pod updates may not change fields other than `spec.containers[*].image`,"
            + "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing "
            + "tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";
    static final String STATEFULSET_UPDATE_FORBIDDEN = "updates to statefulset spec for fields other than 'replicas', "
            + "'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";
    static final String IMMUTABLE_WHEN_SET = "field is immutable when `immutable` is set";

    private UpdateValidation() {
    }

    static void validate(HasMetadata newObj, HasMetadata oldObj, List<FieldError> errs) {
        ObjectMeta nm = newObj.getMetadata() == null ? new ObjectMeta() : newObj.getMetadata();
        ObjectMeta om = oldObj.getMetadata() == null ? new ObjectMeta() : oldObj.getMetadata();
        immutable(nm.getName(), om.getName(), "metadata.name", errs);
        immutable(nm.getNamespace(), om.getNamespace(), "metadata.namespace", errs);

        if (newObj instanceof Pod n && oldObj instanceof Pod o) {
            validatePodSpecUpdate(n.getSpec(), o.getSpec(), errs);
        } else if (newObj instanceof Service n && oldObj instanceof Service o) {
            String oldIp = o.getSpec() == null ? null : o.getSpec().getClusterIP();
            String newIp = n.getSpec() == null ? null : n.getSpec().getClusterIP();
            boolean externalName = n.getSpec() != null && "ExternalName".equals(n.getSpec().getType())
                    || o.getSpec() != null && "ExternalName".equals(o.getSpec().getType());
            if (!externalName && !isEmpty(oldIp) && !oldIp.equals(newIp)) {
                errs.add(FieldError.invalid("spec.clusterIP", newIp == null ? "" : newIp, IMMUTABLE));
            }
        } else if (newObj instanceof Deployment n && oldObj instanceof Deployment o) {
            selectorImmutable(n, o, d -> d.getSpec() == null ? null : d.getSpec().getSelector(), errs);
        } else if (newObj instanceof ReplicaSet n && oldObj instanceof ReplicaSet o) {
            selectorImmutable(n, o, d -> d.getSpec() == null ? null : d.getSpec().getSelector(), errs);
        } else if (newObj instanceof DaemonSet n && oldObj instanceof DaemonSet o) {
            selectorImmutable(n, o, d -> d.getSpec() == null ? null : d.getSpec().getSelector(), errs);
        } else if (newObj instanceof StatefulSet n && oldObj instanceof StatefulSet o) {
            selectorImmutable(n, o, d -> d.getSpec() == null ? null : d.getSpec().getSelector(), errs);
            JsonNode a = tree(n.getSpec());
            JsonNode b = tree(o.getSpec());
            for (String f : List.of("replicas", "ordinals", "template", "updateStrategy",
                    "persistentVolumeClaimRetentionPolicy", "minReadySeconds", "selector")) {
                remove(a, f);
                remove(b, f);
            }
            if (!a.equals(b)) {
                errs.add(FieldError.forbidden("spec", STATEFULSET_UPDATE_FORBIDDEN));
            }
        } else if (newObj instanceof Job n && oldObj instanceof Job o) {
            JobSpec ns = n.getSpec() == null ? new JobSpec() : n.getSpec();
            JobSpec os = o.getSpec() == null ? new JobSpec() : o.getSpec();
            immutableTree(ns.getSelector(), os.getSelector(), "spec.selector", errs);
            immutableTree(ns.getTemplate(), os.getTemplate(), "spec.template", errs);
            immutableTree(ns.getCompletions(), os.getCompletions(), "spec.completions", errs);
            immutableTree(ns.getCompletionMode(), os.getCompletionMode(), "spec.completionMode", errs);
        } else if (newObj instanceof io.fabric8.kubernetes.api.model.PersistentVolume n
                && oldObj instanceof io.fabric8.kubernetes.api.model.PersistentVolume o) {
            StorageValidation.validatePersistentVolumeUpdate(n, o, errs);
        } else if (newObj instanceof io.fabric8.kubernetes.api.model.PersistentVolumeClaim n
                && oldObj instanceof io.fabric8.kubernetes.api.model.PersistentVolumeClaim o) {
            StorageValidation.validatePersistentVolumeClaimUpdate(n, o, errs);
        } else if (newObj instanceof io.fabric8.kubernetes.api.model.networking.v1.IngressClass n
                && oldObj instanceof io.fabric8.kubernetes.api.model.networking.v1.IngressClass o) {
            IngressValidation.validateIngressClassUpdate(n, o, errs);
        } else if (newObj instanceof io.fabric8.kubernetes.api.model.storage.StorageClass n
                && oldObj instanceof io.fabric8.kubernetes.api.model.storage.StorageClass o) {
            StorageValidation.validateStorageClassUpdate(n, o, errs);
        } else if (newObj instanceof ConfigMap n && oldObj instanceof ConfigMap o) {
            if (Boolean.TRUE.equals(o.getImmutable())) {
                if (!Boolean.TRUE.equals(n.getImmutable())) {
                    errs.add(FieldError.forbidden("immutable", IMMUTABLE_WHEN_SET));
                }
                if (!sameMap(n.getData(), o.getData())) {
                    errs.add(FieldError.forbidden("data", IMMUTABLE_WHEN_SET));
                }
                if (!sameMap(n.getBinaryData(), o.getBinaryData())) {
                    errs.add(FieldError.forbidden("binaryData", IMMUTABLE_WHEN_SET));
                }
            }
        } else if (newObj instanceof Secret n && oldObj instanceof Secret o) {
            immutable(Objects.requireNonNullElse(n.getType(), ""), Objects.requireNonNullElse(o.getType(), ""), "type", errs);
            if (Boolean.TRUE.equals(o.getImmutable())) {
                if (!Boolean.TRUE.equals(n.getImmutable())) {
                    errs.add(FieldError.forbidden("immutable", IMMUTABLE_WHEN_SET));
                }
                if (!sameMap(n.getData(), o.getData()) || !isEmptyMap(n.getStringData())) {
                    errs.add(FieldError.forbidden("data", IMMUTABLE_WHEN_SET));
                }
            }
        }
    }

    /**
     * Only images, a shorter active deadline, added tolerations and a grace period of 1 (from a
     * negative one) may change in a pod's spec.
     */
    static void validatePodSpecUpdate(PodSpec newSpec, PodSpec oldSpec, List<FieldError> errs) {
        PodSpec ns = newSpec == null ? new PodSpec() : newSpec;
        PodSpec os = oldSpec == null ? new PodSpec() : oldSpec;
        Long nd = ns.getActiveDeadlineSeconds();
        Long od = os.getActiveDeadlineSeconds();
        if (nd != null) {
            if (nd < 0 || nd > Integer.MAX_VALUE) {
                errs.add(FieldError.invalid("spec.activeDeadlineSeconds", nd, NameRules.inclusiveRange(0, Integer.MAX_VALUE)));
                return;
            }
            if (od != null && od < nd) {
                errs.add(FieldError.invalid("spec.activeDeadlineSeconds", nd, "must be less than or equal to previous value"));
                return;
            }
        } else if (od != null) {
            errs.add(FieldError.invalid("spec.activeDeadlineSeconds", null, "must not update from a positive integer to nil value"));
        }

        JsonNode a = tree(ns);
        JsonNode b = tree(os);
        for (JsonNode t : List.of(a, b)) {
            clearImages(t.get("containers"));
            clearImages(t.get("initContainers"));
            remove(t, "activeDeadlineSeconds");
        }
        if (onlyAddedTolerations(ns.getTolerations(), os.getTolerations())) {
            remove(a, "tolerations");
            remove(b, "tolerations");
        }
        Long ng = ns.getTerminationGracePeriodSeconds();
        Long og = os.getTerminationGracePeriodSeconds();
        if (og != null && og < 0 && ng != null && ng == 1) {
            remove(a, "terminationGracePeriodSeconds");
            remove(b, "terminationGracePeriodSeconds");
        }
        if (!a.equals(b)) {
            errs.add(FieldError.forbidden("spec", POD_UPDATE_FORBIDDEN));
        }
    }

    /** Every old toleration is still there (a NoExecute one may shorten its tolerationSeconds). */
    private static boolean onlyAddedTolerations(List<Toleration> newT, List<Toleration> oldT) {
        List<Toleration> n = newT == null ? List.of() : newT;
        for (Toleration o : oldT == null ? List.<Toleration>of() : oldT) {
            boolean found = n.stream().anyMatch(t -> Objects.equals(t.getKey(), o.getKey())
                    && Objects.equals(t.getOperator(), o.getOperator())
                    && Objects.equals(t.getValue(), o.getValue())
                    && Objects.equals(t.getEffect(), o.getEffect())
                    && (Objects.equals(t.getTolerationSeconds(), o.getTolerationSeconds())
                    || "NoExecute".equals(t.getEffect()) && o.getTolerationSeconds() != null
                    && t.getTolerationSeconds() != null && t.getTolerationSeconds() <= o.getTolerationSeconds()));
            if (!found) {
                return false;
            }
        }
        return true;
    }

    private static <T extends HasMetadata> void selectorImmutable(T n, T o, Function<T, Object> selector,
                                                                  List<FieldError> errs) {
        immutableTree(selector.apply(n), selector.apply(o), "spec.selector", errs);
    }

    private static void immutable(String newValue, String oldValue, String field, List<FieldError> errs) {
        if (!Objects.equals(newValue, oldValue)) {
            errs.add(FieldError.invalid(field, newValue, IMMUTABLE));
        }
    }

    private static void immutableTree(Object newValue, Object oldValue, String field, List<FieldError> errs) {
        if (!tree(newValue).equals(tree(oldValue))) {
            errs.add(FieldError.invalid(field, newValue, IMMUTABLE));
        }
    }

    private static JsonNode tree(Object value) {
        return value == null ? Codecs.json().nullNode() : Codecs.json().valueToTree(value);
    }

    private static void clearImages(JsonNode containers) {
        if (containers instanceof ArrayNode arr) {
            for (int i = 0; i < arr.size(); i++) {
                remove(arr.get(i), "image");
            }
        }
    }

    private static void remove(JsonNode node, String field) {
        if (node instanceof ObjectNode o) {
            o.remove(field);
        }
    }

    private static boolean sameMap(Map<String, String> a, Map<String, String> b) {
        return (isEmptyMap(a) && isEmptyMap(b)) || Objects.equals(a, b);
    }

    private static boolean isEmptyMap(Map<?, ?> m) {
        return m == null || m.isEmpty();
    }
}
