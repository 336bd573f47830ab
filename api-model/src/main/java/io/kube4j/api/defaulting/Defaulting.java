package io.kube4j.api.defaulting;

import io.fabric8.kubernetes.api.model.ClientIPConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.SessionAffinityConfig;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSetUpdateStrategy;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDaemonSet;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDeployment;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateStatefulSetStrategy;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetPersistentVolumeClaimRetentionPolicy;
import io.fabric8.kubernetes.api.model.apps.StatefulSetSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategy;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Fills unset fields with Kubernetes' defaults ({@code core/v1/defaults.go}, {@code apps/v1/defaults.go},
 * {@code batch/v1/defaults.go}) in place, so stored objects read back as they would from Kubernetes.
 * Metadata is left alone: the apiserver owns it. Applying twice changes nothing more.
 */
public final class Defaulting {

    static final int DEFAULT_MODE = 0644;

    private Defaulting() {
    }

    public static void apply(HasMetadata obj) {
        if (obj instanceof Pod p) {
            if (p.getSpec() != null) {
                podOnly(p.getSpec());
                podSpec(p.getSpec());
            }
        } else if (obj instanceof Service s) {
            service(s);
        } else if (obj instanceof Deployment d) {
            deployment(d);
        } else if (obj instanceof ReplicaSet rs) {
            if (rs.getSpec() != null) {
                rs.getSpec().setReplicas(or(rs.getSpec().getReplicas(), 1));
                template(rs.getSpec().getTemplate());
            }
        } else if (obj instanceof StatefulSet ss) {
            statefulSet(ss);
        } else if (obj instanceof DaemonSet ds) {
            daemonSet(ds);
        } else if (obj instanceof Job j) {
            if (j.getSpec() != null) {
                job(j.getSpec());
                template(j.getSpec().getTemplate());
            }
        } else if (obj instanceof CronJob cj) {
            cronJob(cj);
        } else if (obj instanceof io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler hpa) {
            horizontalPodAutoscaler(hpa);
        } else if (obj instanceof io.fabric8.kubernetes.api.model.PersistentVolume pv) {
            persistentVolume(pv);
        } else if (obj instanceof io.fabric8.kubernetes.api.model.PersistentVolumeClaim pvc) {
            persistentVolumeClaim(pvc);
        } else if (obj instanceof io.fabric8.kubernetes.api.model.storage.StorageClass sc) {
            sc.setReclaimPolicy(or(sc.getReclaimPolicy(), "Delete"));
            sc.setVolumeBindingMode(or(sc.getVolumeBindingMode(), "Immediate"));
        } else if (obj instanceof Secret s) {
            if (s.getType() == null || s.getType().isEmpty()) {
                s.setType("Opaque");
            }
        } else if (obj instanceof Endpoints ep) {
            if (ep.getSubsets() != null) {
                for (EndpointSubset subset : ep.getSubsets()) {
                    if (subset.getPorts() != null) {
                        for (EndpointPort port : subset.getPorts()) {
                            port.setProtocol(or(port.getProtocol(), "TCP"));
                        }
                    }
                }
            }
        } else if (obj instanceof io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration m) {
            WebhookConfigurationDefaulting.apply(m);
        } else if (obj instanceof io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration v) {
            WebhookConfigurationDefaulting.apply(v);
        } else if (obj instanceof io.fabric8.kubernetes.api.model.networking.v1.IngressClass ic) {
            // SetDefaults_IngressClass: a parameters reference without a scope is cluster-scoped
            if (ic.getSpec() != null && ic.getSpec().getParameters() != null) {
                ic.getSpec().getParameters().setScope(or(ic.getSpec().getParameters().getScope(), "Cluster"));
            }
        } else if (obj instanceof EndpointSlice es) {
            if (es.getPorts() != null) {
                es.getPorts().forEach(p -> p.setProtocol(or(p.getProtocol(), "TCP")));
            }
        }
    }

