package io.kube4j.apiserver.registry;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.defaulting.Defaulting;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.api.validation.FieldError;
import io.kube4j.api.validation.Validation;
import io.kube4j.apiserver.admission.AdmissionAttributes;
import io.kube4j.apiserver.admission.AdmissionAttributes.Operation;
import io.kube4j.apiserver.admission.AdmissionChain;
import io.kube4j.apiserver.apply.FieldManager;
import io.kube4j.apiserver.config.ApiServerProperties;
import io.kube4j.apiserver.rest.ApiException;
import io.kube4j.apiserver.storage.CompactedException;
import io.kube4j.apiserver.storage.Storage;
import io.kube4j.apiserver.storage.StoredObject;
import io.kube4j.apiserver.storage.WriteResult;
import io.kube4j.apiserver.watch.CachedObject;
import io.kube4j.apiserver.watch.WatchCache;
import io.kube4j.apiserver.watch.WatchCacheManager;
import io.kube4j.apiserver.watch.WatchFilter;
import io.kube4j.security.UserInfo;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The generic store every resource goes through: object lifecycle (names, uid, timestamps, generation,
 * resourceVersion), defaulting, validation, compare-and-swap writes, graceful deletion and finalizers.
 * What differs per resource lives in {@link ResourceHooks}.
 */
public final class ResourceStore {

    public static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final String NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";
    private static final int MAX_UPDATE_RETRIES = 16;

    private final Storage storage;
    private final WatchCacheManager caches;
    private final ResourceHooks hooks;
    private final ResourceRegistry registry;
    private final ApiServerProperties props;
    private final AdmissionChain admission;

    /** A store without admission (unit tests of the store). */
    public ResourceStore(Storage storage, WatchCacheManager caches, ResourceHooks hooks, ResourceRegistry registry,
                         ApiServerProperties props) {
        this(storage, caches, hooks, registry, props, AdmissionChain.none());
    }

    public ResourceStore(Storage storage, WatchCacheManager caches, ResourceHooks hooks, ResourceRegistry registry,
                         ApiServerProperties props, AdmissionChain admission) {
        this.storage = storage;
        this.caches = caches;
        this.hooks = hooks;
        this.registry = registry;
        this.props = props;
        this.admission = admission;
        hooks.attach(this);
    }

    /** The admission chain every write goes through (the handler runs it itself for CONNECT and pods/binding). */
    public AdmissionChain admission() {
        return admission;
    }

    public ResourceRegistry registry() {
        return registry;
    }

    public Storage storage() {
        return storage;
    }

    // ---------------------------------------------------------------- reads

    /** The object, read from the store (consistent), or 404. */
    public Mono<HasMetadata> get(ResourceType t, String ns, String name) {
        return storage.get(t.key(ns, name))
                .switchIfEmpty(Mono.error(() -> ApiException.notFound(t, name)))
                .map(o -> ObjectCodec.decode(t, o.value(), o.modRevision()));
    }

    /** The object as the watch cache has it (for {@code resourceVersion=0} reads), or 404. */
    public Mono<byte[]> getCached(ResourceType t, String ns, String name) {
        CachedObject o = caches.cache(t).get(t.key(ns, name));
        return o == null ? Mono.error(ApiException.notFound(t, name)) : Mono.just(o.json());
    }

    public Mono<ListResult> list(ResourceType t, String ns, ListOptions opts) {
        WatchFilter filter = new WatchFilter(t.namespaced() ? ns : null, opts.labels(), opts.fields());
        WatchCache cache = caches.cache(t);
        String rv = opts.resourceVersion();
        if (opts.continueToken() != null && !opts.continueToken().isEmpty()) {
            ContinueToken token = ContinueToken.decode(opts.continueToken());
            return listFromStore(t, ns, filter, opts.limit(), token.revision(), token.startKey());
        }
        if ("Exact".equals(opts.resourceVersionMatch())) {
            long exact = parseRevision(rv);
            return listFromStore(t, ns, filter, opts.limit(), exact, null);
        }
        if ("0".equals(rv)) {
            return Mono.fromSupplier(() -> fromSnapshot(cache.snapshot(filter)));
        }
        if (opts.limit() > 0) {
            long at = rv == null || rv.isEmpty() ? 0 : parseRevision(rv);
            return listFromStore(t, ns, filter, opts.limit(), at == 0 ? 0 : Math.max(at, 0), null)
                    .flatMap(r -> at > 0 && r.resourceVersion() < at ? Mono.error(tooLarge(at)) : Mono.just(r));
        }
        Mono<Long> target = rv == null || rv.isEmpty() ? storage.currentRevision() : Mono.just(parseRevision(rv));
        Duration wait = props.watchCache().consistentReadWait();
        return target.flatMap(need -> caches.waitForRevision(need, wait)
                .then(Mono.fromSupplier(() -> fromSnapshot(cache.snapshot(filter))))
                .onErrorResume(java.util.concurrent.TimeoutException.class,
                        e -> listFromStore(t, ns, filter, 0, 0, null).flatMap(r -> r.resourceVersion() < need
                                ? Mono.error(tooLarge(need)) : Mono.just(r))));
    }

    private static ApiException tooLarge(long rv) {
        return new ApiException(504, "Timeout", "Too large resource version: " + rv
                + ", current resource version is lower", null, null, null,
                List.of(new io.fabric8.kubernetes.api.model.StatusCause(null,
                        "Too large resource version", "ResourceVersionTooLarge")), 1);
    }

    private static ListResult fromSnapshot(WatchCache.Snapshot s) {
        List<byte[]> items = new ArrayList<>(s.items().size());
        s.items().forEach(o -> items.add(o.json()));
        return new ListResult(items, s.revision(), null, null);
    }

