package io.kube4j.apiserver.admission;

import java.util.ArrayList;
import java.util.List;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Toleration;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.security.UserInfo;
import org.springframework.core.annotation.Order;
import reactor.core.publisher.Mono;

/**
 * Kubernetes' {@code DefaultTolerationSeconds} admission plugin: a new pod that does not tolerate
 * {@code node.kubernetes.io/not-ready:NoExecute} (or {@code unreachable:NoExecute}) gets a toleration for it with
 * {@code tolerationSeconds} (300 s by default), so the taint eviction of a failed node removes it only after that time
 * instead of at once. A toleration with an empty key (all taints) or an empty effect (all effects) already counts.
 */
@Order(AdmissionOrder.DEFAULT_TOLERATION_SECONDS)
public final class DefaultTolerationSeconds implements MutatingAdmissionPlugin {

    public static final String TAINT_NODE_NOT_READY = "node.kubernetes.io/not-ready";
    public static final String TAINT_NODE_UNREACHABLE = "node.kubernetes.io/unreachable";
    private static final String NO_EXECUTE = "NoExecute";

    private final long notReadySeconds;
    private final long unreachableSeconds;

    public DefaultTolerationSeconds(DefaultTolerationSecondsProperties props) {
        this.notReadySeconds = props.defaultNotReadyTolerationSeconds();
        this.unreachableSeconds = props.defaultUnreachableTolerationSeconds();
    }

    @Override
    public String name() {
        return "DefaultTolerationSeconds";
    }

    @Override
    public boolean appliesTo(AdmissionAttributes.Operation op, ResourceType type, String subresource, UserInfo user) {
        return op == AdmissionAttributes.Operation.CREATE && subresource.isEmpty() && CoreResources.isPods(type);
    }

    @Override
    public Mono<HasMetadata> admit(AdmissionAttributes attributes) {
        if (attributes.object() instanceof Pod pod) {
            admitPodCreate(pod);
        }
        return Mono.justOrEmpty(attributes.object());
    }

    /** Adds the missing default tolerations to a pod being created. */
    public void admitPodCreate(Pod pod) {
        if (pod.getSpec() == null) {
            pod.setSpec(new PodSpec());
        }
        List<Toleration> tolerations = pod.getSpec().getTolerations() == null ? List.of() : pod.getSpec().getTolerations();
        boolean notReady = false;
        boolean unreachable = false;
        for (Toleration t : tolerations) {
            notReady |= covers(t, TAINT_NODE_NOT_READY);
            unreachable |= covers(t, TAINT_NODE_UNREACHABLE);
        }
        if (notReady && unreachable) {
            return;
        }
        List<Toleration> out = new ArrayList<>(tolerations);
        if (!notReady) {
            out.add(toleration(TAINT_NODE_NOT_READY, notReadySeconds));
        }
        if (!unreachable) {
            out.add(toleration(TAINT_NODE_UNREACHABLE, unreachableSeconds));
        }
        pod.getSpec().setTolerations(out);
    }

    private static boolean covers(Toleration t, String key) {
        return (isEmpty(t.getKey()) || key.equals(t.getKey())) && (isEmpty(t.getEffect()) || NO_EXECUTE.equals(t.getEffect()));
    }

    private static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }

    private static Toleration toleration(String key, long seconds) {
        Toleration t = new Toleration();
        t.setKey(key);
        t.setOperator("Exists");
        t.setEffect(NO_EXECUTE);
        t.setTolerationSeconds(seconds);
        return t;
    }
}
