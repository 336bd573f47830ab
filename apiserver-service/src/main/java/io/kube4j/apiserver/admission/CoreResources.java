package io.kube4j.apiserver.admission;

import io.kube4j.api.registry.ResourceType;

/** Which core/v1 resource a request is about (the admission plugins' cheap pre-checks). */
public final class CoreResources {

    private CoreResources() {
    }

    /** core/v1 pods. */
    public static boolean isPods(ResourceType t) {
        return isCore(t, "pods");
    }

    /** The core ("") group's resource {@code plural}. */
    public static boolean isCore(ResourceType t, String plural) {
        return t.group().isEmpty() && t.plural().equals(plural);
    }
}
