package io.kube4j.apiserver.rest;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.api.selector.FieldSelector;
import io.kube4j.api.selector.FieldSets;
import io.kube4j.api.selector.LabelSelector;
import io.kube4j.apiserver.admission.AdmissionAttributes;
import io.kube4j.apiserver.admission.AdmissionChain;
import io.kube4j.apiserver.auth.RequestUser;
import io.kube4j.apiserver.config.ApiServerProperties;
import io.kube4j.apiserver.patch.Patches;
import io.kube4j.apiserver.proxy.KubeletProxy;
import io.kube4j.apiserver.registry.DeleteRequest;
import io.kube4j.apiserver.registry.ListOptions;
import io.kube4j.apiserver.registry.ListResult;
import io.kube4j.apiserver.registry.ResourceStore;
import io.kube4j.apiserver.registry.WriteOptions;
import io.kube4j.apiserver.registry.ScaleSubresource;
import io.kube4j.apiserver.storage.StorageUnavailableException;
import io.kube4j.apiserver.watch.WatchCacheManager;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The REST verbs of every resource: get, list, watch, create, update, patch, delete, deletecollection, and
 * the subresources status, binding, scale, finalize and pods/eviction ({@link PodEviction}); pods/log, exec, attach and portforward go to the pod's
 * node agent through {@link KubeletProxy}. Requests are decoded and checked here; the object
 * lifecycle is {@link ResourceStore}'s.
 */
public final class ResourceHandler {

    /** Request attribute holding the Kubernetes verb and resource, for metrics. */
    public static final String VERB_ATTRIBUTE = "kube4j.verb";
    public static final String RESOURCE_ATTRIBUTE = "kube4j.resource";

    private final ResourceRegistry registry;
    private final ResourceStore store;
    private final WatchHandler watches;
    private final ApiServerProperties props;
    private final KubeletProxy kubelets;
    private final PodEviction evictions;
    private final List<ResourceExtension> extensions;
    /** The time Table cells' ages are computed at. */
    private final java.time.Clock clock = java.time.Clock.systemUTC();

    public ResourceHandler(ResourceRegistry registry, ResourceStore store, WatchCacheManager caches,
                           WatchHandler watches, ApiServerProperties props) {
        this(registry, store, caches, watches, props, List.of());
    }

    public ResourceHandler(ResourceRegistry registry, ResourceStore store, WatchCacheManager caches,
                           WatchHandler watches, ApiServerProperties props, List<ResourceExtension> extensions) {
        this.extensions = List.copyOf(extensions);
        this.registry = registry;
        this.store = store;
        this.watches = watches;
        this.props = props;
        this.kubelets = new KubeletProxy(store, registry, props.kubelet());
        this.evictions = new PodEviction(store, registry, props);
    }

    public Mono<ServerResponse> handle(ServerRequest request) {
        return Mono.defer(() -> dispatch(request)).onErrorResume(ResourceHandler::toErrorResponse);
    }

    public static Mono<ServerResponse> toErrorResponse(Throwable e) {
        if (e instanceof ApiException a) {
            return Responses.error(a);
        }
        if (e instanceof io.kube4j.apiserver.storage.StorageFullException) {
            return Responses.error(ApiException.insufficientStorage("the storage backend is out of space, writes are"
                    + " refused until space is freed: " + e.getMessage()));
        }
        if (e instanceof io.kube4j.apiserver.storage.StorageTimeoutException) {
            // kube-apiserver's answer to a storage deadline; the client cannot know whether a write was applied
            return Responses.error(ApiException.timeout("Timeout: request did not complete within requested timeout"
                    + " - " + e.getMessage()));
        }
        if (e instanceof StorageUnavailableException) {
            return Responses.error(ApiException.unavailable("the storage backend is unavailable: " + e.getMessage()));
        }
        if (e instanceof java.util.concurrent.TimeoutException) {
            return Responses.error(ApiException.timeout("the request timed out"));
        }
        org.slf4j.LoggerFactory.getLogger(ResourceHandler.class).error("internal error", e);
        return Responses.error(ApiException.internal("Internal error occurred: " + e));
    }

