package io.kube4j.controller.podautoscaler;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.autoscaling.v2.ContainerResourceMetricStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.CrossVersionObjectReference;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerCondition;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricTarget;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricValueStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.ResourceMetricStatus;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.selector.LabelSelector;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.controller.Controller;
import io.kube4j.client.controller.ControllerBuilder;
import io.kube4j.client.controller.Reconciler;
import io.kube4j.client.controller.Request;
import io.kube4j.client.controller.Result;
import io.kube4j.client.informer.ResourceEventHandler;
import io.kube4j.client.informer.SharedIndexInformer;
import io.kube4j.client.util.Clock;
import io.kube4j.controller.podautoscaler.ReplicaCalculator.CalculationException;
import io.kube4j.controller.podautoscaler.ReplicaCalculator.Recommendation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes' HorizontalPodAutoscaler controller ({@code pkg/controller/podautoscaler/horizontal.go}) for
 * autoscaling/v2: every sync period each HPA reads its target's {@code scale}, computes a replica count per metric
 * (Resource and ContainerResource metrics from the resource metrics API, the largest wins), normalizes it (min/max,
 * stabilization, behavior policies), rescales through {@code scale} and writes the status with Kubernetes' conditions
 * and events. Pods, Object and External metrics need a custom or external metrics API, which kube4j does not serve:
 * they make ScalingActive False with a reason saying so.
 */
public final class HorizontalPodAutoscalerController implements Reconciler {

    private static final Logger log = LoggerFactory.getLogger(HorizontalPodAutoscalerController.class);

    /** The event source name, as Kubernetes'. */
    public static final String COMPONENT = "horizontal-pod-autoscaler";
    static final String ABLE_TO_SCALE = "AbleToScale";
    static final String SCALING_ACTIVE = "ScalingActive";
    static final String SCALING_LIMITED = "ScalingLimited";

    /** Emits an event about an HPA (the context's recorder in production). */
    @FunctionalInterface
    public interface Events {
        void event(HasMetadata involved, String type, String reason, String message);
    }

    private final SharedIndexInformer<HorizontalPodAutoscaler> hpaInformer;
    private final SharedIndexInformer<Pod> podInformer;
    private final ResourceClient<HorizontalPodAutoscaler> hpaClient;
    private final ScaleClient scales;
    private final ResourceMetricsSource metrics;
    private final Events events;
    private final Clock clock;
    private final Duration syncPeriod;
    private final ReplicaCalculator calculator;
    private final ScaleNormalizer normalizer;
    private volatile Controller controller;

    public HorizontalPodAutoscalerController(SharedIndexInformer<HorizontalPodAutoscaler> hpaInformer,
            SharedIndexInformer<Pod> podInformer, ResourceClient<HorizontalPodAutoscaler> hpaClient,
            ScaleClient scales, ResourceMetricsSource metrics, Events events, Clock clock,
            HorizontalPodAutoscalerProperties properties) {
        this.hpaInformer = hpaInformer;
        this.podInformer = podInformer;
        this.hpaClient = hpaClient;
        this.scales = scales;
        this.metrics = metrics;
        this.events = events;
        this.clock = clock;
        this.syncPeriod = properties.syncPeriod();
        this.calculator = new ReplicaCalculator(properties.tolerance(), properties.cpuInitializationPeriod(),
                properties.initialReadinessDelay());
        this.normalizer = new ScaleNormalizer(properties.downscaleStabilization());
    }

