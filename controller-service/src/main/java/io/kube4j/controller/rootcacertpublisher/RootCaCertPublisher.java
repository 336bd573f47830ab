package io.kube4j.controller.rootcacertpublisher;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.controller.Controller;
import io.kube4j.client.controller.Reconciler;
import io.kube4j.client.controller.Request;
import io.kube4j.client.controller.Result;
import io.kube4j.client.controller.Startable;
import io.kube4j.client.informer.Lister;
import io.kube4j.client.informer.ResourceEventHandler;
import io.kube4j.client.informer.SharedIndexInformer;
import io.kube4j.controller.common.ApiErrors;
import io.kube4j.controller.manager.ControllerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes' root CA certificate publisher ({@code pkg/controller/certificates/rootcacertpublisher}): every namespace
 * has the ConfigMap {@code kube-root-ca.crt} whose {@code ca.crt} is the cluster CA bundle, with the
 * {@code kubernetes.io/description} annotation. A missing one is created, a changed one is set back (other data
 * keys are removed; binaryData, labels and other annotations are kept, as Kubernetes does); pods read it through
 * their ServiceAccount volume.
 */
public final class RootCaCertPublisher implements Reconciler, Startable {

    static final String NAME = "root-ca-cert-publisher";
    /** The ConfigMap's name, Kubernetes' {@code RootCACertConfigMapName}. */
    public static final String CONFIG_MAP = "kube-root-ca.crt";
    static final String KEY = "ca.crt";
    static final String DESCRIPTION_ANNOTATION = "kubernetes.io/description";
    static final String DESCRIPTION = "Contains a CA bundle that can be used to verify the kube-apiserver when using "
            + "internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is "
            + "guaranteed across distributions of Kubernetes clusters.";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(RootCaCertPublisher.class);

    private final String rootCa;
    private final Lister<Namespace> namespaces;
    private final Lister<ConfigMap> configMaps;
    private final ResourceClient<ConfigMap> client;
    private final Controller controller;

    public RootCaCertPublisher(ControllerContext context, String rootCa) {
        this.rootCa = Objects.requireNonNull(rootCa);
        SharedIndexInformer<Namespace> nsInformer = context.informer(Namespace.class);
        SharedIndexInformer<ConfigMap> cmInformer = context.informer(ConfigMap.class);
        this.namespaces = nsInformer.lister();
        this.configMaps = cmInformer.lister();
        this.client = context.client().resources(ConfigMap.class);
        this.controller = context.controller(NAME).reconciler(this).workers(1)
                .waitFor(nsInformer::hasSynced).waitFor(cmInformer::hasSynced).build();
        nsInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Namespace ns) {
                enqueue(ns.getMetadata().getName());
            }

            @Override
            public void onUpdate(Namespace oldNs, Namespace ns) {
                enqueue(ns.getMetadata().getName());
            }
        });
        cmInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onUpdate(ConfigMap oldCm, ConfigMap cm) {
                if (CONFIG_MAP.equals(cm.getMetadata().getName()) && !upToDate(cm)) {
                    enqueue(cm.getMetadata().getNamespace());
                }
            }

            @Override
            public void onDelete(ConfigMap cm, boolean finalStateUnknown) {
                if (CONFIG_MAP.equals(cm.getMetadata().getName())) {
                    enqueue(cm.getMetadata().getNamespace());
                }
            }
        });
    }

    private void enqueue(String namespace) {
        controller.enqueue(new Request(null, namespace));
    }

    /** Whether {@code cm} holds exactly the bundle and the description annotation. */
    boolean upToDate(ConfigMap cm) {
        return Map.of(KEY, rootCa).equals(cm.getData())
                && cm.getMetadata().getAnnotations() != null
                && cm.getMetadata().getAnnotations().get(DESCRIPTION_ANNOTATION) != null
                && !cm.getMetadata().getAnnotations().get(DESCRIPTION_ANNOTATION).isEmpty();
    }

    /** {@code request}: a namespace's name. */
    @Override
    public Result reconcile(Request request) {
        String namespace = request.name();
        Namespace ns = namespaces.get(null, namespace);
        if (ns == null || ns.getMetadata().getDeletionTimestamp() != null) {
            return Result.done(); // gone or terminating: nothing new is created there
        }
        ConfigMap cm = configMaps.get(namespace, CONFIG_MAP);
        try {
            if (cm == null) {
                client.create(new ConfigMapBuilder().withNewMetadata().withNamespace(namespace).withName(CONFIG_MAP)
                        .addToAnnotations(DESCRIPTION_ANNOTATION, DESCRIPTION).endMetadata()
                        .addToData(KEY, rootCa).build()).block(TIMEOUT);
                log.info("published {} in namespace {}", CONFIG_MAP, namespace);
            } else if (!upToDate(cm)) {
                client.updateWithRetry(namespace, CONFIG_MAP, this::withBundle, false).block(TIMEOUT);
                log.info("updated {} in namespace {}", CONFIG_MAP, namespace);
            }
        } catch (ApiStatusException.AlreadyExists e) {
            // the cache had not seen it yet: its add event brings us back if it differs
        } catch (ApiStatusException.NotFound e) {
            // the namespace (or, on update, the ConfigMap) went meanwhile: the informers bring us back if needed
        } catch (ApiStatusException e) {
            if (!ApiErrors.namespaceTerminating(e)) {
                throw e;
            }
        }
        return Result.done();
    }

    private ConfigMap withBundle(ConfigMap cm) {
        cm.setData(new LinkedHashMap<>(Map.of(KEY, rootCa)));
        Map<String, String> annotations = cm.getMetadata().getAnnotations() == null ? new LinkedHashMap<>()
                : new LinkedHashMap<>(cm.getMetadata().getAnnotations());
        annotations.put(DESCRIPTION_ANNOTATION, DESCRIPTION);
        cm.getMetadata().setAnnotations(annotations);
        return cm;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void start() {
        controller.start();
    }

    @Override
    public void stop() throws InterruptedException {
        controller.stop();
    }
}
