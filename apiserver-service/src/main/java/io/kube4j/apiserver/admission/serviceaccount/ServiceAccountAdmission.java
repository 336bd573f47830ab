package io.kube4j.apiserver.admission.serviceaccount;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.admission.AdmissionAttributes;
import io.kube4j.apiserver.admission.AdmissionAttributes.Operation;
import io.kube4j.apiserver.admission.AdmissionErrors;
import io.kube4j.apiserver.admission.AdmissionLookup;
import io.kube4j.apiserver.admission.AdmissionOrder;
import io.kube4j.apiserver.admission.CoreResources;
import io.kube4j.apiserver.admission.MutatingAdmissionPlugin;
import io.kube4j.security.UserInfo;
import org.springframework.core.annotation.Order;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Kubernetes' {@code ServiceAccount} admission plugin ({@code plugin/pkg/admission/serviceaccount}): a new pod runs
 * as ServiceAccount "default" unless it names one, the account must exist (403 {@code error looking up service
 * account ns/name}), and unless the pod or the account turns {@code automountServiceAccountToken} off, every
 * container gets the projected volume {@code kube-api-access-xxxxx} (a bound token, the cluster CA and the namespace)
 * at {@value #MOUNT_PATH}, read-only. Mirror pods are left alone.
 */
@Order(AdmissionOrder.SERVICE_ACCOUNT)
public final class ServiceAccountAdmission implements MutatingAdmissionPlugin {

    public static final String DEFAULT_SERVICE_ACCOUNT = "default";
    public static final String MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";
    static final String VOLUME_PREFIX = "kube-api-access-";
    static final long TOKEN_EXPIRATION_SECONDS = 3607;
    private static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";
    private static final String NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";

    private final AdmissionLookup lookup;
    private final ResourceType serviceAccounts;

    public ServiceAccountAdmission(AdmissionLookup lookup) {
        this.lookup = lookup;
        this.serviceAccounts = lookup.type("", "v1", "serviceaccounts");
    }

    @Override
    public String name() {
        return "ServiceAccount";
    }

    @Override
    public boolean appliesTo(Operation op, ResourceType type, String subresource, UserInfo user) {
        return op == Operation.CREATE && subresource.isEmpty() && CoreResources.isPods(type);
    }

    @Override
    public Mono<HasMetadata> admit(AdmissionAttributes a) {
        if (!(a.object() instanceof Pod pod)) {
            return Mono.justOrEmpty(a.object());
        }
        if (pod.getMetadata().getAnnotations() != null
                && pod.getMetadata().getAnnotations().containsKey(MIRROR_ANNOTATION)) {
            return Mono.just(pod);
        }
        if (pod.getSpec() == null) {
            pod.setSpec(new PodSpec());
        }
        PodSpec spec = pod.getSpec();
        if (spec.getServiceAccountName() == null || spec.getServiceAccountName().isEmpty()) {
            spec.setServiceAccountName(DEFAULT_SERVICE_ACCOUNT);
        }
        String sa = spec.getServiceAccountName();
        return lookup.<ServiceAccount>get(serviceAccounts, a.namespace(), sa)
                .switchIfEmpty(Mono.error(() -> AdmissionErrors.forbidden(a, "error looking up service account "
                        + a.namespace() + "/" + sa + ": serviceaccount \"" + sa + "\" not found")))
                .map(account -> {
                    if (automount(spec, account)) {
                        mountToken(spec);
                    }
                    return pod;
                });
    }

    /** The pod's own setting wins, then the account's; the default is to mount. */
    static boolean automount(PodSpec spec, ServiceAccount account) {
        if (spec.getAutomountServiceAccountToken() != null) {
            return spec.getAutomountServiceAccountToken();
        }
        return account.getAutomountServiceAccountToken() == null || account.getAutomountServiceAccountToken();
    }

    /** Adds the projected token volume and mounts it in every container that has nothing at the mount path yet. */
    static void mountToken(PodSpec spec) {
        List<Container> all = new ArrayList<>();
        if (spec.getInitContainers() != null) {
            all.addAll(spec.getInitContainers());
        }
        if (spec.getContainers() != null) {
            all.addAll(spec.getContainers());
        }
        boolean anyMounted = all.stream().anyMatch(c -> c.getVolumeMounts() != null
                && c.getVolumeMounts().stream().anyMatch(m -> MOUNT_PATH.equals(m.getMountPath())));
        if (anyMounted) {
            return; // the pod brings its own credentials
        }
        String volume = VOLUME_PREFIX + suffix();
        List<Volume> volumes = new ArrayList<>(spec.getVolumes() == null ? List.of() : spec.getVolumes());
        volumes.add(tokenVolume(volume));
        spec.setVolumes(volumes);
        for (Container c : all) {
            List<VolumeMount> mounts = new ArrayList<>(c.getVolumeMounts() == null ? List.of() : c.getVolumeMounts());
            mounts.add(new VolumeMountBuilder().withName(volume).withMountPath(MOUNT_PATH).withReadOnly(true).build());
            c.setVolumeMounts(mounts);
        }
    }

    static Volume tokenVolume(String name) {
        return new VolumeBuilder().withName(name).withNewProjected().withDefaultMode(0644)
                .addNewSource().withNewServiceAccountToken().withExpirationSeconds(TOKEN_EXPIRATION_SECONDS)
                .withPath("token").endServiceAccountToken().endSource()
                .addNewSource().withNewConfigMap().withName("kube-root-ca.crt").addNewItem().withKey("ca.crt")
                .withPath("ca.crt").endItem().endConfigMap().endSource()
                .addNewSource().withNewDownwardAPI().addNewItem().withPath("namespace").withNewFieldRef()
                .withApiVersion("v1").withFieldPath("metadata.namespace").endFieldRef().endItem().endDownwardAPI()
                .endSource()
                .endProjected().build();
    }

    private static String suffix() {
        StringBuilder sb = new StringBuilder(5);
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < 5; i++) {
            sb.append(NAME_CHARS.charAt(r.nextInt(NAME_CHARS.length())));
        }
        return sb.toString();
    }
}