    private Mono<ServerResponse> dispatch(ServerRequest request) {
        RequestInfo info = RequestInfo.parse(request.path(), registry);
        if (info == null) {
            return Mono.error(ApiException.notFound("the server could not find the requested resource"));
        }
        io.kube4j.api.registry.ServedVersion served = registry.servedVersion(info.type()).orElse(null);
        if (served != null) {
            // another version of a stored resource: handled on the storage version, converted at the edges
            request.attributes().put(ServedConversion.ATTRIBUTE, served);
            info = new RequestInfo(served.storage(), info.namespace(), info.name(), info.subresource());
        }
        ResourceType t = info.type();
        HttpMethod method = request.method();
        String verb = verb(method, info, request);
        request.attributes().put(VERB_ATTRIBUTE, verb);
        request.attributes().put(RESOURCE_ATTRIBUTE, t.plural() + (info.subresource() == null ? "" : "/" + info.subresource()));
        for (ResourceExtension e : extensions) {
            if (e.serves(t, info.subresource())) {
                return e.handle(request, info);
            }
        }
        for (String dry : request.queryParams().getOrDefault("dryRun", List.of())) {
            if (!dry.equals("All")) {
                return Mono.error(ApiException.badRequest("Unsupported value: \"" + dry + "\": supported values: \"All\""));
            }
        }
        if (!t.stored() || !t.verbs().contains(verb) && info.subresource() == null) {
            return Mono.error(ApiException.methodNotAllowed("the server does not allow this method on the requested resource"));
        }
        if (info.subresource() != null) {
            return subresource(request, info, method);
        }
        return switch (verb) {
            case "get" -> get(request, info);
            case "list" -> list(request, info);
            case "watch" -> watches.watch(request, t, info.namespace(), listOptions(request, t),
                    OutputTransform.negotiate(request), served);
            case "create" -> create(request, info);
            case "update" -> update(request, info, ResourceStore.Part.MAIN);
            case "patch" -> patch(request, info, ResourceStore.Part.MAIN);
            case "delete" -> delete(request, info);
            case "deletecollection" -> deleteCollection(request, info);
            default -> Mono.error(ApiException.methodNotAllowed("the server does not allow this method on the requested resource"));
        };
    }

    private static String verb(HttpMethod m, RequestInfo info, ServerRequest r) {
        boolean named = info.name() != null;
        if (m == HttpMethod.GET) {
            if (named) {
                return "get";
            }
            return QueryFlags.isTrue(r.queryParam("watch").orElse(null)) ? "watch" : "list";
        }
        if (m == HttpMethod.POST) {
            return named && info.subresource() == null ? "invalid" : "create";
        }
        if (m == HttpMethod.PUT) {
            return named ? "update" : "invalid";
        }
        if (m == HttpMethod.PATCH) {
            return named ? "patch" : "invalid";
        }
        if (m == HttpMethod.DELETE) {
            return named ? "delete" : "deletecollection";
        }
        return "invalid";
    }

    // ---------------------------------------------------------------- verbs

    private Mono<ServerResponse> get(ServerRequest request, RequestInfo info) {
        OutputTransform as = OutputTransform.negotiate(request);
        if (!as.none()) {
            Mono<JsonNode> object = "0".equals(request.queryParam("resourceVersion").orElse(null))
                    ? store.getCached(info.type(), info.namespace(), info.name()).map(b -> Codecs.json().readTree(b))
                    : store.get(info.type(), info.namespace(), info.name()).map(o -> Codecs.json().valueToTree(o));
            return object.flatMap(o -> as.object(info.type(), o, clock));
        }
        if ("0".equals(request.queryParam("resourceVersion").orElse(null))) {
            return store.getCached(info.type(), info.namespace(), info.name())
                    .flatMap(json -> respond(request, 200, json, List.of()));
        }
        return store.get(info.type(), info.namespace(), info.name())
                .flatMap(o -> respond(request, 200, o, List.of()));
    }

    private Mono<ServerResponse> list(ServerRequest request, RequestInfo info) {
        ResourceType t = info.type();
        OutputTransform as = OutputTransform.negotiate(request);
        ListOptions opts = listOptions(request, t);
        if (!as.none()) {
            return store.list(t, info.namespace(), opts).flatMap(r -> as.list(t, r, clock));
        }
        return store.list(t, info.namespace(), opts)
                .flatMap(r -> respond(request, 200, listBytes(t, r), List.of()));
    }

