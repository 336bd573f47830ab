package io.kube4j.apiserver.admission.webhook;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ServiceReference;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.watch.CachedObject;
import io.kube4j.apiserver.watch.WatchCacheManager;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Resolves a webhook's Service reference through the Service's Endpoints (Kubernetes' endpoint service resolver, used
 * with {@code --enable-aggregator-routing}): the Service port numbered {@code service.port} (default 443), then a
 * ready address of the Endpoints subset that carries that port's name, picked at random; the call goes to that
 * address and the target port, and the serving certificate must be valid for {@code <name>.<namespace>.svc}. The
 * endpoints rather than the ClusterIP, because the apiserver's host is not necessarily a node with the proxy's rules.
 */
public final class EndpointsServiceResolver implements ServiceResolver {

    private final WatchCacheManager caches;
    private final ResourceType services;
    private final ResourceType endpoints;

    public EndpointsServiceResolver(WatchCacheManager caches, ResourceRegistry registry) {
        this.caches = caches;
        this.services = registry.byType(Service.class).orElseThrow();
        this.endpoints = registry.byType(Endpoints.class).orElseThrow();
    }

    @Override
    public Mono<WebhookTarget> resolve(ServiceReference ref) {
        return Mono.fromCallable(() -> {
            String ns = ref.getNamespace();
            String name = ref.getName();
            int port = ref.getPort() == null ? 443 : ref.getPort();
            CachedObject so = caches.cache(services).get(services.key(ns, name));
            if (so == null) {
                throw new IllegalStateException("service \"" + name + "\" not found");
            }
            Service svc = Codecs.json().readValue(so.json(), Service.class);
            ServicePort sp = svc.getSpec() == null || svc.getSpec().getPorts() == null ? null
                    : svc.getSpec().getPorts().stream().filter(p -> p.getPort() != null && p.getPort() == port)
                    .findFirst().orElse(null);
            if (sp == null) {
                throw new IllegalStateException("no service port " + port + " found for service \"" + name + "\"");
            }
            CachedObject eo = caches.cache(endpoints).get(endpoints.key(ns, name));
            Endpoints ep = eo == null ? null : Codecs.json().readValue(eo.json(), Endpoints.class);
            List<String> candidates = new ArrayList<>();
            String portName = sp.getName() == null ? "" : sp.getName();
            for (EndpointSubset s : ep == null || ep.getSubsets() == null ? List.<EndpointSubset>of() : ep.getSubsets()) {
                for (EndpointPort p : s.getPorts() == null ? List.<EndpointPort>of() : s.getPorts()) {
                    String pn = p.getName() == null ? "" : p.getName();
                    if (pn.equals(portName) && p.getPort() != null && s.getAddresses() != null) {
                        for (EndpointAddress a : s.getAddresses()) {
                            candidates.add(host(a.getIp()) + ":" + p.getPort());
                        }
                    }
                }
            }
            if (candidates.isEmpty()) {
                throw new IllegalStateException("no endpoints available for service \"" + name + "\"");
            }
            String hostPort = candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
            String path = ref.getPath() == null ? "" : ref.getPath();
            return new WebhookTarget(URI.create("https://" + hostPort + path), name + "." + ns + ".svc");
        });
    }

    private static String host(String ip) {
        return ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip;
    }
}
