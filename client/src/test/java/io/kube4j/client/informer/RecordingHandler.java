package io.kube4j.client.informer;

import io.fabric8.kubernetes.api.model.ConfigMap;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records handler calls as {@code add:name@rv}, {@code update:name@oldRv->newRv}, {@code delete:name@rv:unknown}. */
class RecordingHandler implements ResourceEventHandler<ConfigMap> {

    final List<String> calls = new CopyOnWriteArrayList<>();
    final Set<String> threads = ConcurrentHashMap.newKeySet();

    private static String id(ConfigMap cm) {
        return cm.getMetadata().getName() + "@" + cm.getMetadata().getResourceVersion();
    }

    @Override
    public void onAdd(ConfigMap obj) {
        threads.add(Thread.currentThread().getName());
        calls.add("add:" + id(obj));
    }

    @Override
    public void onUpdate(ConfigMap oldObj, ConfigMap newObj) {
        threads.add(Thread.currentThread().getName());
        calls.add("update:" + id(oldObj) + "->" + newObj.getMetadata().getResourceVersion());
    }

    @Override
    public void onDelete(ConfigMap obj, boolean finalStateUnknown) {
        threads.add(Thread.currentThread().getName());
        calls.add("delete:" + id(obj) + (finalStateUnknown ? ":unknown" : ""));
    }
}
