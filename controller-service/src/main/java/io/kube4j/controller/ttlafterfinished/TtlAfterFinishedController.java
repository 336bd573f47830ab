package io.kube4j.controller.ttlafterfinished;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.controller.Controller;
import io.kube4j.client.controller.ControllerBuilder;
import io.kube4j.client.controller.Reconciler;
import io.kube4j.client.controller.Request;
import io.kube4j.client.controller.Result;
import io.kube4j.client.informer.ResourceEventHandler;
import io.kube4j.client.informer.SharedIndexInformer;
import io.kube4j.client.util.Clock;
import io.kube4j.controller.job.Jobs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes' TTL-after-finished controller ({@code pkg/controller/ttlafterfinished}): a Job with
 * {@code ttlSecondsAfterFinished} is deleted that long after it finished (Complete or Failed), with foreground
 * propagation so its pods go first, as Kubernetes. Before deleting, the Job is re-read from the apiserver (not the
 * cache) and re-checked, since a user may have changed the TTL meanwhile, and the delete carries the read
 * resourceVersion as a precondition. Time comes from the injectable clock; a Job not yet expired is requeued for the
 * moment it expires.
 */
public final class TtlAfterFinishedController implements Reconciler {

    private static final Logger log = LoggerFactory.getLogger(TtlAfterFinishedController.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final SharedIndexInformer<Job> jobInformer;
    private final ResourceClient<Job> jobClient;
    private final Clock clock;
    private volatile Controller controller;

    public TtlAfterFinishedController(SharedIndexInformer<Job> jobInformer, ResourceClient<Job> jobClient,
            Clock clock) {
        this.jobInformer = jobInformer;
        this.jobClient = jobClient;
        this.clock = clock;
    }

    /** Builds the controller on {@code builder} and registers the Job handlers that feed its queue. */
    public Controller register(ControllerBuilder builder) {
        controller = builder.reconciler(this).waitFor(jobInformer::hasSynced).build();
        jobInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Job job) {
                enqueueIfCleanable(job);
            }

            @Override
            public void onUpdate(Job oldJob, Job curJob) {
                enqueueIfCleanable(curJob);
            }

            @Override
            public void onDelete(Job job, boolean finalStateUnknown) {
            }
        });
        return controller;
    }

    private void enqueueIfCleanable(Job job) {
        if (needsCleanup(job)) {
            controller.enqueue(Request.of(job));
        }
    }

    /** A finished Job with a TTL that is not already being deleted. */
    static boolean needsCleanup(Job job) {
        return job.getSpec() != null && job.getSpec().getTtlSecondsAfterFinished() != null
                && job.getMetadata().getDeletionTimestamp() == null && Jobs.finished(job);
    }

    /** How long until {@code job} expires (zero or negative: now); null when it has no finish time. */
    static Duration timeLeft(Job job, Instant now) {
        Instant finished = Jobs.finishTime(job);
        if (finished == null) {
            return null;
        }
        return Duration.between(now, finished.plusSeconds(job.getSpec().getTtlSecondsAfterFinished()));
    }

    @Override
    public Result reconcile(Request request) {
        Job cached = jobInformer.lister().get(request.namespace(), request.name());
        if (cached == null || !needsCleanup(cached)) {
            return Result.done();
        }
        Duration left = timeLeft(cached, clock.now());
        if (left == null) {
            return Result.done();
        }
        if (left.compareTo(Duration.ZERO) > 0) {
            return Result.requeueAfter(left);
        }
        // the cache may be stale (a TTL raised meanwhile): decide again on the apiserver's copy
        Job fresh;
        try {
            fresh = jobClient.get(request.namespace(), request.name()).block(TIMEOUT);
        } catch (ApiStatusException.NotFound e) {
            return Result.done();
        }
        if (fresh == null || !needsCleanup(fresh)
                || !Objects.equals(fresh.getMetadata().getUid(), cached.getMetadata().getUid())) {
            return Result.done();
        }
        left = timeLeft(fresh, clock.now());
        if (left == null) {
            return Result.done();
        }
        if (left.compareTo(Duration.ZERO) > 0) {
            return Result.requeueAfter(left);
        }
        log.info("deleting Job {}/{}: finished more than {}s ago", request.namespace(), request.name(),
                fresh.getSpec().getTtlSecondsAfterFinished());
        try {
            jobClient.delete(request.namespace(), request.name(), new DeleteOptions(null, "Foreground",
                    fresh.getMetadata().getUid(), fresh.getMetadata().getResourceVersion())).block(TIMEOUT);
        } catch (ApiStatusException.NotFound e) {
            // gone already
        }
        return Result.done();
    }
}