    /** A page straight from the store, filtered, at a fixed revision (0: latest), with a continue token. */
    private Mono<ListResult> listFromStore(ResourceType t, String ns, WatchFilter filter, long limit, long revision,
                                           String startKey) {
        String prefix = t.keyPrefix(t.namespaced() ? ns : null);
        List<byte[]> out = new ArrayList<>();
        long want = limit <= 0 ? Long.MAX_VALUE : limit;
        long batch = limit <= 0 ? 0 : Math.max(limit, 50);
        return Mono.defer(() -> fetchPage(t, prefix, filter, want, batch, revision, startKey, out))
                .onErrorMap(CompactedException.class, e -> ApiException.gone(
                        "The provided continue parameter is too old to display a consistent list result. "
                                + "You can start a new list without the continue parameter, or use the continue "
                                + "token in this response to retrieve the remainder of the results."));
    }

    private Mono<ListResult> fetchPage(ResourceType t, String prefix, WatchFilter filter, long want, long batch,
                                       long revision, String startKey, List<byte[]> out) {
        return storage.list(prefix, startKey, batch, revision).flatMap(page -> {
            String lastKey = null;
            for (StoredObject o : page.items()) {
                lastKey = o.key();
                CachedObject co = ObjectCodec.toCached(t, o.key(), o.value(), o.modRevision());
                if (filter.matches(co)) {
                    out.add(co.json());
                    if (out.size() >= want) {
                        break;
                    }
                }
            }
            boolean more = page.more() || (lastKey != null && page.items().size() > 0
                    && !lastKey.equals(page.items().get(page.items().size() - 1).key()));
            if (out.size() >= want || !more || lastKey == null) {
                if (more && lastKey != null) {
                    long remaining = page.remaining() + countAfter(page.items(), lastKey);
                    boolean filtered = !filter.labels().isEverything() || !filter.fields().isEverything();
                    return Mono.just(new ListResult(out, page.revision(),
                            ContinueToken.encode(page.revision(), lastKey + '\0'), filtered ? null : remaining));
                }
                return Mono.just(new ListResult(out, page.revision(), null, null));
            }
            return fetchPage(t, prefix, filter, want, batch, page.revision(), lastKey + '\0', out);
        });
    }

    private static long countAfter(List<StoredObject> items, String key) {
        long n = 0;
        for (int i = items.size() - 1; i >= 0 && !items.get(i).key().equals(key); i--) {
            n++;
        }
        return n;
    }

    static long parseRevision(String rv) {
        try {
            long v = Long.parseLong(rv);
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException | NullPointerException e) {
            throw ApiException.badRequest("invalid resourceVersion: " + rv);
        }
    }

    // ---------------------------------------------------------------- create

    /** A create by the apiserver itself (bootstrap objects). */
    public Mono<Written> create(ResourceType t, String ns, HasMetadata obj) {
        return create(t, ns, obj, UserInfo.apiserver());
    }

    /**
     * Creates {@code obj} for {@code user}: defaulting, the mutating admission chain, prepareForCreate and validation,
     * the validating admission chain, then the compare-and-swap create (Kubernetes' order).
     */
    public Mono<Written> create(ResourceType t, String ns, HasMetadata obj, UserInfo user) {
        return create(t, ns, obj, user, WriteOptions.NONE);
    }

    /** A create with the request's {@link WriteOptions} (dry run, field manager). */
    public Mono<Written> create(ResourceType t, String ns, HasMetadata obj, UserInfo user, WriteOptions options) {
        return create(t, ns, obj, user, options, true);
    }

    private Mono<Written> create(ResourceType t, String ns, HasMetadata obj, UserInfo user, WriteOptions options,
                                 boolean trackFields) {
        return Mono.defer(() -> {
            ObjectMeta m = obj.getMetadata();
            if (m == null) {
                obj.setMetadata(m = new ObjectMeta());
            }
            if (t.namespaced()) {
                if (m.getNamespace() != null && !m.getNamespace().isEmpty() && !m.getNamespace().equals(ns)) {
                    throw ApiException.badRequest("the namespace of the provided object does not match the namespace sent on the request");
                }
                m.setNamespace(ns);
            } else {
                m.setNamespace(null);
            }
            if ((m.getName() == null || m.getName().isEmpty()) && m.getGenerateName() != null && !m.getGenerateName().isEmpty()) {
                m.setName(generateName(m.getGenerateName()));
            }
            m.setUid(UUID.randomUUID().toString());
            m.setCreationTimestamp(now());
            m.setResourceVersion(null);
            m.setDeletionTimestamp(null);
            m.setDeletionGracePeriodSeconds(null);
            m.setGeneration(1L);
            m.setSelfLink(null);
            if (t.hasSubresource("status") && !t.kind().equals("Node")) {
                ObjectFields.set(obj, "status", null);
            }
            Defaulting.apply(obj);
            if (trackFields) {
                trackFields(t, null, obj, options, Part.MAIN);
            }
            boolean dryRun = options.dryRun();
            if (!admission.applies(Operation.CREATE, t, "", user)) {
                return validateAndStore(t, ns, obj, null, dryRun);
            }
            AdmissionAttributes attrs = new AdmissionAttributes(Operation.CREATE, t, "", t.namespaced() ? ns : "",
                    m.getName(), obj, null, user, dryRun, null);
            return admission.admit(attrs).flatMap(admitted -> validateAndStore(t, ns, admitted, attrs, dryRun));
        });
    }

