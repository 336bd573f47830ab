package io.kube4j.client;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.internal.HttpResourceClient;
import io.kube4j.client.internal.Transport;

import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ObjectNode;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The entry point of the client: one per process and apiserver, holding the HTTP connection pool. Hands out a
 * {@link ResourceClient} per resource type of the {@link ResourceRegistry}.
 */
public final class KubeClient implements AutoCloseable {

    private final ClientConfig config;
    private final ResourceRegistry registry;
    private final Transport transport;
    private final Map<Class<?>, ResourceClient<?>> clients = new ConcurrentHashMap<>();
    private final Map<ResourceType, ResourceClient<GenericKubernetesResource>> dynamicClients = new ConcurrentHashMap<>();
    private final RawClient raw;

    private KubeClient(ClientConfig config, ResourceRegistry registry) {
        this.config = config;
        this.registry = registry;
        this.transport = new Transport(config);
        this.raw = new RawClient(transport);
    }

    public static KubeClient create(ClientConfig config) {
        return new KubeClient(config, ResourceRegistry.builtin());
    }

    public static KubeClient create(ClientConfig config, ResourceRegistry registry) {
        return new KubeClient(config, registry);
    }

    public ClientConfig config() {
        return config;
    }

    /** The default namespace of the configuration. */
    public String namespace() {
        return config.namespace();
    }

    /** The resources this client knows (what controllers that span every resource iterate over). */
    public ResourceRegistry registry() {
        return registry;
    }

    /** The client of {@code type}; IllegalArgumentException when the registry does not know the type. */
    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> ResourceClient<T> resources(Class<T> type) {
        return (ResourceClient<T>) clients.computeIfAbsent(type, k -> {
            ResourceType rt = registry.byType(type).orElseThrow(() -> new IllegalArgumentException(
                    "no resource is registered for " + type.getName()));
            return new HttpResourceClient<>(transport, rt, type);
        });
    }

    /**
     * An untyped client of any resource, described by {@code type} (from discovery, or the registry): objects are
     * {@link GenericKubernetesResource}s, so resources this client has no model for (custom resources) work too. What
     * tools that handle every resource alike use ({@code k4j get}, {@code apply}, the garbage collector pattern).
     */
    public ResourceClient<GenericKubernetesResource> dynamic(ResourceType type) {
        return dynamicClients.computeIfAbsent(type,
                t -> new HttpResourceClient<>(transport, t, GenericKubernetesResource.class));
    }

    /** Requests by path: discovery, {@code /version}, OpenAPI, subresources, streamed answers (logs). */
    public RawClient raw() {
        return raw;
    }

    /** Binds a pod to a node (POST {@code pods/{name}/binding}), as the scheduler does; Conflict if already bound. */
    public Mono<Void> bindPod(String namespace, String pod, String node) {
        ObjectNode b = Codecs.json().createObjectNode();
        b.put("apiVersion", "v1");
        b.put("kind", "Binding");
        b.putObject("metadata").put("name", pod).put("namespace", namespace);
        b.putObject("target").put("kind", "Node").put("apiVersion", "v1").put("name", node);
        return ((HttpResourceClient<Pod>) resources(Pod.class))
                .postSubresource(namespace, pod, "binding", Codecs.json().writeValueAsBytes(b)).then();
    }

    /**
     * Sets a namespace's {@code spec.finalizers} to {@code namespace}'s (PUT {@code namespaces/{name}/finalize}), as the
     * namespace controller does when it has emptied a Terminating namespace; its resourceVersion, when set, is the
     * precondition. A Terminating namespace left with no finalizers is removed by the apiserver.
     */
    public Mono<Namespace> finalizeNamespace(Namespace namespace) {
        if (namespace.getMetadata() == null || namespace.getMetadata().getName() == null) {
            return Mono.error(new IllegalArgumentException("finalizeNamespace: the namespace needs a name"));
        }
        HttpResourceClient<Namespace> namespaces = (HttpResourceClient<Namespace>) resources(Namespace.class);
        return namespaces.putSubresource(null, namespace.getMetadata().getName(), "finalize", Codecs.toJson(namespace))
                .map(b -> Codecs.fromJson(b, Namespace.class));
    }

    /**
     * Asks for a token of a ServiceAccount (POST {@code serviceaccounts/{name}/token}, the TokenRequest API, as
     * client-go's {@code CreateToken}); the answer carries the token in {@code status}.
     */
    public Mono<TokenRequest> createToken(String namespace, String serviceAccount, TokenRequest request) {
        HttpResourceClient<ServiceAccount> sas = (HttpResourceClient<ServiceAccount>) resources(ServiceAccount.class);
        return sas.postSubresource(namespace, serviceAccount, "token", Codecs.toJson(request))
                .map(b -> Codecs.fromJson(b, TokenRequest.class));
    }

    @Override
    public void close() {
        transport.close();
    }
}
