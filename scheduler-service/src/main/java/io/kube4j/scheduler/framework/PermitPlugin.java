package io.kube4j.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * Approves or rejects a pod's binding to the chosen node, last thing in the scheduling cycle. (Kubernetes' "Wait"
 * answer, used for gang scheduling, is not supported yet.)
 */
public interface PermitPlugin extends Plugin {

    Status permit(CycleState state, Pod pod, String nodeName);
}
