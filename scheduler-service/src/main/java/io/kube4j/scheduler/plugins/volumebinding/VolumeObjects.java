package io.kube4j.scheduler.plugins.volumebinding;

import java.util.List;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.kube4j.client.informer.Lister;
import io.kube4j.client.informer.SharedInformerFactory;

/**
 * What {@link VolumeBinding} reads of the cluster's storage objects: the scheduler's informer caches in production
 * (Kubernetes' PVC, PV and StorageClass listers), a map in unit tests.
 */
public interface VolumeObjects {

    PersistentVolumeClaim claim(String namespace, String name);

    PersistentVolume volume(String name);

    List<PersistentVolume> volumes();

    StorageClass storageClass(String name);

    /** Listers over {@code informers}' PVC, PV and StorageClass informers (registered now, started with the others). */
    static VolumeObjects of(SharedInformerFactory informers) {
        Lister<PersistentVolumeClaim> pvcs = informers.informerFor(PersistentVolumeClaim.class, null).lister();
        Lister<PersistentVolume> pvs = informers.informerFor(PersistentVolume.class, null).lister();
        Lister<StorageClass> classes = informers.informerFor(StorageClass.class, null).lister();
        return new VolumeObjects() {
            @Override
            public PersistentVolumeClaim claim(String namespace, String name) {
                return pvcs.get(namespace, name);
            }

            @Override
            public PersistentVolume volume(String name) {
                return pvs.get(null, name);
            }

            @Override
            public List<PersistentVolume> volumes() {
                return pvs.list((String) null);
            }

            @Override
            public StorageClass storageClass(String name) {
                return classes.get(null, name);
            }
        };
    }
}
