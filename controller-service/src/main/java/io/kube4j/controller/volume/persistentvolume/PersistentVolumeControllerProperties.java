package io.kube4j.controller.volume.persistentvolume;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * The persistent volume controllers, {@code kube4j.controller.persistentvolume.*}.
 *
 * @param concurrentSyncs     claims and volumes worked on at once by the binder
 * @param resync              how often every claim and volume is looked at again even without a change (Kubernetes'
 *                            {@code pvclaimbinder-sync-period}, 15 s): a missed event or a failed reclaim heals
 * @param localPathClass      the StorageClass the local-path provisioner ensures at start (and serves)
 * @param ensureLocalPathClass whether the provisioner creates that class (as the default one) when it is absent
 */
@ConfigurationProperties("kube4j.controller.persistentvolume")
public record PersistentVolumeControllerProperties(
        @DefaultValue("2") int concurrentSyncs,
        @DefaultValue("15s") Duration resync,
        @DefaultValue("local-path") String localPathClass,
        @DefaultValue("true") boolean ensureLocalPathClass) {

    public PersistentVolumeControllerProperties {
        if (concurrentSyncs < 1) {
            throw new IllegalArgumentException("kube4j.controller.persistentvolume.concurrent-syncs must be at least 1, got "
                    + concurrentSyncs);
        }
        if (resync == null || resync.isNegative() || resync.isZero()) {
            throw new IllegalArgumentException("kube4j.controller.persistentvolume.resync must be positive, got " + resync);
        }
        if (localPathClass == null || !localPathClass.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?")) {
            throw new IllegalArgumentException("kube4j.controller.persistentvolume.local-path-class: '" + localPathClass
                    + "' is not a valid StorageClass name");
        }
    }

    public static PersistentVolumeControllerProperties defaults() {
        return new PersistentVolumeControllerProperties(2, Duration.ofSeconds(15), "local-path", true);
    }
}
