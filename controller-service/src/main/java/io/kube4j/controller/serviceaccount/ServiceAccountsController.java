package io.kube4j.controller.serviceaccount;

import java.util.ArrayList;
import java.util.List;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
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
 * Kubernetes' service accounts controller: every active namespace has the configured ServiceAccounts
 * ({@code default}); a namespace that appears or changes, or one of whose ServiceAccounts is deleted, is looked at and
 * what is missing is created. Terminating namespaces are left alone. (Token secrets are not this controller's work.)
 */
public final class ServiceAccountsController implements Reconciler, Startable {

    static final String NAME = "serviceaccount";
    private static final Logger log = LoggerFactory.getLogger(ServiceAccountsController.class);

    private final Lister<Namespace> namespaces;
    private final Lister<ServiceAccount> serviceAccounts;
    private final ResourceClient<ServiceAccount> client;
    private final List<String> ensure;
    private final Controller controller;

    public ServiceAccountsController(ControllerContext context, ServiceAccountControllerProperties props) {
        SharedIndexInformer<Namespace> nsInformer = context.informer(Namespace.class);
        SharedIndexInformer<ServiceAccount> saInformer = context.informer(ServiceAccount.class);
        this.namespaces = nsInformer.lister();
        this.serviceAccounts = saInformer.lister();
        this.client = context.client().resources(ServiceAccount.class);
        this.ensure = props.serviceAccounts();
        this.controller = context.controller(NAME).reconciler(this).workers(props.concurrentSyncs())
                .waitFor(nsInformer::hasSynced).waitFor(saInformer::hasSynced).build();
        nsInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Namespace ns) {
                controller.enqueue(new Request(null, ns.getMetadata().getName()));
            }

            @Override
            public void onUpdate(Namespace oldNs, Namespace ns) {
                controller.enqueue(new Request(null, ns.getMetadata().getName()));
            }
        });
        saInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onDelete(ServiceAccount sa, boolean finalStateUnknown) {
                if (ensure.contains(sa.getMetadata().getName())) {
                    controller.enqueue(new Request(null, sa.getMetadata().getNamespace()));
                }
            }
        });
    }

    /** {@code request}: a namespace's name. */
    @Override
    public Result reconcile(Request request) {
        Namespace ns = namespaces.get(null, request.name());
        if (ns == null || ns.getMetadata().getDeletionTimestamp() != null || ns.getStatus() == null
                || !"Active".equals(ns.getStatus().getPhase())) {
            return Result.done(); // nothing is created in a namespace that is not active
        }
        String namespace = ns.getMetadata().getName();
        List<String> failures = new ArrayList<>();
        for (String name : ensure) {
            if (serviceAccounts.get(namespace, name) != null) {
                continue;
            }
            ServiceAccount sa = new ServiceAccountBuilder().withNewMetadata().withNamespace(namespace).withName(name)
                    .endMetadata().build();
            try {
                client.create(sa).block(java.time.Duration.ofSeconds(30));
                log.info("created ServiceAccount {}/{}", namespace, name);
            } catch (ApiStatusException.AlreadyExists e) {
                // the cache had not seen it yet
            } catch (ApiStatusException e) {
                if (!namespaceTerminating(e)) {
                    failures.add(name + ": " + e.getMessage());
                }
            }
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("namespace " + namespace + ": could not create ServiceAccounts: "
                    + String.join("; ", failures));
        }
        return Result.done();
    }

    /** The apiserver refused because the namespace began terminating: not a failure (Kubernetes ignores it too). */
    static boolean namespaceTerminating(ApiStatusException e) {
        return ApiErrors.namespaceTerminating(e);
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