    /** {@code SetDefaults_PersistentVolume}: Retain, Filesystem, and phase Pending until the binder looks at it. */
    private static void persistentVolume(io.fabric8.kubernetes.api.model.PersistentVolume pv) {
        io.fabric8.kubernetes.api.model.PersistentVolumeSpec spec = ensure(pv.getSpec(),
                io.fabric8.kubernetes.api.model.PersistentVolumeSpec::new, pv::setSpec);
        spec.setPersistentVolumeReclaimPolicy(or(spec.getPersistentVolumeReclaimPolicy(), "Retain"));
        spec.setVolumeMode(or(spec.getVolumeMode(), "Filesystem"));
        io.fabric8.kubernetes.api.model.PersistentVolumeStatus status = ensure(pv.getStatus(),
                io.fabric8.kubernetes.api.model.PersistentVolumeStatus::new, pv::setStatus);
        status.setPhase(or(status.getPhase(), "Pending"));
    }

    /** {@code SetDefaults_PersistentVolumeClaim}: Filesystem, and phase Pending until bound. */
    private static void persistentVolumeClaim(io.fabric8.kubernetes.api.model.PersistentVolumeClaim pvc) {
        io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec spec = ensure(pvc.getSpec(),
                io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec::new, pvc::setSpec);
        spec.setVolumeMode(or(spec.getVolumeMode(), "Filesystem"));
        io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatus status = ensure(pvc.getStatus(),
                io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatus::new, pvc::setStatus);
        status.setPhase(or(status.getPhase(), "Pending"));
    }

    /** Pod-level defaults that Kubernetes applies to pods but not to pod templates ({@code SetDefaults_Pod}). */
    private static void podOnly(PodSpec spec) {
        // requests default to limits, per resource
        for (List<Container> cs : containerLists(spec)) {
            for (Container c : cs) {
                ResourceRequirements r = c.getResources();
                if (r != null && r.getLimits() != null && !r.getLimits().isEmpty()) {
                    Map<String, Quantity> requests = r.getRequests() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(r.getRequests());
                    r.getLimits().forEach((k, v) -> requests.putIfAbsent(k, new Quantity(v.getAmount(), v.getFormat())));
                    r.setRequests(requests);
                }
            }
        }
        spec.setEnableServiceLinks(or(spec.getEnableServiceLinks(), true));
        if (Boolean.TRUE.equals(spec.getHostNetwork())) {
            // host-network pods bind their container ports on the host
            for (List<Container> cs : containerLists(spec)) {
                for (Container c : cs) {
                    if (c.getPorts() != null) {
                        for (ContainerPort p : c.getPorts()) {
                            if (p.getHostPort() == null || p.getHostPort() == 0) {
                                p.setHostPort(p.getContainerPort());
                            }
                        }
                    }
                }
            }
        }
    }

    private static void template(PodTemplateSpec template) {
        if (template != null && template.getSpec() != null) {
            podSpec(template.getSpec());
        }
    }

    /** {@code SetDefaults_PodSpec} and the defaults of everything inside a pod spec. */
    static void podSpec(PodSpec spec) {
        spec.setDnsPolicy(or(spec.getDnsPolicy(), "ClusterFirst"));
        spec.setRestartPolicy(or(spec.getRestartPolicy(), "Always"));
        if (spec.getSecurityContext() == null) {
            spec.setSecurityContext(new PodSecurityContext());
        }
        spec.setTerminationGracePeriodSeconds(or(spec.getTerminationGracePeriodSeconds(), 30L));
        spec.setSchedulerName(or(spec.getSchedulerName(), "default-scheduler"));
        for (List<Container> cs : containerLists(spec)) {
            cs.forEach(Defaulting::container);
        }
        if (spec.getVolumes() != null) {
            spec.getVolumes().forEach(Defaulting::volume);
        }
    }

    private static void container(Container c) {
        if (c.getImagePullPolicy() == null || c.getImagePullPolicy().isEmpty()) {
            c.setImagePullPolicy(pullsAlways(c.getImage()) ? "Always" : "IfNotPresent");
        }
        c.setTerminationMessagePath(or(c.getTerminationMessagePath(), "/dev/termination-log"));
        c.setTerminationMessagePolicy(or(c.getTerminationMessagePolicy(), "File"));
        if (c.getPorts() != null) {
            c.getPorts().forEach(p -> p.setProtocol(or(p.getProtocol(), "TCP")));
        }
        if (c.getEnv() != null) {
            for (EnvVar e : c.getEnv()) {
                if (e.getValueFrom() != null && e.getValueFrom().getFieldRef() != null) {
                    e.getValueFrom().getFieldRef().setApiVersion(or(e.getValueFrom().getFieldRef().getApiVersion(), "v1"));
                }
            }
        }
        probe(c.getLivenessProbe());
        probe(c.getReadinessProbe());
        probe(c.getStartupProbe());
    }

