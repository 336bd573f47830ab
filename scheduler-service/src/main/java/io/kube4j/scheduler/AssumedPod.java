package io.kube4j.scheduler;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;

/**
 * The pod as the scheduler assumes it placed: the same pod with {@code spec.nodeName} set. Pods from the informer are
 * shared and never modified, so only the {@link Pod} and its {@link PodSpec} are copied (a shallow, field-by-field
 * copy), and everything below them is shared; a builder's deep copy cost more than the rest of a scheduling cycle.
 */
final class AssumedPod {

    private static final Field[] SPEC_FIELDS = instanceFields(PodSpec.class);

    private AssumedPod() {
    }

    static Pod of(Pod pod, String nodeName) {
        PodSpec spec = new PodSpec();
        PodSpec original = pod.getSpec();
        if (original != null) {
            try {
                for (Field f : SPEC_FIELDS) {
                    f.set(spec, f.get(original));
                }
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot copy PodSpec", e);
            }
        }
        spec.setAdditionalProperties(new java.util.LinkedHashMap<>(spec.getAdditionalProperties()));
        spec.setNodeName(nodeName);
        Pod copy = new Pod(pod.getApiVersion(), pod.getKind(), pod.getMetadata(), spec, pod.getStatus());
        pod.getAdditionalProperties().forEach(copy::setAdditionalProperty);
        return copy;
    }

    private static Field[] instanceFields(Class<?> type) {
        List<Field> fields = new ArrayList<>();
        for (Field f : type.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers())) {
                f.setAccessible(true);
                fields.add(f);
            }
        }
        return fields.toArray(Field[]::new);
    }
}
