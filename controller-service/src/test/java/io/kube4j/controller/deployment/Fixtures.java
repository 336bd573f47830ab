package io.kube4j.controller.deployment;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.kube4j.api.codec.Codecs;
import io.kube4j.client.ApiStatusException;
import io.kube4j.controller.common.OwnerReferences;

/** Deployments and ReplicaSets for the unit tests, and a {@link DeploymentWriter} that keeps what it was told. */
final class Fixtures {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private Fixtures() {
    }

    static PodTemplateSpec template(String image) {
        return new PodTemplateSpecBuilder().withNewMetadata().withLabels(Map.of("app", "web")).endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage(image).endContainer().endSpec().build();
    }

    static Deployment rolling(int replicas, Object maxSurge, Object maxUnavailable) {
        return new DeploymentBuilder().withNewMetadata().withName("web").withNamespace("ns").withUid("d-uid")
                .withGeneration(1L).withResourceVersion("1").endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().withMatchLabels(Map.of("app", "web"))
                .endSelector().withTemplate(template("img:1")).withProgressDeadlineSeconds(600)
                .withRevisionHistoryLimit(10)
                .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate()
                .withMaxSurge(ios(maxSurge)).withMaxUnavailable(ios(maxUnavailable)).endRollingUpdate().endStrategy()
                .endSpec().withStatus(new DeploymentStatus()).build();
    }

    static Deployment recreate(int replicas) {
        Deployment d = rolling(replicas, 0, 1);
        d.getSpec().getStrategy().setType("Recreate");
        d.getSpec().getStrategy().setRollingUpdate(null);
        return d;
    }

    static IntOrString ios(Object v) {
        return v instanceof Integer i ? new IntOrString(i) : new IntOrString((String) v);
    }

    /** A ReplicaSet of {@code d} with {@code image}, created {@code ageRank} seconds after T0, all replicas available. */
    static ReplicaSet rs(Deployment d, String name, String image, int replicas, int available, int createdAt) {
        PodTemplateSpec t = template(image);
        t.getMetadata().setLabels(new HashMap<>(Map.of("app", "web", DeploymentUtil.POD_TEMPLATE_HASH, name)));
        ReplicaSet rs = new ReplicaSetBuilder().withNewMetadata().withName(name).withNamespace("ns")
                .withUid(name + "-uid").withResourceVersion("1").withGeneration(1L)
                .withCreationTimestamp(DeploymentUtil.time(T0.plusSeconds(createdAt)))
                .withLabels(t.getMetadata().getLabels()).withAnnotations(new HashMap<>())
                .withOwnerReferences(OwnerReferences.controllerRef(d, "apps/v1", "Deployment")).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().withMatchLabels(t.getMetadata().getLabels())
                .endSelector().withTemplate(t).endSpec().build();
        ReplicaSetStatus s = new ReplicaSetStatus();
        s.setReplicas(replicas);
        s.setReadyReplicas(available);
        s.setAvailableReplicas(available);
        s.setObservedGeneration(1L);
        rs.setStatus(s);
        return rs;
    }

    static ReplicaSet annotate(ReplicaSet rs, String key, Object value) {
        rs.getMetadata().getAnnotations().put(key, String.valueOf(value));
        return rs;
    }

    /** A DeploymentWriter over in-memory objects: compare-and-swap on resourceVersion, and a log of what happened. */
    static final class FakeWriter implements DeploymentWriter {
        final Map<String, ReplicaSet> replicaSets = new LinkedHashMap<>();
        final List<String> events = new ArrayList<>();
        final List<String> deleted = new ArrayList<>();
        final List<String> actions = new ArrayList<>();
        Deployment deployment;
        int statusWrites;
        private long rv = 100;

        FakeWriter(Deployment d, ReplicaSet... rss) {
            this.deployment = copy(d);
            for (ReplicaSet rs : rss) {
                replicaSets.put(rs.getMetadata().getName(), copy(rs));
            }
        }

        List<ReplicaSet> list() {
            List<ReplicaSet> out = new ArrayList<>();
            for (ReplicaSet rs : replicaSets.values()) {
                out.add(copy(rs));
            }
            return out;
        }