    /** Builds the controller on {@code builder}; HPA events feed the queue, each sync re-queues its HPA. */
    public Controller register(ControllerBuilder builder) {
        controller = builder.reconciler(this).waitFor(hpaInformer::hasSynced).waitFor(podInformer::hasSynced).build();
        hpaInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(HorizontalPodAutoscaler hpa) {
                controller.enqueue(Request.of(hpa));
            }

            @Override
            public void onUpdate(HorizontalPodAutoscaler oldHpa, HorizontalPodAutoscaler curHpa) {
                // status writes come back here too; only a spec change needs an early sync
                if (!Objects.equals(oldHpa.getSpec(), curHpa.getSpec())) {
                    controller.enqueue(Request.of(curHpa));
                }
            }

            @Override
            public void onDelete(HorizontalPodAutoscaler hpa, boolean finalStateUnknown) {
                controller.enqueue(Request.of(hpa));
            }
        });
        return controller;
    }

    @Override
    public Result reconcile(Request request) throws Exception {
        String key = request.namespace() + "/" + request.name();
        HorizontalPodAutoscaler shared = hpaInformer.lister().get(request.namespace(), request.name());
        if (shared == null) {
            normalizer.forget(key);
            return Result.done();
        }
        HorizontalPodAutoscaler hpa = Codecs.json().treeToValue(Codecs.json().valueToTree(shared),
                HorizontalPodAutoscaler.class);
        try {
            reconcileAutoscaler(key, hpa, shared.getStatus());
        } catch (SyncException e) {
            log.debug("hpa {}: {}", key, e.getMessage());
        }
        return Result.requeueAfter(syncPeriod);
    }

    /** A failure already recorded in the HPA's conditions and events: retried at the next sync period. */
    private static final class SyncException extends Exception {
        SyncException(String message) {
            super(message);
        }
    }

    private void reconcileAutoscaler(String key, HorizontalPodAutoscaler hpa, HorizontalPodAutoscalerStatus original)
            throws SyncException {
        Instant now = clock.now();
        if (hpa.getStatus() == null) {
            hpa.setStatus(new HorizontalPodAutoscalerStatus());
        }
        CrossVersionObjectReference ref = hpa.getSpec().getScaleTargetRef();
        String ns = hpa.getMetadata().getNamespace();
        String reference = ref.getKind() + "/" + ref.getName();
        ScaleTarget scale;
        try {
            scale = scales.get(ns, ref.getApiVersion(), ref.getKind(), ref.getName());
        } catch (RuntimeException e) {
            String msg = message(e);
            setCondition(hpa, ABLE_TO_SCALE, "False", "FailedGetScale",
                    "the HPA controller was unable to get the target's current scale: " + msg, now);
            events.event(hpa, "Warning", "FailedGetScale", msg);
            writeStatus(hpa, original);
            throw new SyncException("failed to query scale subresource for " + reference + ": " + msg);
        }
        setCondition(hpa, ABLE_TO_SCALE, "True", "SucceededGetScale",
                "the HPA controller was able to get the target's current scale", now);
        int current = scale.specReplicas();
        normalizer.recordInitialRecommendation(key, current, now);

        int min = hpa.getSpec().getMinReplicas() == null ? 1 : hpa.getSpec().getMinReplicas();
        int max = hpa.getSpec().getMaxReplicas() == null ? min : hpa.getSpec().getMaxReplicas();
        int desired = 0;
        String rescaleReason = "";
        boolean rescale = true;
        List<MetricStatus> statuses = List.of();
        if (current == 0 && min != 0) {
            desired = 0;
            rescale = false;
            setCondition(hpa, SCALING_ACTIVE, "False", "ScalingDisabled",
                    "scaling is disabled since the replica count of the target is zero", now);
        } else if (current > max) {
            rescaleReason = "Current number of replicas above Spec.MaxReplicas";
            desired = max;
        } else if (current < min) {
            rescaleReason = "Current number of replicas below Spec.MinReplicas";
            desired = min;
        } else {
            MetricsOutcome m = computeReplicasForMetrics(hpa, scale, now);
            statuses = m.statuses;
            if (m.replicas < 0) {
                setStatus(hpa, current, hpa.getStatus().getDesiredReplicas() == null ? current
                        : hpa.getStatus().getDesiredReplicas(), statuses, false, now);
                writeStatus(hpa, original);
                throw new SyncException("failed to compute desired number of replicas based on listed metrics for "
                        + reference + ": " + m.error);
            }
            desired = m.replicas;
            if (desired > current) {
                rescaleReason = m.metricName + " above target";
            } else if (desired < current) {
                rescaleReason = "All metrics below target";
            }
            ScaleNormalizer.Outcome o = hpa.getSpec().getBehavior() == null
                    ? normalizer.normalize(key, current, desired, min, max, now)
                    : normalizer.normalize(key, hpa.getSpec().getBehavior(), current, desired, min, max, now);
            setCondition(hpa, ABLE_TO_SCALE, "True", o.ableReason(), o.ableMessage(), now);
            setCondition(hpa, SCALING_LIMITED, o.limited() ? "True" : "False", o.limitReason(), o.limitMessage(), now);
            desired = o.replicas();
            rescale = desired != current;
        }

        if (rescale) {
            try {
                scales.update(ns, ref.getApiVersion(), ref.getKind(), ref.getName(), desired);
            } catch (RuntimeException e) {
                String msg = message(e);
                events.event(hpa, "Warning", "FailedRescale",
                        "New size: " + desired + "; reason: " + rescaleReason + "; error: " + msg);
                setCondition(hpa, ABLE_TO_SCALE, "False", "FailedUpdateScale",
                        "the HPA controller was unable to update the target scale: " + msg, now);
                setStatus(hpa, current, hpa.getStatus().getDesiredReplicas() == null ? current
                        : hpa.getStatus().getDesiredReplicas(), statuses, false, now);
                writeStatus(hpa, original);
                throw new SyncException("failed to rescale " + reference + ": " + msg);
            }
            setCondition(hpa, ABLE_TO_SCALE, "True", "SucceededRescale",
                    "the HPA controller was able to update the target scale to " + desired, now);
            events.event(hpa, "Normal", "SuccessfulRescale", "New size: " + desired + "; reason: " + rescaleReason);
            normalizer.storeScaleEvent(key, hpa.getSpec().getBehavior(), current, desired, now);
            log.info("hpa {}: {} rescaled {} -> {} ({})", key, reference, current, desired, rescaleReason);
        } else {
            desired = current;
        }
        setStatus(hpa, current, desired, statuses, rescale, now);
        writeStatus(hpa, original);
    }

    private record MetricsOutcome(int replicas, String metricName, List<MetricStatus> statuses, String error) {
    }

    private MetricsOutcome computeReplicasForMetrics(HorizontalPodAutoscaler hpa, ScaleTarget scale, Instant now) {
        List<MetricSpec> specs = hpa.getSpec().getMetrics() == null ? List.of() : hpa.getSpec().getMetrics();
        List<MetricStatus> statuses = new ArrayList<>();
        if (scale.selector().isEmpty()) {
            String msg = "selector is required";
            events.event(hpa, "Warning", "SelectorRequired", msg);
            setCondition(hpa, SCALING_ACTIVE, "False", "InvalidSelector",
                    "the HPA target's scale is missing a selector", now);
            return new MetricsOutcome(-1, "", statuses, msg);
        }
        LabelSelector selector;
        try {
            selector = LabelSelector.parse(scale.selector());
        } catch (RuntimeException e) {
            String msg = "couldn't convert selector into a corresponding internal selector object: " + message(e);
            events.event(hpa, "Warning", "InvalidSelector", msg);
            setCondition(hpa, SCALING_ACTIVE, "False", "InvalidSelector",
                    "the HPA target's scale has an invalid selector: " + message(e), now);
            return new MetricsOutcome(-1, "", statuses, msg);
        }
        int replicas = 0;
        String metric = "";
        int invalid = 0;
        String[] invalidCondition = null;
        String invalidError = null;
        int current = scale.specReplicas();
        for (MetricSpec spec : specs) {
            MetricResult r = computeReplicasForMetric(hpa, spec, selector, current, now);
            statuses.add(r.status);
            if (r.error != null) {
                if (invalid == 0) {
                    invalidCondition = r.condition;
                    invalidError = r.error;
                }
                invalid++;
                continue;
            }
            if (replicas == 0 || r.replicas > replicas) {
                replicas = r.replicas;
                metric = r.name;
            }
        }
        if (invalid >= specs.size() || (invalid > 0 && replicas < current)) {
            // with a metric unreadable, never scale down on the others (it might be the one that needs more pods)
            if (invalidCondition != null) {
                setCondition(hpa, SCALING_ACTIVE, "False", invalidCondition[0], invalidCondition[1], now);
            }
            return new MetricsOutcome(-1, metric, statuses, invalidError == null ? "no metrics" : invalidError);
        }
        setCondition(hpa, SCALING_ACTIVE, "True", "ValidMetricFound",
                "the HPA was able to successfully calculate a replica count from " + metric, now);
        return new MetricsOutcome(replicas, metric, statuses, null);
    }

    private record MetricResult(int replicas, String name, MetricStatus status, String[] condition, String error) {
        static MetricResult failed(MetricSpec spec, String reason, String error) {
            MetricStatus empty = new MetricStatus();
            empty.setType(spec.getType());
            return new MetricResult(-1, "", empty,
                    new String[] {reason, "the HPA was unable to compute the replica count: " + error}, error);
        }
    }

    private MetricResult computeReplicasForMetric(HorizontalPodAutoscaler hpa, MetricSpec spec, LabelSelector selector,
            int current, Instant now) {
        String type = spec.getType() == null ? "" : spec.getType();
        switch (type) {
            case "Resource", "ContainerResource" -> {
                boolean container = type.equals("ContainerResource");
                String resource = container ? spec.getContainerResource().getName() : spec.getResource().getName();
                String containerName = container ? spec.getContainerResource().getContainer() : null;
                MetricTarget target = container ? spec.getContainerResource().getTarget() : spec.getResource().getTarget();
                String reason = container ? "FailedGetContainerResourceMetric" : "FailedGetResourceMetric";
                try {
                    return resourceMetric(hpa, type, resource, containerName, target, selector, current, now);
                } catch (CalculationException | RuntimeException e) {
                    String error = (e instanceof CalculationException ? "" : "unable to get metrics for resource "
                            + resource + ": ") + message(e);
                    events.event(hpa, "Warning", reason, error);
                    return MetricResult.failed(spec, reason, error);
                }
            }
            case "Pods", "Object", "External" -> {
                String reason = "FailedGet" + (type.equals("Pods") ? "Pods" : type) + "Metric";
                String api = type.equals("External") ? "external.metrics.k8s.io" : "custom.metrics.k8s.io";
                String error = "unable to fetch metrics from " + (type.equals("External") ? "external" : "custom")
                        + " metrics API: kube4j serves no " + api + " API (only metrics.k8s.io resource metrics)";
                events.event(hpa, "Warning", reason, error);
                return MetricResult.failed(spec, reason, error);
            }
            default -> {
                String error = "unknown metric source type \"" + type + "\"";
                events.event(hpa, "Warning", "InvalidMetricSourceType", error);
                return MetricResult.failed(spec, "InvalidMetricSourceType", error);
            }
        }
    }

    private MetricResult resourceMetric(HorizontalPodAutoscaler hpa, String type, String resource, String container,
            MetricTarget target, LabelSelector selector, int current, Instant now) throws CalculationException {
        String ns = hpa.getMetadata().getNamespace();
        Map<String, PodMetric> podMetrics = metrics.podMetrics(ns, selector, resource, container);
        if (podMetrics.isEmpty()) {
            throw new CalculationException("unable to get metrics for resource " + resource
                    + ": no metrics returned from resource metrics API");
        }
        List<Pod> pods = podInformer.lister().list(ns, selector);
        MetricValueStatus currentValue = new MetricValueStatus();
        String name;
        Recommendation r;
        if (target != null && target.getAverageValue() != null) {
            r = calculator.averageValueReplicas(current, ApiResourceMetricsSource.milli(target.getAverageValue()),
                    resource, pods, podMetrics, now);
            currentValue.setAverageValue(milliQuantity(r.averageMilli()));
            name = resource + " resource";
        } else if (target != null && target.getAverageUtilization() != null) {
            r = calculator.utilizationReplicas(current, target.getAverageUtilization(), resource, container, pods,
                    podMetrics, now);
            currentValue.setAverageUtilization(r.utilization());
            currentValue.setAverageValue(milliQuantity(r.averageMilli()));
            name = resource + " resource utilization (percentage of request)";
        } else {
            throw new CalculationException("invalid resource metric source: neither a utilization target nor a value"
                    + " target set");
        }
        if (container != null) {
            name = resource + " container resource" + (name.contains("utilization")
                    ? " utilization (percentage of request)" : "");
        }
        MetricStatus status = new MetricStatus();
        status.setType(type);
        if (container != null) {
            status.setContainerResource(new ContainerResourceMetricStatus(container, currentValue, resource));
        } else {
            status.setResource(new ResourceMetricStatus(currentValue, resource));
        }
        return new MetricResult(r.replicas(), name, status, null, null);
    }

    /** A quantity of {@code milli} thousandths, printed as Kubernetes' DecimalSI ({@code 250m}, {@code 2}, {@code 64Mi} stays {@code 67108864}). */
    static Quantity milliQuantity(long milli) {
        if (milli % 1000 == 0) {
            return new Quantity(String.valueOf(milli / 1000));
        }
        return new Quantity(milli + "m");
    }

    private void setStatus(HorizontalPodAutoscaler hpa, int current, int desired, List<MetricStatus> metrics,
            boolean rescale, Instant now) {
        HorizontalPodAutoscalerStatus s = hpa.getStatus();
        s.setCurrentReplicas(current);
        s.setDesiredReplicas(desired);
        s.setCurrentMetrics(metrics.isEmpty() ? null : new ArrayList<>(metrics));
        s.setObservedGeneration(hpa.getMetadata().getGeneration());
        if (rescale) {
            s.setLastScaleTime(rfc3339(now));
        }
    }

    /** Kubernetes' setConditionInList: the transition time moves only when the status does. */
    static void setCondition(HorizontalPodAutoscaler hpa, String type, String status, String reason, String message,
            Instant now) {
        List<HorizontalPodAutoscalerCondition> conditions = hpa.getStatus().getConditions() == null
                ? new ArrayList<>() : new ArrayList<>(hpa.getStatus().getConditions());
        HorizontalPodAutoscalerCondition c = conditions.stream().filter(x -> type.equals(x.getType())).findFirst()
                .orElse(null);
        if (c == null) {
            c = new HorizontalPodAutoscalerCondition();
            c.setType(type);
            conditions.add(c);
        }
        if (!status.equals(c.getStatus()) || c.getLastTransitionTime() == null) {
            c.setLastTransitionTime(rfc3339(now));
        }
        c.setStatus(status);
        c.setReason(reason);
        c.setMessage(message);
        hpa.getStatus().setConditions(conditions);
    }

    private void writeStatus(HorizontalPodAutoscaler hpa, HorizontalPodAutoscalerStatus original) {
        if (Objects.equals(Codecs.json().valueToTree(hpa.getStatus()),
                original == null ? null : Codecs.json().valueToTree(original))) {
            return;
        }
        try {
            hpaClient.updateStatus(hpa).block(Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            // the next sync recomputes it; a conflict means someone else wrote the HPA meanwhile
            events.event(hpa, "Warning", "FailedUpdateStatus", message(e));
            log.info("hpa {}/{}: status update failed: {}", hpa.getMetadata().getNamespace(),
                    hpa.getMetadata().getName(), message(e));
        }
    }

    /** metav1.Time: RFC 3339 to the second, as the API writes times. */
    private static String rfc3339(Instant t) {
        return t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
