package io.kube4j.apiserver.auth.authz;

import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.apiserver.admission.AdmissionOrder;
import io.kube4j.apiserver.auth.Impersonation;
import io.kube4j.apiserver.auth.authz.bootstrap.BootstrapRbac;
import io.kube4j.apiserver.auth.authz.node.NodeAuthorizer;
import io.kube4j.apiserver.auth.authz.node.NodeGraph;
import io.kube4j.apiserver.auth.authz.node.NodeGraphFeed;
import io.kube4j.apiserver.auth.authz.rbac.RbacAuthorizer;
import io.kube4j.apiserver.auth.authz.rbac.RbacEscalationCheck;
import io.kube4j.apiserver.auth.authz.rbac.RbacIndex;
import io.kube4j.apiserver.auth.authz.rbac.RbacIndexFeed;
import io.kube4j.apiserver.auth.authz.review.AccessReviews;
import io.kube4j.apiserver.auth.authz.review.RuleResolver;
import io.kube4j.apiserver.registry.ResourceStore;
import io.kube4j.apiserver.watch.WatchCacheManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.annotation.Order;

import java.util.ArrayList;
import java.util.List;

/**
 * Wires authorization: the RBAC index and the Node graph fed from the watch cache, their authorizers, the
 * {@code @Primary} union of the configured modes, the default roles' reconciliation at start, the access reviews,
 * impersonation and the RBAC escalation admission check.
 */
@Configuration(proxyBeanMethods = false)
public class AuthorizationConfiguration {

    private static final Logger log = LoggerFactory.getLogger(AuthorizationConfiguration.class);

    @Bean
    RbacIndex rbacIndex() {
        return new RbacIndex();
    }

    @Bean
    RbacIndexFeed rbacIndexFeed(WatchCacheManager caches, ResourceRegistry registry, RbacIndex index) {
        return new RbacIndexFeed(caches, registry, index);
    }

    @Bean
    RbacAuthorizer rbacAuthorizer(RbacIndex index, RbacIndexFeed feed) {
        return new RbacAuthorizer(index, feed::ready);
    }

    @Bean
    NodeGraph nodeGraph() {
        return new NodeGraph();
    }

    @Bean
    NodeGraphFeed nodeGraphFeed(WatchCacheManager caches, ResourceRegistry registry, NodeGraph graph) {
        return new NodeGraphFeed(caches, registry, graph);
    }

    @Bean
    NodeAuthorizer nodeAuthorizer(NodeGraph graph, NodeGraphFeed feed) {
        return new NodeAuthorizer(graph, feed::ready);
    }

    @Bean
    @Primary
    Authorizer authorizer(AuthorizationProperties props, NodeAuthorizer node, RbacAuthorizer rbac) {
        List<Authorizer> chain = new ArrayList<>();
        for (String m : props.modes()) {
            chain.add(switch (m) {
                case "Node" -> node;
                case "RBAC" -> rbac;
                case "AlwaysAllow" -> a -> reactor.core.publisher.Mono.just(Decision.allow(""));
                default -> a -> reactor.core.publisher.Mono.just(Decision.deny(""));
            });
        }
        log.info("authorization modes: {} (system:masters always allowed)", props.modes());
        return new UnionAuthorizer(chain);
    }

    @Bean
    RuleResolver ruleResolver(AuthorizationProperties props, RbacAuthorizer rbac) {
        return new RuleResolver(props.modes(), rbac);
    }

    @Bean
    AccessReviews accessReviews(Authorizer authorizer, RuleResolver rules) {
        return new AccessReviews(authorizer, rules);
    }

    @Bean
    Impersonation impersonation(Authorizer authorizer) {
        return new ImpersonationFilter(authorizer);
    }

    @Bean
    @Order(AdmissionOrder.RBAC_ESCALATION)
    RbacEscalationCheck rbacEscalationCheck(Authorizer authorizer, RbacAuthorizer rbac, RbacIndex index) {
        return new RbacEscalationCheck(authorizer, rbac, index);
    }

    @Bean
    BootstrapRbac bootstrapRbac(ResourceStore store, ResourceRegistry registry) {
        return new BootstrapRbac(store, registry);
    }

    @Bean
    ApplicationListener<ApplicationReadyEvent> bootstrapRbacAtStart(BootstrapRbac bootstrap) {
        return e -> bootstrap.reconcile().subscribe(x -> { },
                err -> log.error("could not reconcile the default RBAC roles and bindings", err));
    }
}
