package io.kube4j.apiserver.registry;

import java.util.LinkedHashMap;
import java.util.Map;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kube4j.apiserver.admission.PriorityClasses;

/**
 * What the apiserver does to a Job on create, as Kubernetes' {@code pkg/registry/batch/job/strategy.go}
 * {@code PrepareForCreate}: unless {@code spec.manualSelector} is true, the selector and the template's labels are
 * generated from the Job's uid and name ({@code generateSelector}), so a Job's pods are its own even when two Jobs share
 * a template. kube4j adds Borg's policy from issue 13: a Job whose pod template names neither a priority class nor a
 * priority gets the {@code batch} class, so prod services preempt batch work. It is set here, on the stored Job, not
 * on the pods the controller creates, so that {@code kubectl get job -o yaml} shows the class the pods will run
 * with, Jobs made by the CronJob controller or by any other client get it alike, and the pod admission resolves the
 * class's value as for any other pod.
 */
public final class JobStrategy {

    public static final String CONTROLLER_UID_LABEL = "batch.kubernetes.io/controller-uid";
    public static final String LEGACY_CONTROLLER_UID_LABEL = "controller-uid";
    public static final String JOB_NAME_LABEL = "batch.kubernetes.io/job-name";
    public static final String LEGACY_JOB_NAME_LABEL = "job-name";

    private JobStrategy() {
    }

    /** Generates the selector and template labels (unless manualSelector) and defaults the priority class. */
    public static void prepareForCreate(Job job) {
        if (job.getSpec() == null) {
            return; // validation answers the missing spec
        }
        if (!Boolean.TRUE.equals(job.getSpec().getManualSelector())) {
            generateSelector(job);
        }
        PodTemplateSpec template = job.getSpec().getTemplate();
        if (template != null && template.getSpec() != null) {
            PodSpec spec = template.getSpec();
            if ((spec.getPriorityClassName() == null || spec.getPriorityClassName().isEmpty())
                    && spec.getPriority() == null) {
                spec.setPriorityClassName(PriorityClasses.BATCH);
            }
        }
    }

    /** Kubernetes' generateSelector: labels already set by the user are kept (validation then rejects a mismatch). */
    static void generateSelector(Job job) {
        String uid = job.getMetadata().getUid();
        String name = job.getMetadata().getName();
        PodTemplateSpec template = job.getSpec().getTemplate();
        if (template == null) {
            template = new PodTemplateSpec();
            job.getSpec().setTemplate(template);
        }
        if (template.getMetadata() == null) {
            template.setMetadata(new ObjectMeta());
        }
        Map<String, String> labels = template.getMetadata().getLabels() == null ? new LinkedHashMap<>()
                : new LinkedHashMap<>(template.getMetadata().getLabels());
        labels.putIfAbsent(LEGACY_CONTROLLER_UID_LABEL, uid);
        labels.putIfAbsent(CONTROLLER_UID_LABEL, uid);
        // job-name is unique except when a Job is re-created under the same name: the uid label tells them apart
        labels.putIfAbsent(LEGACY_JOB_NAME_LABEL, name);
        labels.putIfAbsent(JOB_NAME_LABEL, name);
        template.getMetadata().setLabels(labels);
        LabelSelector selector = job.getSpec().getSelector();
        if (selector == null) {
            selector = new LabelSelector();
            job.getSpec().setSelector(selector);
        }
        Map<String, String> match = selector.getMatchLabels() == null ? new LinkedHashMap<>()
                : new LinkedHashMap<>(selector.getMatchLabels());
        match.putIfAbsent(CONTROLLER_UID_LABEL, uid);
        selector.setMatchLabels(match);
    }
}
