package io.kube4j.controller.clusterroleaggregation;

import java.time.Duration;
import java.util.List;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
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
import io.kube4j.controller.manager.ControllerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes' ClusterRole aggregation controller ({@code pkg/controller/clusterroleaggregation}): a ClusterRole with
 * an {@code aggregationRule} gets as its rules the union of the rules of the ClusterRoles its selectors match
 * ({@link ClusterRoleAggregation}). Any ClusterRole change queues every aggregated ClusterRole, as Kubernetes does.
 * Kubernetes writes with server-side apply; here the rules are set by an update (retried on conflict).
 */
public final class ClusterRoleAggregationController implements Reconciler, Startable {

    static final String NAME = "clusterrole-aggregation";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(ClusterRoleAggregationController.class);

    private final Lister<ClusterRole> clusterRoles;
    private final ResourceClient<ClusterRole> client;
    private final Controller controller;

    public ClusterRoleAggregationController(ControllerContext context, int workers) {
        SharedIndexInformer<ClusterRole> informer = context.informer(ClusterRole.class);
        this.clusterRoles = informer.lister();
        this.client = context.client().resources(ClusterRole.class);
        this.controller = context.controller(NAME).reconciler(this).workers(workers).waitFor(informer::hasSynced)
                .build();
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ClusterRole role) {
                enqueueAggregated();
            }

            @Override
            public void onUpdate(ClusterRole oldRole, ClusterRole role) {
                enqueueAggregated();
            }

            @Override
            public void onDelete(ClusterRole role, boolean finalStateUnknown) {
                enqueueAggregated();
            }
        });
    }

    /** Only the aggregated ClusterRoles are queued (a cluster has many ClusterRoles and few aggregated ones). */
    private void enqueueAggregated() {
        for (ClusterRole role : clusterRoles.list((String) null)) {
            if (role.getAggregationRule() != null) {
                controller.enqueue(new Request(null, role.getMetadata().getName()));
            }
        }
    }

    /** {@code request}: an aggregated ClusterRole's name. */
    @Override
    public Result reconcile(Request request) {
        ClusterRole role = clusterRoles.get(null, request.name());
        if (role == null || role.getAggregationRule() == null) {
            return Result.done();
        }
        List<PolicyRule> rules = ClusterRoleAggregation.rules(role, clusterRoles::list);
        if (ClusterRoleAggregation.sameRules(rules, role.getRules())) {
            return Result.done();
        }
        try {
            client.updateWithRetry(null, role.getMetadata().getName(), current -> {
                current.setRules(rules);
                return current;
            }, false).block(TIMEOUT);
            log.info("ClusterRole {}: aggregated {} rules", role.getMetadata().getName(), rules.size());
        } catch (ApiStatusException.NotFound e) {
            // deleted meanwhile
        }
        return Result.done();
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
