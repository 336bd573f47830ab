package io.kube4j.node.pod;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.kube4j.api.codec.Codecs;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.ResourceClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes pods' statuses to the apiserver through {@code /status}, only when they changed, asynchronously and one
 * write at a time per pod (the latest status wins: a status set while a write is in flight is written after it).
 * Static pods' statuses go to their mirror pods ({@code target} maps a pod to the object to write).
 */
public final class PodStatusManager {

    private static final Logger log = LoggerFactory.getLogger(PodStatusManager.class);

    private final ResourceClient<Pod> pods;
    private final Function<Pod, Pod> target;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    private static final class Entry {
        String written;       // JSON of the last status written (or read back)
        PodStatus wanted;
        Pod wantedFor;
        boolean inFlight;
    }

    public PodStatusManager(ResourceClient<Pod> pods, Function<Pod, Pod> target) {
        this.pods = pods;
        this.target = target;
    }

    /** The status last set for the pod (what the agent believes), or null. */
    public PodStatus cached(String podUid) {
        Entry e = entries.get(podUid);
        if (e == null) {
            return null;
        }
        synchronized (e) {
            return e.wanted;
        }
    }

    /** Sets the pod's status; written unless it equals what the apiserver already has. */
    public void setStatus(Pod pod, PodStatus status) {
        String uid = pod.getMetadata().getUid();
        Entry e = entries.computeIfAbsent(uid, k -> new Entry());
        String json = normalized(status);
        synchronized (e) {
            if (e.written == null && pod.getStatus() != null) {
                e.written = normalized(pod.getStatus());
            }
            e.wanted = status;
            e.wantedFor = pod;
            if (json.equals(e.written) || e.inFlight) {
                return;
            }
            e.inFlight = true;
        }
        write(uid, e);
    }

    /** Forgets the pod (after it is gone). */
    public void forget(String podUid) {
        entries.remove(podUid);
    }

    private void write(String uid, Entry e) {
        PodStatus status;
        Pod pod;
        synchronized (e) {
            status = e.wanted;
            pod = e.wantedFor;
        }
        Pod dest = target.apply(pod);
        if (dest == null) { // a static pod whose mirror does not exist yet: retried on the next sync
            synchronized (e) {
                e.inFlight = false;
            }
            return;
        }
        String json = normalized(status);
        String ns = dest.getMetadata().getNamespace();
        String name = dest.getMetadata().getName();
        String destUid = dest.getMetadata().getUid();
        pods.updateWithRetry(ns, name, current -> {
            if (destUid != null && !destUid.equals(current.getMetadata().getUid())) {
                throw new IllegalStateException("pod " + ns + "/" + name + " was replaced (uid changed)");
            }
            current.setStatus(merge(current.getStatus(), status));
            return current;
        }, true).timeout(Duration.ofSeconds(30)).subscribe(written -> {
            finish(uid, e, json);
        }, err -> {
            if (err instanceof ApiStatusException a && a.code() == 404) {
                log.debug("status of {}/{} not written: the pod is gone", ns, name);
            } else if (err instanceof IllegalStateException) {
                log.debug("status of {}/{} not written: {}", ns, name, err.getMessage());
            } else {
                log.warn("writing the status of pod {}/{} failed: {}", ns, name, err.toString());
            }
            finish(uid, e, null);
        });
    }

    private void finish(String uid, Entry e, String writtenJson) {
        boolean again;
        synchronized (e) {
            if (writtenJson != null) {
                e.written = writtenJson;
            }
            again = writtenJson != null && e.wanted != null && !normalized(e.wanted).equals(e.written);
            e.inFlight = again;
        }
        if (again && entries.get(uid) == e) {
            write(uid, e);
        }
    }

    /** Keeps what others own in the status (conditions the agent does not set, nominatedNodeName). */
    private static PodStatus merge(PodStatus current, PodStatus ours) {
        if (current == null || current.getConditions() == null) {
            return ours;
        }
        PodStatus out = Codecs.json().convertValue(ours, PodStatus.class);
        var conds = new java.util.ArrayList<>(out.getConditions() == null ? java.util.List.of() : out.getConditions());
        for (var c : current.getConditions()) {
            if (conds.stream().noneMatch(x -> Objects.equals(x.getType(), c.getType()))) {
                conds.add(c);
            }
        }
        out.setConditions(conds);
        if (out.getNominatedNodeName() == null) {
            out.setNominatedNodeName(current.getNominatedNodeName());
        }
        return out;
    }

    private static String normalized(PodStatus s) {
        return Codecs.json().writeValueAsString(s);
    }
}