    /**
     * The answer with an object or list: converted to the version the request was made in when that is not the
     * storage version ({@link ServedConversion}).
     */
    private static Mono<ServerResponse> respond(ServerRequest request, int status, Object value, List<String> warnings) {
        byte[] json = value instanceof byte[] b ? b : Codecs.json().writeValueAsBytes(value);
        io.kube4j.api.registry.ServedVersion served = ServedConversion.of(request);
        return Responses.object(request, status, served == null ? json : ServedConversion.toServed(served, json),
                warnings);
    }

    static byte[] listBytes(ResourceType t, ListResult r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + r.items().stream().mapToInt(b -> b.length + 1).sum());
        StringBuilder head = new StringBuilder(128)
                .append("{\"kind\":\"").append(t.listKind()).append("\",\"apiVersion\":\"").append(t.apiVersion())
                .append("\",\"metadata\":{\"resourceVersion\":\"").append(r.resourceVersion()).append('"');
        if (r.continueToken() != null) {
            head.append(",\"continue\":\"").append(r.continueToken()).append('"');
            if (r.remainingItemCount() != null) {
                head.append(",\"remainingItemCount\":").append(r.remainingItemCount());
            }
        }
        head.append("},\"items\":[");
        out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        boolean first = true;
        for (byte[] item : r.items()) {
            if (!first) {
                out.write(',');
            }
            first = false;
            out.writeBytes(item);
        }
        out.writeBytes("]}".getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private Mono<ServerResponse> create(ServerRequest request, RequestInfo info) {
        ResourceType t = info.type();
        return Bodies.read(request, props.maxRequestBodySize())
                .map(body -> decode(request, t, body))
                .flatMap(d -> store.create(t, info.namespace(), d.object(), RequestUser.get(request), writeOptions(request))
                        .flatMap(w -> respond(request, 201, w.json(), d.warnings())));
    }

    private Mono<ServerResponse> update(ServerRequest request, RequestInfo info, ResourceStore.Part part) {
        ResourceType t = info.type();
        return Bodies.read(request, props.maxRequestBodySize())
                .map(body -> decode(request, t, body))
                .flatMap(d -> store.update(t, info.namespace(), info.name(), d.object(), part, RequestUser.get(request),
                        writeOptions(request))
                        .flatMap(w -> respond(request, 200, w.json(), d.warnings())));
    }

    private Mono<ServerResponse> patch(ServerRequest request, RequestInfo info, ResourceStore.Part part) {
        ResourceType t = info.type();
        String type = Bodies.mediaType(request);
        if (type.equals(Patches.APPLY_PATCH)) {
            String manager = request.queryParam("fieldManager").orElse("");
            if (manager.isEmpty()) {
                // as Kubernetes' ValidatePatchOptions
                return Mono.error(new ApiException(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: "
                        + "fieldManager: Required value: is required for apply patch", "", "meta.k8s.io",
                        "PatchOptions", List.of(new io.fabric8.kubernetes.api.model.StatusCause("fieldManager",
                        "Required value: is required for apply patch", "FieldValueRequired")), null));
            }
            io.kube4j.api.registry.ServedVersion served = ServedConversion.of(request);
            return Bodies.read(request, props.maxRequestBodySize())
                    // an applied configuration of a served version is applied as the storage version's
                    .map(body -> served == null ? body : Codecs.json().writeValueAsBytes(ServedConversion.toStorage(
                            served, Bodies.parseObject(body, Patches.APPLY_PATCH))))
                    .flatMap(body -> store.apply(t, info.namespace(), info.name(), body, part, RequestUser.get(request),
                            writeOptions(request)))
                    .flatMap(w -> respond(request, 200, w.json(), List.of()));
        }
        io.kube4j.api.registry.ServedVersion served = ServedConversion.of(request);
        ResourceType view = served == null ? t : served.served();
        if (type.equals(Patches.STRATEGIC_MERGE_PATCH) && !Patches.supportsStrategicMergePatch(view.apiVersion(), view.kind())) {
            return Mono.error(ApiException.unsupportedMediaType(type + " is not supported for " + t.kind()
                    + ": use application/merge-patch+json or application/json-patch+json"));
        }
        if (!type.equals(Patches.MERGE_PATCH) && !type.equals(Patches.JSON_PATCH) && !type.equals(Patches.STRATEGIC_MERGE_PATCH)) {
            return Mono.error(ApiException.unsupportedMediaType(type));
        }
        WriteOptions options = writeOptions(request);
        return Bodies.read(request, props.maxRequestBodySize()).flatMap(body -> {
            // merge and strategic patches are objects whose repeated keys Kubernetes reports; a JSON patch is not
            List<String> strict = new ArrayList<>(type.equals(Patches.JSON_PATCH) ? List.of()
                    : io.kube4j.apiserver.registry.DuplicateFields.find(body, false));
            return store.patch(t, info.namespace(), info.name(), type, body, part, RequestUser.get(request), options,
                            strict, served)
                    .flatMap(w -> respond(request, 200, w.json(),
                            options.fieldValidation() == WriteOptions.FieldValidation.WARN ? strict : List.of()));
        });
    }

    private Mono<ServerResponse> delete(ServerRequest request, RequestInfo info) {
        ResourceType t = info.type();
        return Bodies.read(request, props.maxRequestBodySize())
                .map(body -> deleteRequest(request, body))
                .flatMap(req -> store.delete(t, info.namespace(), info.name(), req, RequestUser.get(request)))
                .flatMap(r -> respond(request, 200, r.object(), List.of()));
    }

    private Mono<ServerResponse> deleteCollection(ServerRequest request, RequestInfo info) {
        ResourceType t = info.type();
        if (t.namespaced() && info.namespace() == null) {
            // Kubernetes serves deletecollection only per namespace for namespaced resources.
            return Mono.error(ApiException.methodNotAllowed("deletecollection needs a namespace for " + t.plural()));
        }
        ListOptions opts = listOptions(request, t);
        return Bodies.read(request, props.maxRequestBodySize())
                .map(body -> deleteRequest(request, body))
                .flatMap(req -> store.deleteCollection(t, info.namespace(), opts, req, RequestUser.get(request)))
                .flatMap(items -> {
                    List<byte[]> bytes = new ArrayList<>();
                    items.forEach(o -> bytes.add(Codecs.json().writeValueAsBytes(o)));
                    return respond(request, 200, listBytes(t, new ListResult(bytes, 0, null, null)), List.of());
                });
    }

    // ---------------------------------------------------------------- subresources

    private Mono<ServerResponse> subresource(ServerRequest request, RequestInfo info, HttpMethod method) {
        ResourceType t = info.type();
        String sub = info.subresource();
        return switch (sub) {
            case "status" -> {
                if (method == HttpMethod.GET) {
                    yield get(request, info);
                } else if (method == HttpMethod.PUT) {
                    yield update(request, info, ResourceStore.Part.STATUS);
                } else if (method == HttpMethod.PATCH) {
                    yield patch(request, info, ResourceStore.Part.STATUS);
                }
                yield Mono.error(ApiException.methodNotAllowed("status supports get, update and patch"));
            }
            case "binding" -> method == HttpMethod.POST ? bind(request, info)
                    : Mono.error(ApiException.methodNotAllowed("binding supports create"));
            case "scale" -> scale(request, info, method);
            case "finalize" -> method == HttpMethod.PUT ? finalizeNamespace(request, info)
                    : Mono.error(ApiException.methodNotAllowed("finalize supports update"));
            case "log" -> kubelets.handle(request, info);
            case "exec", "attach", "portforward" -> admitConnect(request, info).then(Mono.defer(() -> kubelets.handle(request, info)));
            case "eviction" -> method == HttpMethod.POST ? evictions.evict(request, info)
                    : Mono.error(ApiException.methodNotAllowed("eviction supports create"));
            default -> Mono.error(ApiException.notFound("the server could not find the requested resource"));
        };
    }


    /** Admission of pods/exec, attach and portforward: operation CONNECT, the query parameters as options. */
    private Mono<Void> admitConnect(ServerRequest request, RequestInfo info) {
        AdmissionChain chain = store.admission();
        var user = RequestUser.get(request);
        if (!chain.applies(AdmissionAttributes.Operation.CONNECT, info.type(), info.subresource(), user)) {
            return Mono.empty();
        }
        java.util.Map<String, Object> options = new java.util.LinkedHashMap<>();
        request.queryParams().forEach((k, v) -> options.put(k, v.size() == 1 ? v.get(0) : List.copyOf(v)));
        return chain.admitAndValidate(new AdmissionAttributes(AdmissionAttributes.Operation.CONNECT, info.type(),
                info.subresource(), info.namespace(), info.name(), null, null, user, false, options));
    }

    /** pods/binding: assigns an unbound pod to a node, once. */
    private Mono<ServerResponse> bind(ServerRequest request, RequestInfo info) {
        ResourceType t = info.type();
        return Bodies.read(request, props.maxRequestBodySize()).flatMap(body -> {
            JsonNode tree = Bodies.parseObject(body, Bodies.mediaType(request));
            Binding binding = Codecs.json().treeToValue(tree, Binding.class);
            String node = binding.getTarget() == null ? null : binding.getTarget().getName();
            if (node == null || node.isEmpty()) {
                throw ApiException.invalid(t, info.name(), List.of(io.kube4j.api.validation.FieldError.required("target.name", "")));
            }
            if (binding.getMetadata() != null && binding.getMetadata().getName() != null
                    && !binding.getMetadata().getName().equals(info.name())) {
                throw ApiException.badRequest("the name of the binding (" + binding.getMetadata().getName()
                        + ") does not match the pod on the URL (" + info.name() + ")");
            }
            String uid = binding.getMetadata() == null ? null : binding.getMetadata().getUid();
            boolean dryRun = writeOptions(request).dryRun();
            // Kubernetes admits pods/binding as a CREATE of the Binding; the pod update itself is not admitted again.
            AdmissionAttributes attrs = new AdmissionAttributes(AdmissionAttributes.Operation.CREATE, t, "binding",
                    info.namespace(), info.name(), binding, null, RequestUser.get(request), dryRun, null);
            AdmissionChain chain = store.admission();
            Mono<Void> admitted = chain.applies(attrs.operation(), t, "binding", attrs.user())
                    ? chain.admitAndValidate(attrs) : Mono.empty();
            return admitted.then(Mono.defer(() -> store.guaranteedUpdate(t, info.namespace(), info.name(), null,
                    "binding", dryRun, current -> {
                Pod pod = (Pod) current;
                if (uid != null && !uid.isEmpty() && !uid.equals(pod.getMetadata().getUid())) {
                    throw ApiException.conflict(t, info.name(), "Precondition failed: UID in precondition: " + uid
                            + ", UID in object meta: " + pod.getMetadata().getUid());
                }
                if (pod.getMetadata().getDeletionTimestamp() != null) {
                    throw ApiException.conflict(t, info.name(), "pod " + info.name() + " is being deleted, cannot be assigned to a host");
                }
                if (pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty()) {
                    throw ApiException.conflict(t, info.name(), "pod " + info.name() + " is already assigned to node \""
                            + pod.getSpec().getNodeName() + "\"");
                }
                pod.getSpec().setNodeName(node);
                PodStatus status = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
                List<PodCondition> conditions = new ArrayList<>(status.getConditions() == null ? List.of() : status.getConditions());
                conditions.removeIf(c -> "PodScheduled".equals(c.getType()));
                PodCondition c = new PodCondition();
                c.setType("PodScheduled");
                c.setStatus("True");
                c.setLastTransitionTime(ResourceStore.now());
                conditions.add(c);
                status.setConditions(conditions);
                pod.setStatus(status);
                return pod;
            })));
        }).flatMap(o -> Responses.object(request, 201, new StatusBuilder().withApiVersion("v1").withKind("Status")
                .withNewMetadata().endMetadata().withStatus("Success").withCode(201).build()));
    }

    private Mono<ServerResponse> scale(ServerRequest request, RequestInfo info, HttpMethod method) {
        ResourceType t = info.type();
        if (method == HttpMethod.GET) {
            return store.get(t, info.namespace(), info.name())
                    .flatMap(o -> Responses.object(request, 200, ScaleSubresource.toScale(o)));
        }
        if (method != HttpMethod.PUT && method != HttpMethod.PATCH) {
            return Mono.error(ApiException.methodNotAllowed("scale supports get, update and patch"));
        }
        String patchType = Bodies.mediaType(request);
        boolean dryRun = writeOptions(request).dryRun();
        return Bodies.read(request, props.maxRequestBodySize()).flatMap(body -> store.guaranteedUpdate(t, info.namespace(),
                info.name(), RequestUser.get(request), "scale", dryRun, current -> {
                    ObjectNode scale = ScaleSubresource.toScale(current);
                    JsonNode wanted;
                    if (method == HttpMethod.PUT) {
                        wanted = Bodies.parseObject(body, patchType);
                    } else {
                        if (!patchType.equals(Patches.MERGE_PATCH) && !patchType.equals(Patches.JSON_PATCH)
                                && !patchType.equals(Patches.STRATEGIC_MERGE_PATCH)) {
                            throw ApiException.unsupportedMediaType(patchType);
                        }
                        wanted = Patches.apply(patchType, scale, body, "autoscaling/v1", "Scale");
                    }
                    String pinned = wanted.path("metadata").path("resourceVersion").asString("");
                    if (!pinned.isEmpty() && !pinned.equals(current.getMetadata().getResourceVersion())) {
                        throw ApiException.staleObject(t, info.name());
                    }
                    JsonNode replicas = wanted.path("spec").path("replicas");
                    if (!replicas.isMissingNode() && !replicas.isNull() && (!replicas.isIntegralNumber() || replicas.asLong() < 0)) {
                        throw ApiException.invalid(t, info.name(), List.of(io.kube4j.api.validation.FieldError.invalid(
                                "spec.replicas", replicas.toString(), "must be greater than or equal to 0")));
                    }
                    int n = replicas.isIntegralNumber() ? replicas.asInt() : 0;
                    return ScaleSubresource.withReplicas(store, t, current, n);
                }))
                .flatMap(w -> Responses.object(request, 200, ScaleSubresource.toScale(w.object())));
    }

    /** namespaces/finalize: sets spec.finalizers; a Terminating namespace left with none is removed. */
    private Mono<ServerResponse> finalizeNamespace(ServerRequest request, RequestInfo info) {
        ResourceType t = info.type();
        return Bodies.read(request, props.maxRequestBodySize()).flatMap(body -> {
            Namespace wanted = (Namespace) decode(request, t, body).object();
            List<String> finalizers = wanted.getSpec() == null || wanted.getSpec().getFinalizers() == null
                    ? List.of() : wanted.getSpec().getFinalizers();
            return store.guaranteedUpdate(t, null, info.name(), null, "finalize", writeOptions(request).dryRun(),
                    current -> {
                Namespace ns = (Namespace) current;
                String pinned = wanted.getMetadata() == null ? null : wanted.getMetadata().getResourceVersion();
                if (pinned != null && !pinned.isEmpty() && !pinned.equals(ns.getMetadata().getResourceVersion())) {
                    throw ApiException.staleObject(t, info.name());
                }
                if (ns.getSpec() == null) {
                    ns.setSpec(new io.fabric8.kubernetes.api.model.NamespaceSpec());
                }
                ns.getSpec().setFinalizers(finalizers.isEmpty() ? null : finalizers);
                return ns;
            });
        }).flatMap(w -> Responses.object(request, 200, w.json()));
    }

    // ---------------------------------------------------------------- decoding

    /**
     * The request's {@link WriteOptions}; without {@code fieldManager} the manager is the User-Agent's product (the
     * part before the first '/'), as Kubernetes derives it.
     */
    static WriteOptions writeOptions(ServerRequest request) {
        WriteOptions o = WriteOptions.fromQuery(request.queryParams());
        if (o.fieldManager() != null) {
            return o;
        }
        String agent = request.headers().firstHeader("User-Agent");
        String manager = agent == null ? "unknown" : agent.split("/", 2)[0];
        if (manager.length() > 128) {
            manager = manager.substring(0, 128);
        }
        return new WriteOptions(o.dryRun(), manager.isEmpty() ? "unknown" : manager, o.force(), o.fieldValidation());
    }

    /** A decoded body and the warnings it earned. */
    record Decoded(HasMetadata object, List<String> warnings) {
    }

    private Decoded decode(ServerRequest request, ResourceType t, byte[] body) {
        String mediaType = Bodies.mediaType(request);
        HasMetadata value;
        io.kube4j.api.registry.ServedVersion served = ServedConversion.of(request);
        try {
            if (served != null) {
                if (body.length == 0) {
                    throw ApiException.badRequest("the request body is empty: an object is required");
                }
                // an object of the served version: converted to the storage version, then handled as one
                value = Codecs.json().treeToValue(ServedConversion.toStorage(served,
                        Bodies.parseObject(body, mediaType)), t.type());
            } else if (Bodies.isJson(mediaType)) {
                if (body.length == 0) {
                    throw ApiException.badRequest("the request body is empty: an object is required");
                }
                // straight from bytes to the typed object: no intermediate tree on the write path
                value = Codecs.json().readValue(body, t.type());
            } else {
                value = Codecs.json().treeToValue(Bodies.parseObject(body, mediaType), t.type());
            }
        } catch (tools.jackson.core.JacksonException e) {
            throw ApiException.badRequest("the request body is not a valid " + t.kind() + ": " + e.getOriginalMessage());
        }
        if (value == null) {
            throw ApiException.badRequest("the request body must be a JSON or YAML object");
        }
        String apiVersion = value.getApiVersion();
        String kind = value.getKind();
        if (apiVersion != null && !apiVersion.isEmpty() && !apiVersion.equals(t.apiVersion())
                || kind != null && !kind.isEmpty() && !kind.equals(t.kind())) {
            throw ApiException.badRequest("the object's apiVersion/kind (" + apiVersion + "/" + kind
                    + ") does not match the resource " + t.qualifiedName() + " (" + t.apiVersion() + "/" + t.kind() + ")");
        }
        value.setApiVersion(t.apiVersion());
        io.kube4j.apiserver.registry.ObjectCodec.setKind(value, t.kind());
        List<String> unknown;
        if (value.getMetadata() == null) {
            value.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMeta());
        }
        unknown = stripUnknown(value);
        WriteOptions.FieldValidation mode = writeOptions(request).fieldValidation();
        if (mode == WriteOptions.FieldValidation.IGNORE) {
            return new Decoded(value, List.of());
        }
        boolean yaml = Bodies.isYaml(mediaType);
        List<String> duplicates = io.kube4j.apiserver.registry.DuplicateFields.find(body, yaml);
        if (mode == WriteOptions.FieldValidation.STRICT && (!unknown.isEmpty() || !duplicates.isEmpty())) {
            // Kubernetes' transformDecodeError wording
            throw ApiException.badRequest(t.kind() + " in version \"" + t.version() + "\" cannot be handled as a "
                    + t.kind() + ": strict decoding error: " + String.join(", ",
                    io.kube4j.apiserver.registry.DuplicateFields.strictErrors(duplicates, yaml, unknown)));
        }
        return new Decoded(value, io.kube4j.apiserver.registry.DuplicateFields.warnings(duplicates, unknown));
    }