    /**
     * Kubernetes pulls always when the image is {@code :latest} or has neither tag nor digest
     * ({@code parsers.ParseImageName} defaults the tag to latest).
     */
    static boolean pullsAlways(String image) {
        if (image == null || image.isEmpty()) {
            return true;
        }
        String ref = image;
        boolean digest = false;
        int at = ref.indexOf('@');
        if (at >= 0) {
            digest = true;
            ref = ref.substring(0, at);
        }
        int slash = ref.lastIndexOf('/');
        int colon = ref.lastIndexOf(':');
        String tag = colon > slash ? ref.substring(colon + 1) : null;
        if (tag == null) {
            return !digest;
        }
        return tag.equals("latest");
    }

    private static void probe(Probe p) {
        if (p == null) {
            return;
        }
        p.setTimeoutSeconds(or(p.getTimeoutSeconds(), 1));
        p.setPeriodSeconds(or(p.getPeriodSeconds(), 10));
        p.setSuccessThreshold(or(p.getSuccessThreshold(), 1));
        p.setFailureThreshold(or(p.getFailureThreshold(), 3));
        HTTPGetAction http = p.getHttpGet();
        if (http != null) {
            http.setPath(or(http.getPath(), "/"));
            http.setScheme(or(http.getScheme(), "HTTP"));
        }
    }

    private static void volume(Volume v) {
        if (hasNoSource(v)) {
            v.setEmptyDir(new EmptyDirVolumeSource());
        }
        if (v.getSecret() != null) {
            v.getSecret().setDefaultMode(or(v.getSecret().getDefaultMode(), DEFAULT_MODE));
        }
        if (v.getConfigMap() != null) {
            v.getConfigMap().setDefaultMode(or(v.getConfigMap().getDefaultMode(), DEFAULT_MODE));
        }
        if (v.getProjected() != null) {
            v.getProjected().setDefaultMode(or(v.getProjected().getDefaultMode(), DEFAULT_MODE));
        }
        if (v.getDownwardAPI() != null) {
            v.getDownwardAPI().setDefaultMode(or(v.getDownwardAPI().getDefaultMode(), DEFAULT_MODE));
        }
    }

    private static boolean hasNoSource(Volume v) {
        return v.getEmptyDir() == null && v.getHostPath() == null && v.getSecret() == null && v.getConfigMap() == null
                && v.getProjected() == null && v.getDownwardAPI() == null && v.getPersistentVolumeClaim() == null
                && v.getEphemeral() == null && v.getCsi() == null && v.getNfs() == null && v.getImage() == null
                && v.getIscsi() == null && v.getGitRepo() == null && v.getFc() == null && v.getRbd() == null
                && v.getCephfs() == null && v.getGlusterfs() == null && v.getAwsElasticBlockStore() == null
                && v.getGcePersistentDisk() == null && v.getAzureDisk() == null && v.getAzureFile() == null
                && v.getCinder() == null && v.getFlexVolume() == null && v.getFlocker() == null
                && v.getVsphereVolume() == null && v.getQuobyte() == null && v.getPortworxVolume() == null
                && v.getScaleIO() == null && v.getStorageos() == null && v.getPhotonPersistentDisk() == null;
    }

    private static void service(Service s) {
        ServiceSpec spec = s.getSpec();
        if (spec == null) {
            return;
        }
        spec.setSessionAffinity(or(spec.getSessionAffinity(), "None"));
        spec.setType(or(spec.getType(), "ClusterIP"));
        String type = spec.getType();
        if ("ClientIP".equals(spec.getSessionAffinity())) {
            if (spec.getSessionAffinityConfig() == null) {
                spec.setSessionAffinityConfig(new SessionAffinityConfig());
            }
            if (spec.getSessionAffinityConfig().getClientIP() == null) {
                spec.getSessionAffinityConfig().setClientIP(new ClientIPConfig());
            }
            ClientIPConfig c = spec.getSessionAffinityConfig().getClientIP();
            c.setTimeoutSeconds(or(c.getTimeoutSeconds(), 10800));
        }
        if (spec.getPorts() != null) {
            for (ServicePort p : spec.getPorts()) {
                p.setProtocol(or(p.getProtocol(), "TCP"));
                IntOrString t = p.getTargetPort();
                if (t == null || t.getValue() == null || Integer.valueOf(0).equals(t.getValue())
                        || "".equals(t.getValue())) {
                    p.setTargetPort(new IntOrString(p.getPort()));
                }
            }
        }
        if (!"ExternalName".equals(type)) {
            spec.setInternalTrafficPolicy(or(spec.getInternalTrafficPolicy(), "Cluster"));
        }
        if ("NodePort".equals(type) || "LoadBalancer".equals(type)) {
            spec.setExternalTrafficPolicy(or(spec.getExternalTrafficPolicy(), "Cluster"));
        }
        if ("LoadBalancer".equals(type)) {
            spec.setAllocateLoadBalancerNodePorts(or(spec.getAllocateLoadBalancerNodePorts(), true));
        }
    }