    private Mono<Written> validateAndStore(ResourceType t, String ns, HasMetadata obj, AdmissionAttributes attrs,
                                           boolean dryRun) {
        ObjectMeta m = obj.getMetadata();
        hooks.prepareForCreate(t, obj);
        List<FieldError> errors = new ArrayList<>(Validation.validateCreate(t, obj));
        errors.addAll(hooks.validate(t, obj, null));
        if (!errors.isEmpty()) {
            throw ApiException.invalid(t, m.getName(), errors);
        }
        String name = m.getName();
        Mono<Void> validating = warn(obj, null)
                .then(attrs == null ? Mono.empty() : admission.validate(attrs.withObject(obj)));
        if (dryRun) {
            return validating.then(Mono.defer(() -> dryRunCreate(t, ns, obj)));
        }
        byte[][] stored = new byte[1][];
        return validating.then(Mono.defer(() -> hooks.beforeCreate(t, obj)))
                .then(Mono.defer(() -> {
                    stored[0] = ObjectCodec.encodeForStorage(obj);
                    return storage.create(t.key(ns, name), stored[0], ttl(t));
                }))
                .flatMap(r -> {
                    if (!r.succeeded()) {
                        return hooks.createFailed(t, obj).then(Mono.error(ApiException.alreadyExists(t, name)));
                    }
                    long rv = r.object().modRevision();
                    obj.getMetadata().setResourceVersion(Long.toString(rv));
                    return Mono.just(Written.of(obj, stored[0], rv));
                })
                .onErrorResume(e -> !(e instanceof ApiException), e -> hooks.createFailed(t, obj).then(Mono.error(e)));
    }

    /**
     * The end of a {@code dryRun=All} create (Kubernetes' DryRunnableStorage): allocations checked but not claimed,
     * 409 when the name is taken, and the object answered as a real create would, without a resourceVersion since
     * nothing was stored.
     */
    private Mono<Written> dryRunCreate(ResourceType t, String ns, HasMetadata obj) {
        String name = obj.getMetadata().getName();
        return hooks.beforeCreate(t, obj, true)
                .then(storage.get(t.key(ns, name)))
                .flatMap(existing -> Mono.<Written>error(ApiException.alreadyExists(t, name)))
                .switchIfEmpty(Mono.fromSupplier(() -> new Written(obj, ObjectCodec.encode(obj))));
    }

    private Duration ttl(ResourceType t) {
        return t.plural().equals("events") && t.group().isEmpty() ? props.eventTtl() : null;
    }

