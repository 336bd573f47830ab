package io.kube4j.controller.statefulset;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.kube4j.controller.history.ControllerHistory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Identity, storage, claim retention, revisions and history truncation of StatefulSet pods. */
class StatefulSetPodsTest {

    private final StatefulSet set = StatefulSetUpdaterTest.set(3, "");

    @Test
    void aPodHasItsOrdinalsIdentityAndClaim() {
        Pod p = StatefulSetPods.newPod(set, 2, "web-abc");
        assertThat(p.getMetadata().getName()).isEqualTo("web-2");
        assertThat(p.getMetadata().getGenerateName()).isNull();
        assertThat(p.getMetadata().getLabels()).containsEntry("app", "web")
                .containsEntry(StatefulSetPods.POD_NAME_LABEL, "web-2").containsEntry(StatefulSetPods.POD_INDEX_LABEL, "2")
                .containsEntry(StatefulSetPods.REVISION_LABEL, "web-abc");
        assertThat(p.getSpec().getHostname()).isEqualTo("web-2");
        assertThat(p.getSpec().getSubdomain()).isEqualTo("web");
        assertThat(p.getSpec().getVolumes()).singleElement().satisfies(v -> {
            assertThat(v.getName()).isEqualTo("www");
            assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("www-web-2");
        });
        assertThat(p.getMetadata().getOwnerReferences()).singleElement().satisfies(r -> {
            assertThat(r.getKind()).isEqualTo("StatefulSet");
            assertThat(r.getController()).isTrue();
        });
        assertThat(StatefulSetPods.identityMatches(set, p)).isTrue();
        assertThat(StatefulSetPods.storageMatches(set, p)).isTrue();
        p.getSpec().setHostname("other");
        assertThat(StatefulSetPods.identityMatches(set, p)).isFalse();
    }

    @Test
    void claimsCarryTheTemplateAndSelectorLabels() {
        PersistentVolumeClaim c = StatefulSetPods.claims(set, 1).get("www");
        assertThat(c.getMetadata().getName()).isEqualTo("www-web-1");
        assertThat(c.getMetadata().getNamespace()).isEqualTo("ns");
        assertThat(c.getMetadata().getLabels()).containsEntry("tier", "data").containsEntry("app", "web");
        assertThat(c.getSpec().getStorageClassName()).isNull(); // the apiserver's default class applies
    }

    @ParameterizedTest
    @CsvSource({"web-0,0", "web-12,12", "my-web-3,3", "web,-1", "web-x,-1"})
    void ordinalsComeFromTheName(String name, int ordinal) {
        assertThat(StatefulSetPods.ordinal(name)).isEqualTo(ordinal);
    }

    @ParameterizedTest(name = "whenDeleted={0} whenScaled={1} ordinal={2}: set ref {3}, pod ref {4}")
    @CsvSource({
            "Retain,Retain,0,false,false",
            "Delete,Retain,0,true,false",
            "Delete,Retain,5,true,false",
            "Retain,Delete,0,false,false",
            "Retain,Delete,5,false,true",
            "Delete,Delete,0,true,false",
            "Delete,Delete,5,false,true"})
    void claimOwnersFollowTheRetentionPolicy(String whenDeleted, String whenScaled, int ordinal, boolean setRef,
            boolean podRef) {
        StatefulSet s = StatefulSetUpdaterTest.set(3, "  persistentVolumeClaimRetentionPolicy: {whenDeleted: "
                + whenDeleted + ", whenScaled: " + whenScaled + "}\n");
        Pod pod = StatefulSetUpdaterTest.pod(s, ordinal, "r", "ready");
        PersistentVolumeClaim claim = StatefulSetPods.claims(s, ordinal).get("www");
        claim.getMetadata().setOwnerReferences(List.of(new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                .withKind("Other").withUid("other").withName("o").build()));
        List<OwnerReference> refs = ClaimRetention.desired(s, pod, claim);
        assertThat(refs).anyMatch(r -> "other".equals(r.getUid())); // others' references stay
        assertThat(refs.stream().anyMatch(r -> "set-uid".equals(r.getUid()))).isEqualTo(setRef);
        assertThat(refs.stream().anyMatch(r -> "Pod".equals(r.getKind()))).isEqualTo(podRef);
        claim.getMetadata().setOwnerReferences(refs);
        assertThat(ClaimRetention.matches(s, pod, claim)).isTrue();
        assertThat(ClaimRetention.isStale(pod, claim)).isFalse();
        if (podRef) {
            Pod next = StatefulSetPods.newPod(s, ordinal, "r"); // not created: any pod reference is stale
            assertThat(ClaimRetention.isStale(next, claim)).isTrue();
        }
    }

    @Test
    void aRevisionRestoresItsTemplate() {
        ControllerRevision r = StatefulSetRevisions.newRevision(set, 1, 0);
        assertThat(ControllerHistory.dataOf(r).path("spec").path("template").path("$patch").asString())
                .isEqualTo("replace");
        assertThat(r.getMetadata().getLabels()).containsEntry("app", "web");
        StatefulSet changed = StatefulSetUpdaterTest.set(3, "");
        changed.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("img:2");
        StatefulSet restored = StatefulSetRevisions.apply(changed, r);
        assertThat(restored.getSpec().getTemplate()).isEqualTo(set.getSpec().getTemplate());
        assertThat(changed.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("img:2");
        assertThat(ControllerHistory.equalRevision(r, StatefulSetRevisions.newRevision(changed, 2, 0))).isFalse();
        assertThat(ControllerHistory.equalRevision(r, StatefulSetRevisions.newRevision(restored, 2, 0))).isTrue();
    }

    @Test
    void historyKeepsLiveRevisionsAndTheNewestOldOnes() {
        StatefulSet s = StatefulSetUpdaterTest.set(1, "  revisionHistoryLimit: 1\n");
        List<ControllerRevision> revisions = new java.util.ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            StatefulSet v = StatefulSetUpdaterTest.set(1, "");
            v.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("img:" + i);
            revisions.add(StatefulSetRevisions.newRevision(v, i, 0));
        }
        Pod onTwo = StatefulSetPods.newPod(s, 0, revisions.get(1).getMetadata().getName());
        // live: 5 (current and update), 2 (a pod); old: 1, 3, 4 → keep 4
        List<ControllerRevision> delete = StatefulSetController.historyToDelete(s, List.of(onTwo), revisions,
                revisions.get(4), revisions.get(4));
        assertThat(delete).extracting(ControllerRevision::getRevision).containsExactly(1L, 3L);
    }
}