    private static List<String> stripUnknown(HasMetadata value) {
        return io.kube4j.apiserver.registry.UnknownFields.strip(value);
    }

    private DeleteRequest deleteRequest(ServerRequest request, byte[] body) {
        return deleteRequest(request, body.length > 0 ? Bodies.parseObject(body, Bodies.mediaType(request)) : null);
    }

    /** The DeleteOptions of the query and of {@code opts} (a DeleteOptions object, or null when there is none). */
    static DeleteRequest deleteRequest(ServerRequest request, JsonNode opts) {
        Long grace = request.queryParam("gracePeriodSeconds").map(ResourceHandler::parseLong).orElse(null);
        String policy = request.queryParam("propagationPolicy").orElse(null);
        String uid = null;
        String rv = null;
        boolean dryRun = request.queryParams().getOrDefault("dryRun", List.of()).contains("All");
        if (opts != null && !opts.isNull() && !opts.isMissingNode()) {
            if (!opts.isObject()) {
                throw ApiException.badRequest("DeleteOptions must be an object, got " + opts);
            }
            if (opts.has("gracePeriodSeconds") && !opts.get("gracePeriodSeconds").isNull()) {
                grace = integer(opts.get("gracePeriodSeconds"), "gracePeriodSeconds");
            }
            if (opts.has("propagationPolicy") && !opts.get("propagationPolicy").isNull()) {
                policy = text(opts.get("propagationPolicy"), "propagationPolicy");
            }
            JsonNode orphan = opts.path("orphanDependents");
            if (!orphan.isMissingNode() && !orphan.isNull() && !orphan.isBoolean()) {
                throw ApiException.badRequest("DeleteOptions.orphanDependents must be a boolean, got " + orphan);
            }
            if (orphan.isBoolean() && policy == null) {
                policy = orphan.asBoolean() ? "Orphan" : "Background";
            }
            JsonNode pre = opts.path("preconditions");
            if (!pre.isMissingNode() && !pre.isNull() && !pre.isObject()) {
                throw ApiException.badRequest("DeleteOptions.preconditions must be an object, got " + pre);
            }
            if (pre.hasNonNull("uid")) {
                uid = text(pre.get("uid"), "preconditions.uid");
            }
            if (pre.hasNonNull("resourceVersion")) {
                rv = text(pre.get("resourceVersion"), "preconditions.resourceVersion");
            }
            JsonNode dry = opts.path("dryRun");
            if (!dry.isMissingNode() && !dry.isNull()) {
                if (!dry.isArray()) {
                    throw ApiException.badRequest("DeleteOptions.dryRun must be a list, got " + dry);
                }
                for (JsonNode d : dry) {
                    if (!d.isString() || !d.asString().equals("All")) {
                        throw ApiException.badRequest("Unsupported value: " + d + ": supported values: \"All\"");
                    }
                    dryRun = true;
                }
            }
        }
        if (policy != null && !List.of("Orphan", "Background", "Foreground").contains(policy)) {
            throw ApiException.badRequest("propagationPolicy must be one of Orphan, Background, Foreground; got " + policy);
        }
        if (grace != null && grace < 0) {
            grace = 0L;
        }
        return new DeleteRequest(grace, policy, uid, rv, dryRun);
    }