    static String generateName(String base) {
        String prefix = base.length() > 58 ? base.substring(0, 58) : base;
        StringBuilder sb = new StringBuilder(prefix);
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < 5; i++) {
            sb.append(NAME_CHARS.charAt(r.nextInt(NAME_CHARS.length())));
        }
        return sb.toString();
    }

    public static String now() {
        return RFC3339.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    }

    // ---------------------------------------------------------------- update

    /** Which part of an object a write may change. */
    public enum Part { MAIN, STATUS }

    /** PUT: replaces the object (or its status), with the body's resourceVersion as precondition when set. */
    public Mono<Written> update(ResourceType t, String ns, String name, HasMetadata body, Part part) {
        return update(t, ns, name, body, part, UserInfo.apiserver());
    }

    /** PUT for {@code user}; the update runs the admission chain (subresource "status" for {@link Part#STATUS}). */
    public Mono<Written> update(ResourceType t, String ns, String name, HasMetadata body, Part part, UserInfo user) {
        return update(t, ns, name, body, part, user, WriteOptions.NONE);
    }

    /** PUT with the request's {@link WriteOptions} (dry run, field manager). */
    public Mono<Written> update(ResourceType t, String ns, String name, HasMetadata body, Part part, UserInfo user,
                                WriteOptions options) {
        return Mono.defer(() -> {
            ObjectMeta bm = body.getMetadata();
            if (bm == null) {
                body.setMetadata(bm = new ObjectMeta());
            }
            // as Kubernetes' checkName: a body without a name does not match the URL either
            if (!name.equals(bm.getName())) {
                throw ApiException.badRequest("the name of the object (" + (bm.getName() == null ? "" : bm.getName())
                        + ") does not match the name on the URL (" + name + ")");
            }
            if (t.namespaced() && bm.getNamespace() != null && !bm.getNamespace().isEmpty() && !bm.getNamespace().equals(ns)) {
                throw ApiException.badRequest("the namespace of the provided object does not match the namespace sent on the request");
            }
            String precondition = bm.getResourceVersion();
            return guaranteedUpdate(t, ns, name, user, subresource(part), options.dryRun(), current -> {
                checkPrecondition(t, name, current, precondition);
                HasMetadata next = Codecs.json().convertValue(body, t.type());
                return trackFields(t, current,
                        part == Part.STATUS ? applyStatus(current, next) : prepareUpdate(t, current, next), options, part);
            });
        });
    }

    /** PATCH: applies a JSON, merge or strategic merge patch to the current object (retrying on conflicts unless pinned). */
    public Mono<Written> patch(ResourceType t, String ns, String name, String patchType, byte[] patch, Part part) {
        return patch(t, ns, name, patchType, patch, part, UserInfo.apiserver());
    }

    /** PATCH for {@code user}, with admission as {@link #update}. */
    public Mono<Written> patch(ResourceType t, String ns, String name, String patchType, byte[] patch, Part part,
                               UserInfo user) {
        return patch(t, ns, name, patchType, patch, part, user, WriteOptions.NONE);
    }

    /** PATCH with the request's {@link WriteOptions} (dry run, field manager, force for server-side apply). */
    public Mono<Written> patch(ResourceType t, String ns, String name, String patchType, byte[] patch, Part part,
                               UserInfo user, WriteOptions options) {
        return patch(t, ns, name, patchType, patch, part, user, options, new ArrayList<>());
    }

    /**
     * PATCH with field validation: {@code strictErrors} comes with what the caller found in the patch itself
     * (repeated keys) and gets the unknown fields of the patched object added, as Kubernetes' patcher reports them;
     * with {@code fieldValidation=Strict} any of them is a 400 and nothing is written, otherwise the caller turns the
     * list into warnings (Warn) or drops it (Ignore).
     */
    public Mono<Written> patch(ResourceType t, String ns, String name, String patchType, byte[] patch, Part part,
                               UserInfo user, WriteOptions options, List<String> strictErrors) {
        return patch(t, ns, name, patchType, patch, part, user, options, strictErrors, null);
    }

    /**
     * PATCH made in {@code served}'s version (null: the storage version): the patch applies to the served version's
     * view of the stored object, as Kubernetes' patcher applies it to the object converted to the request's
     * version, and the result is converted back before it is decoded, validated, admitted and stored.
     */
    public Mono<Written> patch(ResourceType t, String ns, String name, String patchType, byte[] patch, Part part,
                               UserInfo user, WriteOptions options, List<String> strictErrors,
                               io.kube4j.api.registry.ServedVersion served) {
        if (patchType.equals(io.kube4j.apiserver.patch.Patches.APPLY_PATCH)) {
            return apply(t, ns, name, patch, part, user, options);
        }
        ResourceType view = served == null ? t : served.served();
        int given = strictErrors.size();
        return guaranteedUpdate(t, ns, name, user, subresource(part), options.dryRun(), current -> {
            strictErrors.subList(given, strictErrors.size()).clear(); // a retry finds them again
            JsonNode doc = Codecs.json().valueToTree(current);
            if (served != null) {
                doc = served.converter().toServed((tools.jackson.databind.node.ObjectNode) doc);
            }
            JsonNode patched = io.kube4j.apiserver.patch.Patches.apply(patchType, doc, patch, view.apiVersion(),
                    view.kind());
            String apiVersion = patched.path("apiVersion").asString("");
            String kind = patched.path("kind").asString("");
            if (!patched.path("apiVersion").isMissingNode() && !apiVersion.equals(view.apiVersion())
                    || !patched.path("kind").isMissingNode() && !kind.equals(view.kind())) {
                throw ApiException.badRequest("the patched object's apiVersion/kind (" + apiVersion + "/" + kind
                        + ") does not match the resource " + t.qualifiedName() + " (" + view.apiVersion() + "/"
                        + view.kind() + ")");
            }
            if (served != null) {
                if (!(patched instanceof tools.jackson.databind.node.ObjectNode o)) {
                    throw ApiException.badRequest("the patched object is not an object");
                }
                tools.jackson.databind.node.ObjectNode stored = served.converter().toStorage(o);
                stored.put("kind", t.kind());
                patched = stored;
            }
            List<String> unknown = new ArrayList<>();
            HasMetadata next = decodeTree(t, patched, unknown);
            unknown.forEach(f -> strictErrors.add("unknown field \"" + f + "\""));
            if (!strictErrors.isEmpty() && options.fieldValidation() == WriteOptions.FieldValidation.STRICT) {
                throw ApiException.badRequest("strict decoding error: " + String.join(", ", strictErrors));
            }
            String pinned = next.getMetadata() == null ? null : next.getMetadata().getResourceVersion();
            if (pinned != null && !pinned.isEmpty() && !pinned.equals(current.getMetadata().getResourceVersion())) {
                throw ApiException.staleObject(t, name);
            }
            String patchedName = next.getMetadata().getName() == null ? "" : next.getMetadata().getName();
            if (!patchedName.equals(name)) {
                throw ApiException.badRequest("the name of the object (" + patchedName
                        + ") does not match the name on the URL (" + name + ")");
            }
            String patchedNs = next.getMetadata().getNamespace();
            if (t.namespaced() && ns != null && patchedNs != null && !patchedNs.isEmpty() && !patchedNs.equals(ns)) {
                throw ApiException.badRequest("the namespace of the object (" + patchedNs
                        + ") does not match the namespace on the request (" + ns + ")");
            }
            return trackFields(t, current,
                    part == Part.STATUS ? applyStatus(current, next) : prepareUpdate(t, current, next), options, part);
        });
    }

    // ---------------------------------------------------------------- server-side apply and managedFields

    /**
     * Records the write's manager in {@code next}'s managedFields ({@link FieldManager#update}); a write without a
     * manager (the apiserver's own) keeps the live managedFields unless it sent its own.
     */
    private static HasMetadata trackFields(ResourceType t, HasMetadata current, HasMetadata next, WriteOptions options,
                                           Part part) {
        if (options.fieldManager() == null) {
            if (current != null && isEmpty(next.getMetadata().getManagedFields())) {
                next.getMetadata().setManagedFields(current.getMetadata().getManagedFields());
            }
            return next;
        }
        FieldManager.update(t, current, next, options.fieldManager(), subresource(part));
        return next;
    }

    /**
     * Server-side apply ({@code application/apply-patch+yaml}): merges the configuration into the live object for
     * {@code options.fieldManager()} ({@link FieldManager#apply}), then defaulting, admission and validation as any
     * update; creates the object when it does not exist, as Kubernetes.
     */
    public Mono<Written> apply(ResourceType t, String ns, String name, byte[] body, Part part, UserInfo user,
                               WriteOptions options) {
        return Mono.defer(() -> {
            JsonNode config = io.kube4j.apiserver.rest.Bodies.parseObject(body,
                    io.kube4j.apiserver.patch.Patches.APPLY_PATCH);
            checkApplyConfig(t, ns, name, config);
            return applyOnce(t, ns, name, config, part, user, options)
                    .onErrorResume(e -> e instanceof ApiException a && a.code() == 409
                            && "AlreadyExists".equals(a.reason()), e -> applyOnce(t, ns, name, config, part, user,
                            options));
        });
    }

    private Mono<Written> applyOnce(ResourceType t, String ns, String name, JsonNode config, Part part, UserInfo user,
                                    WriteOptions options) {
        boolean status = part == Part.STATUS;
        return storage.get(t.key(ns, name)).hasElement().flatMap(exists -> {
            if (!exists) {
                if (status) {
                    return Mono.error(ApiException.notFound(t, name));
                }
                FieldManager.Applied a = FieldManager.apply(t, null, config, options.fieldManager(), options.force(),
                        false);
                HasMetadata obj = decodeTree(t, a.object());
                obj.getMetadata().setManagedFields(a.managedFields());
                return create(t, ns, obj, user, options, false);
            }
            return guaranteedUpdate(t, ns, name, user, subresource(part), options.dryRun(), current -> {
                FieldManager.Applied a = FieldManager.apply(t, current, config, options.fieldManager(),
                        options.force(), status);
                HasMetadata next = decodeTree(t, a.object());
                HasMetadata out = status ? applyStatus(current, next) : prepareUpdate(t, current, next);
                out.getMetadata().setManagedFields(a.managedFields());
                return out;
            });
        });
    }

    /** An applied configuration names its type and object, and they are the request's (400 otherwise). */
    private static void checkApplyConfig(ResourceType t, String ns, String name, JsonNode config) {
        String apiVersion = config.path("apiVersion").asString("");
        String kind = config.path("kind").asString("");
        if (apiVersion.isEmpty() || kind.isEmpty()) {
            throw ApiException.badRequest("apiVersion and kind must be set in an applied configuration");
        }
        if (!apiVersion.equals(t.apiVersion()) || !kind.equals(t.kind())) {
            throw ApiException.badRequest("the applied object's apiVersion/kind (" + apiVersion + "/" + kind
                    + ") does not match the resource " + t.qualifiedName() + " (" + t.apiVersion() + "/" + t.kind()
                    + ")");
        }
        String applied = config.path("metadata").path("name").asString("");
        if (!applied.equals(name)) {
            throw ApiException.badRequest("the name of the object (" + applied
                    + ") does not match the name on the URL (" + name + ")");
        }
        String appliedNs = config.path("metadata").path("namespace").asString("");
        if (t.namespaced() && !appliedNs.isEmpty() && !appliedNs.equals(ns)) {
            throw ApiException.badRequest("the namespace of the provided object does not match the namespace sent"
                    + " on the request");
        }
        if (!config.path("metadata").path("managedFields").isMissingNode()) {
            throw ApiException.badRequest("metadata.managedFields must be nil in an applied configuration");
        }
    }

    private static String subresource(Part part) {
        return part == Part.STATUS ? "status" : "";
    }

    /** Converts a patched or decoded tree to the resource's type; bad field values are the user's 422. */
    public HasMetadata decodeTree(ResourceType t, JsonNode tree) {
        return decodeTree(t, tree, new ArrayList<>());
    }

    /** {@link #decodeTree(ResourceType, JsonNode)} that adds the paths of the unknown fields it drops to {@code unknown}. */
    public HasMetadata decodeTree(ResourceType t, JsonNode tree, List<String> unknown) {
        try {
            HasMetadata obj = Codecs.json().treeToValue(tree, t.type());
            if (obj.getMetadata() == null) {
                obj.setMetadata(new ObjectMeta());
            }
            unknown.addAll(UnknownFields.strip(obj));
            return obj;
        } catch (tools.jackson.core.JacksonException e) {
            throw new ApiException(422, "Invalid", t.kind() + " is invalid: " + e.getOriginalMessage());
        }
    }

    private static void checkPrecondition(ResourceType t, String name, HasMetadata current, String rv) {
        if (rv != null && !rv.isEmpty() && !rv.equals(current.getMetadata().getResourceVersion())) {
            throw ApiException.staleObject(t, name);
        }
    }

    private HasMetadata applyStatus(HasMetadata current, HasMetadata next) {
        HasMetadata out = Codecs.json().convertValue(current, current.getClass());
        ObjectFields.copy(next, out, "status");
        return out;
    }

    private HasMetadata prepareUpdate(ResourceType t, HasMetadata current, HasMetadata next) {
        ObjectMeta cm = current.getMetadata();
        ObjectMeta nm = next.getMetadata();
        if (nm.getUid() != null && !nm.getUid().isEmpty() && !nm.getUid().equals(cm.getUid())) {
            throw ApiException.conflict(t, cm.getName(), "Precondition failed: UID in precondition: "
                    + nm.getUid() + ", UID in object meta: " + cm.getUid());
        }
        nm.setName(cm.getName());
        nm.setNamespace(cm.getNamespace());
        nm.setUid(cm.getUid());
        nm.setCreationTimestamp(cm.getCreationTimestamp());
        nm.setDeletionTimestamp(cm.getDeletionTimestamp());
        nm.setDeletionGracePeriodSeconds(cm.getDeletionGracePeriodSeconds());
        nm.setGeneration(cm.getGeneration());
        nm.setGenerateName(nm.getGenerateName() == null ? cm.getGenerateName() : nm.getGenerateName());
        nm.setResourceVersion(cm.getResourceVersion());
        nm.setSelfLink(null);
        if (t.hasSubresource("status")) {
            ObjectFields.copy(current, next, "status");
        }
        next.setApiVersion(t.apiVersion());
        ObjectFields.set(next, "kind", t.kind());
        Defaulting.apply(next);
        hooks.prepareForUpdate(t, next, current);
        if (specChanged(current, next)) {
            nm.setGeneration((cm.getGeneration() == null ? 0 : cm.getGeneration()) + 1);
        }
        List<FieldError> errors = new ArrayList<>(Validation.validateUpdate(t, next, current));
        errors.addAll(hooks.validate(t, next, current));
        if (!errors.isEmpty()) {
            throw ApiException.invalid(t, cm.getName(), errors);
        }
        return next;
    }

    private static boolean specChanged(HasMetadata a, HasMetadata b) {
        ObjectNode ta = (ObjectNode) Codecs.json().valueToTree(a);
        ObjectNode tb = (ObjectNode) Codecs.json().valueToTree(b);
        for (ObjectNode n : List.of(ta, tb)) {
            n.remove("metadata");
            n.remove("status");
            n.remove("apiVersion");
            n.remove("kind");
        }
        return !ta.equals(tb);
    }

    /**
     * Reads the current object, applies {@code mutate}, and writes the result with compare-and-swap; on a
     * conflict re-reads and re-applies (a mutation that pins a resourceVersion fails with 409 instead).
     * A write that removes the last finalizer of an object being deleted deletes it. No admission: for writes the
     * caller has admitted itself (pods/binding, namespaces/finalize) or the apiserver's own bookkeeping.
     */
    public Mono<Written> guaranteedUpdate(ResourceType t, String ns, String name, UnaryOperator<HasMetadata> mutate) {
        return guaranteedUpdate(new UpdateCall(t, ns, name, null, "", false, mutate), 0);
    }

    /**
     * {@link #guaranteedUpdate(ResourceType, String, String, UnaryOperator)} admitted for {@code user}: on every
     * attempt, the mutate function, the mutating admission chain (with the stored object as oldObject), validation
     * again of what admission changed (main resource only), the validating admission chain, then the CAS write.
     */
    public Mono<Written> guaranteedUpdate(ResourceType t, String ns, String name, UserInfo user, String subresource,
                                          UnaryOperator<HasMetadata> mutate) {
        return guaranteedUpdate(t, ns, name, user, subresource, false, mutate);
    }

    /**
     * {@link #guaranteedUpdate(ResourceType, String, String, UserInfo, String, UnaryOperator)} that, on
     * {@code dryRun}, runs everything up to the write (admission told it is a dry run) and answers the object as it
     * would have been written, storing nothing. {@code user} may be null: no admission, as the unadmitted variant.
     */
    public Mono<Written> guaranteedUpdate(ResourceType t, String ns, String name, UserInfo user, String subresource,
                                          boolean dryRun, UnaryOperator<HasMetadata> mutate) {
        return guaranteedUpdate(new UpdateCall(t, ns, name, user, subresource == null ? "" : subresource, dryRun,
                mutate), 0);
    }

    /** One guaranteed update's arguments, kept for its retries. */
    private record UpdateCall(ResourceType t, String ns, String name, UserInfo user, String subresource,
                              boolean dryRun, UnaryOperator<HasMetadata> mutate) {
    }

    private Mono<Written> guaranteedUpdate(UpdateCall call, int attempt) {
        ResourceType t = call.t();
        String key = t.key(call.ns(), call.name());
        return storage.get(key)
                .switchIfEmpty(Mono.error(() -> ApiException.notFound(t, call.name())))
                .flatMap(stored -> {
                    HasMetadata current = ObjectCodec.decode(t, stored.value(), stored.modRevision());
                    // The unmodified object (mutate may change current in place), decoded a second time only when
                    // something reads it: most updates (pods/binding, status writes) never do.
                    HasMetadata[] old = new HasMetadata[1];
                    java.util.function.Supplier<HasMetadata> snapshot = () -> {
                        if (old[0] == null) {
                            old[0] = ObjectCodec.decode(t, stored.value(), stored.modRevision());
                        }
                        return old[0];
                    };
                    if (hooks.usesOldObjectOnUpdate(t)) {
                        snapshot.get();
                    }
                    boolean admit = call.user() != null
                            && admission.applies(Operation.UPDATE, t, call.subresource(), call.user());
                    if (admit) {
                        snapshot.get();
                    }
                    HasMetadata next = call.mutate().apply(current);
                    if (!admit) {
                        return write(call, attempt, key, stored, next, snapshot);
                    }
                    HasMetadata before = old[0];
                    AdmissionAttributes attrs = new AdmissionAttributes(Operation.UPDATE, t, call.subresource(),
                            t.namespaced() ? call.ns() : "", call.name(), next, before, call.user(), call.dryRun(), null);
                    boolean revalidate = call.subresource().isEmpty()
                            && admission.mutates(Operation.UPDATE, t, "", call.user());
                    return admission.admit(attrs).flatMap(admitted -> {
                        if (revalidate) {
                            List<FieldError> errors = new ArrayList<>(Validation.validateUpdate(t, admitted, before));
                            errors.addAll(hooks.validate(t, admitted, before));
                            if (!errors.isEmpty()) {
                                return Mono.error(ApiException.invalid(t, call.name(), errors));
                            }
                        }
                        return admission.validate(attrs.withObject(admitted))
                                .then(Mono.defer(() -> write(call, attempt, key, stored, admitted, snapshot)));
                    });
                });
    }

    private Mono<Written> write(UpdateCall call, int attempt, String key, StoredObject stored, HasMetadata next,
                                java.util.function.Supplier<HasMetadata> snapshot) {
        ResourceType t = call.t();
        if (call.user() != null && call.subresource().isEmpty() && !(next instanceof io.fabric8.kubernetes.api.model.Pod)) {
            return warn(next, snapshot.get()).then(Mono.defer(() -> writeWarned(call, attempt, key, stored, next, snapshot)));
        }
        return writeWarned(call, attempt, key, stored, next, snapshot);
    }

    /**
     * Adds Kubernetes' deprecation warnings for what is being written (pod specs and templates) to the request's
     * {@code Warning} headers; no-op outside a request.
     */
    private static Mono<Void> warn(HasMetadata obj, HasMetadata old) {
        List<String> warnings = io.kube4j.apiserver.registry.warnings.PodSpecWarnings.forWrite(obj, old);
        return warnings.isEmpty() ? Mono.empty()
                : Flux.fromIterable(warnings).concatMap(io.kube4j.apiserver.admission.AdmissionWarnings::add).then();
    }

    private Mono<Written> writeWarned(UpdateCall call, int attempt, String key, StoredObject stored, HasMetadata next,
                                      java.util.function.Supplier<HasMetadata> snapshot) {
        ResourceType t = call.t();
        next.getMetadata().setResourceVersion(Long.toString(stored.modRevision()));
        byte[] bytes = ObjectCodec.encodeForStorage(next);
        if (!stored.stale() && java.util.Arrays.equals(bytes, stored.value())) {
            return Mono.just(Written.of(snapshot.get(), stored.value(), stored.modRevision()));
        }
        if (call.dryRun()) {
            return dryRunWrite(call, next, bytes, stored, snapshot);
        }
        if (next.getMetadata().getDeletionTimestamp() != null
                && shouldDeleteDuringUpdate(t, next, snapshot.get())) {
            return storage.delete(key, stored.modRevision()).flatMap(r -> r.succeeded()
                    ? hooks.afterDelete(t, next).thenReturn(new Written(next, ObjectCodec.encode(next)))
                    : retry(call, attempt));
        }
        HasMetadata snap = hooks.usesOldObjectOnUpdate(t) ? snapshot.get() : null;
        Mono<Void> before = hooks.beforeUpdate(t, next, snap);
        return before.then(storage.update(key, bytes, stored.modRevision(), ttl(t)))
                .flatMap(r -> {
                    if (r.succeeded()) {
                        long rv = r.object().modRevision();
                        next.getMetadata().setResourceVersion(Long.toString(rv));
                        return hooks.afterUpdate(t, next, snap).thenReturn(Written.of(next, bytes, rv));
                    }
                    return hooks.updateFailed(t, next, snap).then(retry(call, attempt));
                });
    }

    /**
     * The end of a {@code dryRun=All} update: the object as the write would leave it, with the stored
     * resourceVersion (Kubernetes answers a dry-run update so), new NodePorts checked but not claimed, and no delete
     * when the update removed the last finalizer.
     */
    private Mono<Written> dryRunWrite(UpdateCall call, HasMetadata next, byte[] bytes, StoredObject stored,
                                      java.util.function.Supplier<HasMetadata> snapshot) {
        ResourceType t = call.t();
        if (next.getMetadata().getDeletionTimestamp() != null && shouldDeleteDuringUpdate(t, next, snapshot.get())) {
            return Mono.just(new Written(next, ObjectCodec.encode(next)));
        }
        HasMetadata snap = hooks.usesOldObjectOnUpdate(t) ? snapshot.get() : null;
        return hooks.beforeUpdate(t, next, snap, true)
                .then(Mono.fromSupplier(() -> Written.of(next, ObjectCodec.encodeForStorage(next),
                        stored.modRevision())));
    }

    private Mono<Written> retry(UpdateCall call, int attempt) {
        if (attempt + 1 >= MAX_UPDATE_RETRIES) {
            return Mono.error(ApiException.staleObject(call.t(), call.name()));
        }
        return guaranteedUpdate(call, attempt + 1);
    }

    private boolean shouldDeleteDuringUpdate(ResourceType t, HasMetadata next, HasMetadata old) {
        ObjectMeta m = next.getMetadata();
        if (m.getDeletionTimestamp() == null || !isEmpty(m.getFinalizers())) {
            return false;
        }
        return hooks.canDeleteOnFinalizersGone(t, next, old);
    }

    private static boolean isEmpty(List<?> l) {
        return l == null || l.isEmpty();
    }

    // ---------------------------------------------------------------- delete

    public Mono<DeleteResult> delete(ResourceType t, String ns, String name, DeleteRequest req) {
        return delete(t, ns, name, req, UserInfo.apiserver());
    }

    /** Deletes for {@code user}: admission (operation DELETE, the stored object as oldObject) on every attempt. */
    public Mono<DeleteResult> delete(ResourceType t, String ns, String name, DeleteRequest req, UserInfo user) {
        return delete(t, ns, name, req, user, 0);
    }

    private Mono<DeleteResult> delete(ResourceType t, String ns, String name, DeleteRequest req, UserInfo user,
                                      int attempt) {
        String key = t.key(ns, name);
        return storage.get(key)
                .switchIfEmpty(Mono.error(() -> ApiException.notFound(t, name)))
                .flatMap(stored -> {
                    HasMetadata current = ObjectCodec.decode(t, stored.value(), stored.modRevision());
                    ObjectMeta m = current.getMetadata();
                    if (req.preconditionUid() != null && !req.preconditionUid().equals(m.getUid())) {
                        return Mono.error(ApiException.conflict(t, name, "Precondition failed: UID in precondition: "
                                + req.preconditionUid() + ", UID in object meta: " + m.getUid()));
                    }
                    if (req.preconditionVersion() != null && !req.preconditionVersion().equals(m.getResourceVersion())) {
                        return Mono.error(ApiException.conflict(t, name, "Precondition failed: ResourceVersion in precondition: "
                                + req.preconditionVersion() + ", ResourceVersion in object meta: " + m.getResourceVersion()));
                    }
                    if (!admission.applies(Operation.DELETE, t, "", user)) {
                        return deleteAdmitted(t, ns, name, req, user, attempt, key, stored, current);
                    }
                    AdmissionAttributes attrs = new AdmissionAttributes(Operation.DELETE, t, "",
                            t.namespaced() ? ns : "", name, null, current, user, req.dryRun(), null);
                    return admission.admitAndValidate(attrs).then(Mono.defer(() -> deleteAdmitted(t, ns, name, req,
                            user, attempt, key, stored, current)));
                });
    }

    private Mono<DeleteResult> deleteAdmitted(ResourceType t, String ns, String name, DeleteRequest req, UserInfo user,
                                              int attempt, String key, StoredObject stored, HasMetadata current) {
        ObjectMeta m = current.getMetadata();
        hooks.checkDelete(t, current);
        HasMetadata next = Codecs.json().convertValue(current, current.getClass());
        boolean pending = hooks.beginGracefulDelete(t, next, req);
        List<String> finalizers = new ArrayList<>(next.getMetadata().getFinalizers() == null
                ? List.of() : next.getMetadata().getFinalizers());
        if ("Orphan".equals(req.propagationPolicy()) && !finalizers.contains("orphan")) {
            finalizers.add("orphan");
        } else if ("Foreground".equals(req.propagationPolicy()) && !finalizers.contains("foregroundDeletion")) {
            finalizers.add("foregroundDeletion");
        }
        if (!finalizers.isEmpty()) {
            next.getMetadata().setFinalizers(finalizers);
            if (next.getMetadata().getDeletionTimestamp() == null) {
                next.getMetadata().setDeletionTimestamp(now());
                next.getMetadata().setDeletionGracePeriodSeconds(0L);
            }
            pending = true;
        }
        if (pending) {
            if (m.getDeletionTimestamp() == null) {
                next.getMetadata().setGeneration((m.getGeneration() == null ? 0 : m.getGeneration()) + 1);
            }
            byte[] bytes = ObjectCodec.encodeForStorage(next);
            if (!stored.stale() && java.util.Arrays.equals(bytes, stored.value())) {
                return Mono.just(new DeleteResult(current, false));
            }
            if (req.dryRun()) {
                // the object as the graceful delete would leave it, at its stored resourceVersion
                next.getMetadata().setResourceVersion(Long.toString(stored.modRevision()));
                return Mono.just(new DeleteResult(next, false));
            }
            return storage.update(key, bytes, stored.modRevision(), ttl(t)).flatMap(r -> {
                if (!r.succeeded()) {
                    return retryDelete(t, ns, name, req, user, attempt);
                }
                next.getMetadata().setResourceVersion(Long.toString(r.object().modRevision()));
                return Mono.just(new DeleteResult(next, false));
            });
        }
        if (req.dryRun()) {
            return Mono.just(new DeleteResult(current, true));
        }
        return storage.delete(key, stored.modRevision()).flatMap(r -> {
            if (!r.succeeded()) {
                return retryDelete(t, ns, name, req, user, attempt);
            }
            current.getMetadata().setResourceVersion(Long.toString(r.revision()));
            return hooks.afterDelete(t, current).thenReturn(new DeleteResult(current, true));
        });
    }

    private Mono<DeleteResult> retryDelete(ResourceType t, String ns, String name, DeleteRequest req, UserInfo user,
                                           int attempt) {
        if (attempt + 1 >= MAX_UPDATE_RETRIES) {
            return Mono.error(ApiException.staleObject(t, name));
        }
        return delete(t, ns, name, req, user, attempt + 1);
    }

    public Mono<List<HasMetadata>> deleteCollection(ResourceType t, String ns, ListOptions opts, DeleteRequest req) {
        return deleteCollection(t, ns, opts, req, UserInfo.apiserver());
    }

    /** Deletes every object a list selects, one by one (each admitted), as Kubernetes' deletecollection does. */
    public Mono<List<HasMetadata>> deleteCollection(ResourceType t, String ns, ListOptions opts, DeleteRequest req,
                                                    UserInfo user) {
        return list(t, ns, new ListOptions(opts.labels(), opts.fields(), null, null, 0, null))
                .flatMapMany(r -> Flux.fromIterable(r.items()))
                .map(json -> Codecs.json().readValue(json, t.type()))
                .concatMap(o -> delete(t, ns, o.getMetadata().getName(), req, user)
                        .map(DeleteResult::object)
                        .onErrorResume(e -> e instanceof ApiException a && a.code() == 404, e -> Mono.empty()))
                .collectList();
    }

    /** The continue token of a paginated list: the revision to keep reading at and the next key. */
    record ContinueToken(long revision, String startKey) {

        static String encode(long rev, String startKey) {
            String json = "{\"v\":\"meta.k8s.io/v1\",\"rv\":" + rev + ",\"start\":"
                    + Codecs.json().writeValueAsString(startKey) + "}";
            return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
        }

        static ContinueToken decode(String token) {
            try {
                JsonNode n = Codecs.json().readTree(Base64.getUrlDecoder().decode(token));
                long rv = n.get("rv").asLong();
                String start = n.get("start").asString();
                if (rv <= 0 || !Objects.equals(n.get("v").asString(), "meta.k8s.io/v1")) {
                    throw new IllegalArgumentException();
                }
                return new ContinueToken(rv, start);
            } catch (RuntimeException e) {
                throw ApiException.badRequest("invalid continue token");
            }
        }
    }

    /** Writes that bypass the API's lifecycle rules, for hooks (allocation bookkeeping). */
    Mono<WriteResult> rawCreate(String key, byte[] value) {
        return storage.create(key, value, null);
    }
}