        int replicasOf(String name) {
            return replicaSets.get(name).getSpec().getReplicas();
        }

        ReplicaSet newest() {
            return replicaSets.values().stream().max(DeploymentUtil.BY_CREATION).map(Fixtures::copy).orElseThrow();
        }

        @Override
        public ReplicaSet createReplicaSet(ReplicaSet rs) {
            if (replicaSets.containsKey(rs.getMetadata().getName())) {
                throw ApiStatusException.of(409, reason("AlreadyExists"), "replicasets \"" + rs.getMetadata()
                        .getName() + "\" already exists");
            }
            ReplicaSet c = copy(rs);
            c.getMetadata().setUid(UUID.randomUUID().toString());
            c.getMetadata().setResourceVersion(Long.toString(++rv));
            c.getMetadata().setGeneration(1L);
            c.getMetadata().setCreationTimestamp(DeploymentUtil.time(T0.plusSeconds(rv)));
            replicaSets.put(c.getMetadata().getName(), c);
            actions.add("create " + c.getMetadata().getName() + " " + c.getSpec().getReplicas());
            return copy(c);
        }

        @Override
        public ReplicaSet updateReplicaSet(ReplicaSet rs) {
            ReplicaSet cur = replicaSets.get(rs.getMetadata().getName());
            if (!cur.getMetadata().getResourceVersion().equals(rs.getMetadata().getResourceVersion())) {
                throw ApiStatusException.of(409, reason("Conflict"), "stale");
            }
            ReplicaSet c = copy(rs);
            c.getMetadata().setResourceVersion(Long.toString(++rv));
            if (!cur.getSpec().getReplicas().equals(c.getSpec().getReplicas())) {
                actions.add("scale " + c.getMetadata().getName() + " " + cur.getSpec().getReplicas() + "->"
                        + c.getSpec().getReplicas());
            }
            replicaSets.put(c.getMetadata().getName(), c);
            return copy(c);
        }

        @Override
        public void deleteReplicaSet(ReplicaSet rs) {
            replicaSets.remove(rs.getMetadata().getName());
            deleted.add(rs.getMetadata().getName());
        }

        @Override
        public Deployment updateStatus(Deployment d) {
            checkRv(d);
            Deployment c = copy(deployment);
            c.setStatus(copy(d).getStatus());
            c.getMetadata().setResourceVersion(Long.toString(++rv));
            deployment = c;
            statusWrites++;
            return copy(c);
        }

        @Override
        public Deployment updateMetadata(Deployment d) {
            checkRv(d);
            Deployment c = copy(d);
            c.setStatus(deployment.getStatus());
            c.getMetadata().setResourceVersion(Long.toString(++rv));
            deployment = c;
            return copy(c);
        }

        private void checkRv(Deployment d) {
            if (!deployment.getMetadata().getResourceVersion().equals(d.getMetadata().getResourceVersion())) {
                throw ApiStatusException.of(409, reason("Conflict"), "stale deployment");
            }
        }

        @Override
        public ReplicaSet cachedReplicaSet(String namespace, String name) {
            ReplicaSet rs = replicaSets.get(name);
            return rs == null ? null : copy(rs);
        }

        @Override
        public void event(HasMetadata involved, String type, String reason, String message) {
            events.add(type + " " + reason + " " + message);
        }

        /** Makes the ReplicaSet controller's status catch up: every replica exists and {@code available} of them are. */
        void settle(String name, int available) {
            ReplicaSet rs = replicaSets.get(name);
            if (rs.getStatus() == null) {
                rs.setStatus(new ReplicaSetStatus());
            }
            rs.getStatus().setReplicas(rs.getSpec().getReplicas());
            rs.getStatus().setReadyReplicas(available);
            rs.getStatus().setAvailableReplicas(available);
            rs.getStatus().setObservedGeneration(rs.getMetadata().getGeneration());
            rs.getMetadata().setResourceVersion(Long.toString(++rv));
        }

        private static Status reason(String reason) {
            Status s = new Status();
            s.setReason(reason);
            return s;
        }
    }

    static <T> T copy(T o) {
        @SuppressWarnings("unchecked")
        T c = (T) Codecs.json().convertValue(o, o.getClass());
        return c;
    }
}