    /** A DeleteOptions field that must be an integer; anything else is the client's 400, as Kubernetes' decoder. */
    private static long integer(JsonNode n, String field) {
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw ApiException.badRequest("DeleteOptions." + field + " must be an integer, got " + n);
        }
        return n.asLong();
    }

    private static String text(JsonNode n, String field) {
        if (!n.isString()) {
            throw ApiException.badRequest("DeleteOptions." + field + " must be a string, got " + n);
        }
        return n.asString();
    }

    private static Long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid integer: " + s);
        }
    }

    ListOptions listOptions(ServerRequest request, ResourceType t) {
        Selectors selectors = Selectors.of(request, FieldSets.supported(t));
        LabelSelector labels = selectors.labels();
        FieldSelector fields = selectors.fields();
        Optional<String> limit = request.queryParam("limit");
        long lim = limit.filter(s -> !s.isBlank()).map(ResourceHandler::parseLong).orElse(0L);
        String rv = request.queryParam("resourceVersion").orElse(null);
        String match = request.queryParam("resourceVersionMatch").orElse(null);
        if (match != null && !match.isEmpty() && !match.equals("Exact") && !match.equals("NotOlderThan")) {
            throw ApiException.badRequest("resourceVersionMatch must be Exact or NotOlderThan; got " + match);
        }
        if (match != null && !match.isEmpty() && (rv == null || rv.isEmpty())) {
            throw ApiException.badRequest("resourceVersionMatch is forbidden unless resourceVersion is provided");
        }
        String cont = request.queryParam("continue").orElse(null);
        if (cont != null && !cont.isEmpty() && rv != null && !rv.isEmpty() && !rv.equals("0")) {
            throw ApiException.badRequest("specifying resource version is not allowed when using continue");
        }
        return new ListOptions(labels, fields, rv, match, Math.max(lim, 0), cont);
    }
}