    private static void deployment(Deployment d) {
        DeploymentSpec spec = d.getSpec();
        if (spec == null) {
            return;
        }
        spec.setReplicas(or(spec.getReplicas(), 1));
        DeploymentStrategy strategy = ensure(spec.getStrategy(), DeploymentStrategy::new, spec::setStrategy);
        strategy.setType(or(strategy.getType(), "RollingUpdate"));
        if ("RollingUpdate".equals(strategy.getType())) {
            RollingUpdateDeployment ru = ensure(strategy.getRollingUpdate(), RollingUpdateDeployment::new, strategy::setRollingUpdate);
            if (ru.getMaxUnavailable() == null) {
                ru.setMaxUnavailable(new IntOrString("25%"));
            }
            if (ru.getMaxSurge() == null) {
                ru.setMaxSurge(new IntOrString("25%"));
            }
        }
        spec.setRevisionHistoryLimit(or(spec.getRevisionHistoryLimit(), 10));
        spec.setProgressDeadlineSeconds(or(spec.getProgressDeadlineSeconds(), 600));
        template(spec.getTemplate());
    }

    private static void statefulSet(StatefulSet ss) {
        StatefulSetSpec spec = ss.getSpec();
        if (spec == null) {
            return;
        }
        spec.setPodManagementPolicy(or(spec.getPodManagementPolicy(), "OrderedReady"));
        StatefulSetUpdateStrategy us = ensure(spec.getUpdateStrategy(), StatefulSetUpdateStrategy::new, spec::setUpdateStrategy);
        us.setType(or(us.getType(), "RollingUpdate"));
        if ("RollingUpdate".equals(us.getType())) {
            RollingUpdateStatefulSetStrategy ru = ensure(us.getRollingUpdate(), RollingUpdateStatefulSetStrategy::new, us::setRollingUpdate);
            ru.setPartition(or(ru.getPartition(), 0));
        }
        StatefulSetPersistentVolumeClaimRetentionPolicy retention = ensure(spec.getPersistentVolumeClaimRetentionPolicy(),
                StatefulSetPersistentVolumeClaimRetentionPolicy::new, spec::setPersistentVolumeClaimRetentionPolicy);
        retention.setWhenDeleted(or(retention.getWhenDeleted(), "Retain"));
        retention.setWhenScaled(or(retention.getWhenScaled(), "Retain"));
        spec.setReplicas(or(spec.getReplicas(), 1));
        spec.setRevisionHistoryLimit(or(spec.getRevisionHistoryLimit(), 10));
        template(spec.getTemplate());
    }

    private static void daemonSet(DaemonSet ds) {
        DaemonSetSpec spec = ds.getSpec();
        if (spec == null) {
            return;
        }
        DaemonSetUpdateStrategy us = ensure(spec.getUpdateStrategy(), DaemonSetUpdateStrategy::new, spec::setUpdateStrategy);
        us.setType(or(us.getType(), "RollingUpdate"));
        if ("RollingUpdate".equals(us.getType())) {
            RollingUpdateDaemonSet ru = ensure(us.getRollingUpdate(), RollingUpdateDaemonSet::new, us::setRollingUpdate);
            if (ru.getMaxUnavailable() == null) {
                ru.setMaxUnavailable(new IntOrString(1));
            }
            if (ru.getMaxSurge() == null) {
                ru.setMaxSurge(new IntOrString(0));
            }
        }
        spec.setRevisionHistoryLimit(or(spec.getRevisionHistoryLimit(), 10));
        template(spec.getTemplate());
    }

    /**
     * {@code SetDefaults_Job}: with neither set, completions and parallelism are 1; with only
     * completions unset it stays unset (a work-queue job).
     */
    private static void job(JobSpec spec) {
        if (spec.getCompletions() == null && spec.getParallelism() == null) {
            spec.setCompletions(1);
        }
        spec.setParallelism(or(spec.getParallelism(), 1));
        spec.setBackoffLimit(or(spec.getBackoffLimit(), spec.getBackoffLimitPerIndex() != null ? Integer.MAX_VALUE : 6));
        spec.setCompletionMode(or(spec.getCompletionMode(), "NonIndexed"));
        spec.setSuspend(or(spec.getSuspend(), false));
        spec.setPodReplacementPolicy(or(spec.getPodReplacementPolicy(),
                spec.getPodFailurePolicy() != null ? "Failed" : "TerminatingOrFailed"));
    }

    private static void cronJob(CronJob cj) {
        CronJobSpec spec = cj.getSpec();
        if (spec == null) {
            return;
        }
        spec.setConcurrencyPolicy(or(spec.getConcurrencyPolicy(), "Allow"));
        spec.setSuspend(or(spec.getSuspend(), false));
        spec.setSuccessfulJobsHistoryLimit(or(spec.getSuccessfulJobsHistoryLimit(), 3));
        spec.setFailedJobsHistoryLimit(or(spec.getFailedJobsHistoryLimit(), 1));
        if (spec.getJobTemplate() != null && spec.getJobTemplate().getSpec() != null) {
            template(spec.getJobTemplate().getSpec().getTemplate());
        }
    }

    /**
     * autoscaling/v2 SetDefaults_HorizontalPodAutoscaler: minReplicas 1, no metrics means cpu at 80 % of request,
     * and a given behavior gets every unset rule filled (scaleUp: no stabilization, 4 pods or 100 % per 15 s, the
     * larger; scaleDown: 300 s stabilization, 100 % per 15 s). A missing behavior stays missing: the controller then
     * uses its own downscale stabilization window, as Kubernetes'.
     */
    private static void horizontalPodAutoscaler(io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler hpa) {
        var spec = hpa.getSpec();
        if (spec == null) {
            return;
        }
        spec.setMinReplicas(or(spec.getMinReplicas(), 1));
        if (spec.getMetrics() == null || spec.getMetrics().isEmpty()) {
            spec.setMetrics(new java.util.ArrayList<>(List.of(new io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpecBuilder()
                    .withType("Resource").withNewResource().withName("cpu").withNewTarget().withType("Utilization")
                    .withAverageUtilization(80).endTarget().endResource().build())));
        }
        var behavior = spec.getBehavior();
        if (behavior != null) {
            behavior.setScaleUp(scalingRules(behavior.getScaleUp(), 0, List.of(
                    policy("Pods", 4, 15), policy("Percent", 100, 15))));
            behavior.setScaleDown(scalingRules(behavior.getScaleDown(), 300, List.of(policy("Percent", 100, 15))));
        }
    }

    private static io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRules scalingRules(
            io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRules rules, int window,
            List<io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingPolicy> policies) {
        var r = rules == null ? new io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRules() : rules;
        r.setStabilizationWindowSeconds(or(r.getStabilizationWindowSeconds(), window));
        r.setSelectPolicy(or(r.getSelectPolicy(), "Max"));
        if (r.getPolicies() == null || r.getPolicies().isEmpty()) {
            r.setPolicies(new java.util.ArrayList<>(policies));
        }
        return r;
    }

    private static io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingPolicy policy(String type, int value, int period) {
        return new io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingPolicy(period, type, value);
    }

    private static List<List<Container>> containerLists(PodSpec spec) {
        return java.util.stream.Stream.of(spec.getContainers(), spec.getInitContainers())
                .filter(java.util.Objects::nonNull).toList();
    }

    private static <T> T ensure(T value, Supplier<T> create, Consumer<T> set) {
        if (value != null) {
            return value;
        }
        T created = create.get();
        set.accept(created);
        return created;
    }

    private static String or(String value, String dflt) {
        return value == null || value.isEmpty() ? dflt : value;
    }

    private static <T> T or(T value, T dflt) {
        return value == null ? dflt : value;
    }
}
