package io.kube4j.node.volume;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccountTokenProjection;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.kube4j.node.agent.NodeContext;
import io.kube4j.node.env.ConfigObjects;
import io.kube4j.node.env.EnvExpansion;
import io.kube4j.node.env.FieldPaths;
import io.kube4j.node.env.NodeAllocatable;
import io.kube4j.node.runtime.ContainerSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.kube4j.client.ApiStatusException;
import io.kube4j.node.runtime.hollow.HollowRuntime;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Pod volumes in host directories, laid out as the kubelet does:
 * {@code <rootDir>/pods/<uid>/volumes/<plugin>/<volume>} with plugins {@code kubernetes.io~empty-dir},
 * {@code ~configmap}, {@code ~secret}, {@code ~downward-api} and {@code ~projected}; the Docker runtime bind-mounts
 * them into containers. emptyDir with {@code medium: Memory} is an engine tmpfs volume
 * ({@link io.kube4j.node.runtime.ContainerRuntime#ensureTmpfsVolume}); a disk emptyDir's {@code sizeLimit} is not
 * enforced. hostPath checks its {@code type}. configMap, secret, downwardAPI and projected volumes are written with
 * {@link AtomicWriter}; a refresher re-reads the ConfigMaps and Secrets of set-up pods every {@code refreshPeriod}
 * (default 10 s; the kubelet's sync is about a minute, a shorter period costs one GET per object and period) on a
 * bounded-elastic thread, rewrites volumes whose content changed and then calls {@code onContentChanged} with the
 * pod's UID. downwardAPI contents are recomputed from the pod passed to each {@link #setUp}. Secret volumes are
 * plain directories, not tmpfs. Projected {@code serviceAccountToken} sources are tokens of the pod's ServiceAccount
 * bound to the pod, from the TokenRequest API through a {@link ServiceAccountTokenManager} (refreshed by the same
 * refresher once 80% of their lifetime has passed). persistentVolumeClaim volumes bind-mount the host directory
 * of the claim's Bound PV ({@code hostPath} or {@code local}, created if missing; the claim's {@code readOnly}
 * honoured); an unbound or missing claim fails setUp (FailedMount, retried). Other volume types (csi, nfs, ...)
 * fail setUp.
 */
public final class HostVolumeManager implements VolumeManager, AutoCloseable {

    public static final Duration DEFAULT_REFRESH_PERIOD = Duration.ofSeconds(10);
    static final String EMPTY_DIR = "kubernetes.io~empty-dir";
    static final String CONFIG_MAP = "kubernetes.io~configmap";
    static final String SECRET = "kubernetes.io~secret";
    static final String DOWNWARD_API = "kubernetes.io~downward-api";
    static final String PROJECTED = "kubernetes.io~projected";
    private static final int DEFAULT_MODE = 0644;
    /** The API's default of {@code serviceAccountToken.expirationSeconds}. */
    static final long DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;

    private static final Logger log = LoggerFactory.getLogger(HostVolumeManager.class);

    private final NodeContext ctx;
    private final Consumer<String> onContentChanged;
    private final ConfigObjects objects;
    private final ServiceAccountTokenManager tokens;
    private final Path podsDir;
    private final Map<String, PodVolumes> pods = new ConcurrentHashMap<>();
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private final ScheduledFuture<?> refresher;
    private volatile Map<String, BigDecimal> allocatable;

    /** A referenced object: kind ("configmap" / "secret") and name. */
    private record Ref(String kind, String name) {
    }

    /** What the manager knows of one pod: the latest spec, fetched objects, and a hash per written volume. */
    private static final class PodVolumes {
        Pod pod;
        boolean removed;
        final Map<Ref, Optional<? extends HasMetadata>> objects = new HashMap<>();
        final Map<String, String> hashes = new HashMap<>();
        final Set<String> tmpfs = new HashSet<>();
        final Set<String> warned = new HashSet<>();
        /** persistentVolumeClaim volumes: volume name to the PV's host directory, resolved once per pod. */
        final Map<String, Path> claimPaths = new ConcurrentHashMap<>();
    }

    /** A refresher every {@link #DEFAULT_REFRESH_PERIOD}. */
    public HostVolumeManager(NodeContext ctx, Consumer<String> onContentChanged) {
        this(ctx, onContentChanged, DEFAULT_REFRESH_PERIOD);
    }

    /**
     * @param onContentChanged called with a pod's UID after the refresher rewrote one of its volumes (may be null)
     * @param refreshPeriod    how often referenced ConfigMaps and Secrets are re-read (no refresher when
     *                         {@code ctx.scheduler()} is null)
     */
    public HostVolumeManager(NodeContext ctx, Consumer<String> onContentChanged, Duration refreshPeriod) {
        this(ctx, onContentChanged, refreshPeriod,
                ctx.client() == null ? null : ConfigObjects.of(ctx.client(), Duration.ofSeconds(10)));
    }

    /** As above, reading ConfigMaps and Secrets from {@code objects} (tests: an in-memory source). */
    public HostVolumeManager(NodeContext ctx, Consumer<String> onContentChanged, Duration refreshPeriod,
                             ConfigObjects objects) {
        this(ctx, onContentChanged, refreshPeriod, objects, ctx.client() == null ? null
                : new ServiceAccountTokenManager((ns, sa, tr) -> ctx.client().createToken(ns, sa, tr)
                        .block(Duration.ofSeconds(10)), ctx.clock()));
    }

    /**
     * As above, with ServiceAccount tokens from {@code tokens} (null: a projected serviceAccountToken source fails
     * setUp).
     */
    public HostVolumeManager(NodeContext ctx, Consumer<String> onContentChanged, Duration refreshPeriod,
                             ConfigObjects objects, ServiceAccountTokenManager tokens) {
        this.tokens = tokens;
        this.ctx = ctx;
        this.onContentChanged = onContentChanged == null ? uid -> { } : onContentChanged;
        this.objects = objects;
        this.podsDir = ctx.rootDir().toAbsolutePath().resolve("pods");
        long ms = Math.max(100, refreshPeriod.toMillis());
        this.refresher = ctx.scheduler() == null ? null
                : ctx.scheduler().scheduleWithFixedDelay(this::triggerRefresh, ms, ms, TimeUnit.MILLISECONDS);
    }

    // ---- setUp ----

    @Override
    public void setUp(Pod pod) {
        String uid = pod.getMetadata().getUid();
        PodVolumes state = pods.computeIfAbsent(uid, u -> new PodVolumes());
        synchronized (state) {
            state.removed = false;
            state.pod = pod;
            List<Volume> volumes = pod.getSpec().getVolumes() == null ? List.of() : pod.getSpec().getVolumes();
            mkdirs(podsDir.resolve(uid).resolve("volumes"));
            for (Volume v : volumes) {
                setUpVolume(pod, state, v);
            }
        }
    }

    private void setUpVolume(Pod pod, PodVolumes state, Volume v) {
        String uid = pod.getMetadata().getUid();
        if (v.getEmptyDir() != null) {
            EmptyDirVolumeSource ed = v.getEmptyDir();
            if ("Memory".equals(ed.getMedium())) {
                if (state.tmpfs.add(v.getName())) {
                    long size = ed.getSizeLimit() == null ? 0
                            : ed.getSizeLimit().getNumericalAmount().longValue();
                    try {
                        ctx.runtime().ensureTmpfsVolume(tmpfsVolumeName(uid, v.getName()), size, uid);
                    } catch (RuntimeException e) {
                        state.tmpfs.remove(v.getName());
                        throw failed(v, "could not create the tmpfs volume: " + e.getMessage(), e);
                    }
                }
            } else {
                Path dir = volumeDir(uid, EMPTY_DIR, v.getName());
                if (!Files.isDirectory(dir)) {
                    mkdirs(dir);
                    setMode(dir, 0777); // as the kubelet: any container user may write
                }
            }
        } else if (v.getHostPath() != null) {
            String p = v.getHostPath().getPath();
            if (p == null || !p.startsWith("/")) {
                throw failed(v, "hostPath path must be absolute, got \"" + p + "\"");
            }
            try {
                HostPathTypes.check(Path.of(p), v.getHostPath().getType());
            } catch (VolumeSetupException e) {
                throw failed(v, e.getMessage(), e);
            }
        } else if (v.getConfigMap() != null || v.getSecret() != null || v.getDownwardAPI() != null
                || v.getProjected() != null) {
            // fetch what this volume references and is not known yet (or was missing: it may exist now)
            for (Ref ref : refs(v)) {
                Optional<? extends HasMetadata> known = state.objects.get(ref);
                if (known == null || known.isEmpty()) {
                    try {
                        state.objects.put(ref, fetch(pod.getMetadata().getNamespace(), ref));
                    } catch (RuntimeException e) {
                        throw failed(v, "failed to get " + ref.kind() + " \"" + ref.name() + "\": " + e.getMessage(), e);
                    }
                }
            }
            Map<String, AtomicWriter.FileProjection> payload;
            try {
                payload = payload(pod, v, state, r -> state.objects.getOrDefault(r, Optional.empty()));
            } catch (VolumeSetupException e) {
                throw failed(v, e.getMessage(), e);
            }
            writeIfChanged(pod, state, v, payload);
        } else if (v.getPersistentVolumeClaim() != null) {
            Path known = state.claimPaths.get(v.getName());
            Path dir = known != null ? known : claimPath(pod, v);
            if (!isHollow()) {
                try {
                    // DirectoryOrCreate: a local-path volume's directory is made on first use
                    HostPathTypes.check(dir, "DirectoryOrCreate");
                } catch (VolumeSetupException e) {
                    throw failed(v, e.getMessage(), e);
                }
            }
            state.claimPaths.put(v.getName(), dir);
        } else {
            throw failed(v, "unsupported volume type (this node supports emptyDir, hostPath, configMap, secret, "
                    + "downwardAPI, projected and persistentVolumeClaim volumes)");
        }
    }

    /**
     * The host directory of a persistentVolumeClaim volume: the claim must be Bound to a PV whose {@code claimRef} is
     * this claim, with a {@code hostPath} or {@code local} source (the only ones a single host can serve). Until then
     * setUp fails, the pod worker reports FailedMount and retries, and the containers do not start.
     */
    private Path claimPath(Pod pod, Volume v) {
        String ns = pod.getMetadata().getNamespace();
        String claimName = v.getPersistentVolumeClaim().getClaimName();
        String what = "error processing PVC " + ns + "/" + claimName;
        if (ctx.client() == null) {
            throw failed(v, what + ": no apiserver client");
        }
        PersistentVolumeClaim claim;
        PersistentVolume volume;
        try {
            claim = ctx.client().resources(PersistentVolumeClaim.class).get(ns, claimName)
                    .onErrorResume(ApiStatusException.NotFound.class, e -> Mono.empty())
                    .block(Duration.ofSeconds(10));
            if (claim == null) {
                throw failed(v, what + ": persistentvolumeclaim \"" + claimName + "\" not found");
            }
            String volumeName = claim.getSpec() == null ? null : claim.getSpec().getVolumeName();
            if (volumeName == null || volumeName.isEmpty() || claim.getStatus() == null
                    || !"Bound".equals(claim.getStatus().getPhase())) {
                throw failed(v, what + ": PVC is not bound");
            }
            volume = ctx.client().resources(PersistentVolume.class).get(null, volumeName)
                    .onErrorResume(ApiStatusException.NotFound.class, e -> Mono.empty())
                    .block(Duration.ofSeconds(10));
            if (volume == null) {
                throw failed(v, what + ": persistentvolume \"" + volumeName + "\" not found");
            }
        } catch (VolumeSetupException e) {
            throw e;
        } catch (RuntimeException e) {
            throw failed(v, what + ": " + e.getMessage(), e);
        }
        var ref = volume.getSpec().getClaimRef();
        if (ref == null || !ns.equals(ref.getNamespace()) || !claimName.equals(ref.getName())
                || (ref.getUid() != null && !ref.getUid().equals(claim.getMetadata().getUid()))) {
            throw failed(v, what + ": persistentvolume \"" + volume.getMetadata().getName()
                    + "\" is not bound to this claim");
        }
        String path = volume.getSpec().getHostPath() != null ? volume.getSpec().getHostPath().getPath()
                : volume.getSpec().getLocal() != null ? volume.getSpec().getLocal().getPath() : null;
        if (path == null || !path.startsWith("/")) {
            throw failed(v, "persistentvolume \"" + volume.getMetadata().getName()
                    + "\" has no hostPath or local path this node can mount");
        }
        return Path.of(path);
    }

    /** A hollow node runs no containers: its claims are checked but nothing is created on this host. */
    private boolean isHollow() {
        try {
            return ctx.runtime() != null
                    && HollowRuntime.RUNTIME_NAME.equals(ctx.runtime().info().runtimeName());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Writes the payload when its hash differs from what this manager last wrote; true when it wrote. */
    private boolean writeIfChanged(Pod pod, PodVolumes state, Volume v, Map<String, AtomicWriter.FileProjection> payload) {
        String hash = hash(payload);
        if (hash.equals(state.hashes.get(v.getName()))) {
            return false;
        }
        Path dir = volumeDir(pod.getMetadata().getUid(), plugin(v), v.getName());
        mkdirs(dir.getParent());
        try {
            new AtomicWriter(dir).write(payload);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw failed(v, e.getMessage(), e);
        }
        state.hashes.put(v.getName(), hash);
        return true;
    }

    private static VolumeSetupException failed(Volume v, String message) {
        return new VolumeSetupException("MountVolume.SetUp failed for volume \"" + v.getName() + "\" : " + message);
    }

    private static VolumeSetupException failed(Volume v, String message, Throwable cause) {
        if (cause instanceof VolumeSetupException vse && vse.getMessage().startsWith("MountVolume.")) {
            return vse;
        }
        return new VolumeSetupException("MountVolume.SetUp failed for volume \"" + v.getName() + "\" : " + message,
                cause);
    }

    // ---- payloads ----

    private static List<Ref> refs(Volume v) {
        List<Ref> out = new ArrayList<>();
        if (v.getConfigMap() != null) {
            out.add(new Ref("configmap", v.getConfigMap().getName()));
        } else if (v.getSecret() != null) {
            out.add(new Ref("secret", v.getSecret().getSecretName()));
        } else if (v.getProjected() != null && v.getProjected().getSources() != null) {
            for (VolumeProjection s : v.getProjected().getSources()) {
                if (s.getConfigMap() != null) {
                    out.add(new Ref("configmap", s.getConfigMap().getName()));
                } else if (s.getSecret() != null) {
                    out.add(new Ref("secret", s.getSecret().getName()));
                }
            }
        }
        return out;
    }

    private Optional<? extends HasMetadata> fetch(String namespace, Ref ref) {
        if (objects == null) {
            throw new IllegalStateException("no apiserver client");
        }
        return ref.kind().equals("configmap") ? objects.configMap(namespace, ref.name())
                : objects.secret(namespace, ref.name());
    }

    /** The files of a configMap, secret, downwardAPI or projected volume. */
    private Map<String, AtomicWriter.FileProjection> payload(Pod pod, Volume v, PodVolumes state,
                                                            Function<Ref, Optional<? extends HasMetadata>> lookup) {
        Map<String, AtomicWriter.FileProjection> out = new TreeMap<>();
        if (v.getConfigMap() != null) {
            var src = v.getConfigMap();
            int mode = src.getDefaultMode() == null ? DEFAULT_MODE : src.getDefaultMode();
            addConfigMap(out, src.getName(), src.getItems(), Boolean.TRUE.equals(src.getOptional()), mode,
                    lookup.apply(new Ref("configmap", src.getName())));
        } else if (v.getSecret() != null) {
            var src = v.getSecret();
            int mode = src.getDefaultMode() == null ? DEFAULT_MODE : src.getDefaultMode();
            addSecret(out, src.getSecretName(), src.getItems(), Boolean.TRUE.equals(src.getOptional()), mode,
                    lookup.apply(new Ref("secret", src.getSecretName())));
        } else if (v.getDownwardAPI() != null) {
            var src = v.getDownwardAPI();
            int mode = src.getDefaultMode() == null ? DEFAULT_MODE : src.getDefaultMode();
            addDownward(out, pod, src.getItems(), mode);
        } else if (v.getProjected() != null) {
            var src = v.getProjected();
            int mode = src.getDefaultMode() == null ? DEFAULT_MODE : src.getDefaultMode();
            for (VolumeProjection s : src.getSources() == null ? List.<VolumeProjection>of() : src.getSources()) {
                if (s.getConfigMap() != null) {
                    var p = s.getConfigMap();
                    addConfigMap(out, p.getName(), p.getItems(), Boolean.TRUE.equals(p.getOptional()), mode,
                            lookup.apply(new Ref("configmap", p.getName())));
                } else if (s.getSecret() != null) {
                    var p = s.getSecret();
                    addSecret(out, p.getName(), p.getItems(), Boolean.TRUE.equals(p.getOptional()), mode,
                            lookup.apply(new Ref("secret", p.getName())));
                } else if (s.getDownwardAPI() != null) {
                    addDownward(out, pod, s.getDownwardAPI().getItems(), mode);
                } else if (s.getServiceAccountToken() != null) {
                    addServiceAccountToken(out, pod, s.getServiceAccountToken(), mode);
                } else if (state.warned.add(v.getName())) {
                    log.warn("pod {}/{} volume {}: skipping a projected source other than configMap, secret, "
                                    + "downwardAPI and serviceAccountToken (clusterTrustBundle, podCertificate)",
                            pod.getMetadata().getNamespace(), pod.getMetadata().getName(), v.getName());
                }
            }
        }
        return out;
    }

    /** Kubernetes' projection: a token of the pod's ServiceAccount, bound to the pod, for the source's audience. */
    private void addServiceAccountToken(Map<String, AtomicWriter.FileProjection> out, Pod pod,
                                        ServiceAccountTokenProjection source, int mode) {
        if (tokens == null) {
            throw new VolumeSetupException("failed to fetch token: this node has no apiserver client");
        }
        String namespace = pod.getMetadata().getNamespace();
        String serviceAccount = serviceAccountName(pod);
        TokenRequest request = new TokenRequestBuilder().withNewSpec()
                .withAudiences(source.getAudience() == null || source.getAudience().isEmpty() ? List.of()
                        : List.of(source.getAudience()))
                .withExpirationSeconds(source.getExpirationSeconds() == null ? DEFAULT_TOKEN_EXPIRATION_SECONDS
                        : source.getExpirationSeconds())
                .withNewBoundObjectRef().withApiVersion("v1").withKind("Pod").withName(pod.getMetadata().getName())
                .withUid(pod.getMetadata().getUid()).endBoundObjectRef()
                .endSpec().build();
        TokenRequest answer;
        try {
            answer = tokens.serviceAccountToken(namespace, serviceAccount, request);
        } catch (RuntimeException e) {
            throw new VolumeSetupException("failed to fetch token: " + e.getMessage(), e);
        }
        out.put(source.getPath(), new AtomicWriter.FileProjection(
                answer.getStatus().getToken().getBytes(StandardCharsets.UTF_8), mode));
    }

    /** {@code spec.serviceAccountName}, else the deprecated {@code spec.serviceAccount}, else {@code default}. */
    static String serviceAccountName(Pod pod) {
        String name = pod.getSpec().getServiceAccountName();
        if (name == null || name.isEmpty()) {
            name = pod.getSpec().getServiceAccount();
        }
        return name == null || name.isEmpty() ? "default" : name;
    }

    private static boolean hasServiceAccountToken(Volume v) {
        return v.getProjected() != null && v.getProjected().getSources() != null
                && v.getProjected().getSources().stream().anyMatch(s -> s.getServiceAccountToken() != null);
    }

    private static void addConfigMap(Map<String, AtomicWriter.FileProjection> out, String name, List<KeyToPath> items,
                                     boolean optional, int mode, Optional<? extends HasMetadata> object) {
        if (object.isEmpty()) {
            if (optional) {
                return;
            }
            throw new VolumeSetupException("configmap \"" + name + "\" not found");
        }
        ConfigMap cm = (ConfigMap) object.get();
        Map<String, byte[]> data = new TreeMap<>();
        if (cm.getData() != null) {
            cm.getData().forEach((k, val) -> data.put(k, (val == null ? "" : val).getBytes(StandardCharsets.UTF_8)));
        }
        if (cm.getBinaryData() != null) {
            cm.getBinaryData().forEach((k, val) -> data.put(k, Base64.getMimeDecoder().decode(val == null ? "" : val)));
        }
        addItems(out, data, items, optional, mode, "configmap references non-existent config key: ");
    }

    private static void addSecret(Map<String, AtomicWriter.FileProjection> out, String name, List<KeyToPath> items,
                                  boolean optional, int mode, Optional<? extends HasMetadata> object) {
        if (object.isEmpty()) {
            if (optional) {
                return;
            }
            throw new VolumeSetupException("secret \"" + name + "\" not found");
        }
        Secret s = (Secret) object.get();
        Map<String, byte[]> data = new TreeMap<>();
        if (s.getData() != null) {
            s.getData().forEach((k, val) -> data.put(k, Base64.getMimeDecoder().decode(val == null ? "" : val)));
        }
        if (s.getStringData() != null) {
            s.getStringData().forEach((k, val) -> data.put(k, val.getBytes(StandardCharsets.UTF_8)));
        }
        addItems(out, data, items, optional, mode, "references non-existent secret key: ");
    }

    private static void addItems(Map<String, AtomicWriter.FileProjection> out, Map<String, byte[]> data,
                                 List<KeyToPath> items, boolean optional, int mode, String missingKey) {
        if (items == null || items.isEmpty()) {
            data.forEach((k, bytes) -> out.put(k, new AtomicWriter.FileProjection(bytes, mode)));
            return;
        }
        for (KeyToPath item : items) {
            byte[] bytes = data.get(item.getKey());
            if (bytes == null) {
                if (optional) {
                    continue;
                }
                throw new VolumeSetupException(missingKey + item.getKey());
            }
            String path = item.getPath() == null || item.getPath().isEmpty() ? item.getKey() : item.getPath();
            out.put(path, new AtomicWriter.FileProjection(bytes, item.getMode() == null ? mode : item.getMode()));
        }
    }

    private void addDownward(Map<String, AtomicWriter.FileProjection> out, Pod pod, List<DownwardAPIVolumeFile> items,
                             int mode) {
        if (items == null) {
            return;
        }
        for (DownwardAPIVolumeFile f : items) {
            String value;
            try {
                if (f.getFieldRef() != null) {
                    value = FieldPaths.fieldValue(pod, f.getFieldRef().getFieldPath(), null, null);
                } else if (f.getResourceFieldRef() != null) {
                    var ref = f.getResourceFieldRef();
                    Container c = findContainer(pod, ref.getContainerName());
                    if (c == null) {
                        throw new VolumeSetupException("downwardAPI " + f.getPath() + ": container \""
                                + ref.getContainerName() + "\" not found");
                    }
                    value = FieldPaths.resourceValue(c, ref.getResource(), ref.getDivisor(), allocatableSupplier());
                } else {
                    continue;
                }
            } catch (IllegalArgumentException e) {
                throw new VolumeSetupException("downwardAPI " + f.getPath() + ": " + e.getMessage());
            }
            out.put(f.getPath(), new AtomicWriter.FileProjection(value.getBytes(StandardCharsets.UTF_8),
                    f.getMode() == null ? mode : f.getMode()));
        }
    }

    private Supplier<Map<String, BigDecimal>> allocatableSupplier() {
        return () -> {
            Map<String, BigDecimal> a = allocatable;
            if (a == null) {
                a = NodeAllocatable.of(ctx.runtime().info(), ctx.properties());
                allocatable = a;
            }
            return a;
        };
    }

    private static Container findContainer(Pod pod, String name) {
        for (List<Container> l : List.of(nn(pod.getSpec().getContainers()), nn(pod.getSpec().getInitContainers()))) {
            for (Container c : l) {
                if (c.getName().equals(name)) {
                    return c;
                }
            }
        }
        return null;
    }

    private static <T> List<T> nn(List<T> l) {
        return l == null ? List.of() : l;
    }

    static String hash(Map<String, AtomicWriter.FileProjection> payload) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, AtomicWriter.FileProjection> e : new TreeMap<>(payload).entrySet()) {
                md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(Integer.toString(e.getValue().mode()).getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(Integer.toString(e.getValue().data().length).getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(e.getValue().data());
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- refresher ----

    private void triggerRefresh() {
        if (pods.isEmpty() || !refreshing.compareAndSet(false, true)) {
            return;
        }
        // the GETs block: never on the shared scheduler
        Schedulers.boundedElastic().schedule(() -> {
            try {
                refreshAll();
            } catch (RuntimeException e) {
                log.warn("volume refresh failed: {}", e.toString());
            } finally {
                refreshing.set(false);
            }
        });
    }

    /** Re-reads every referenced ConfigMap and Secret and rewrites the volumes whose content changed. */
    public void refreshAll() {
        if (tokens != null) {
            tokens.cleanup();
        }
        for (Map.Entry<String, PodVolumes> e : pods.entrySet()) {
            try {
                if (refreshPod(e.getKey(), e.getValue())) {
                    onContentChanged.accept(e.getKey());
                }
            } catch (RuntimeException ex) {
                log.warn("refreshing the volumes of pod {} failed: {}", e.getKey(), ex.toString());
            }
        }
    }

    private boolean refreshPod(String uid, PodVolumes state) {
        Pod pod;
        Set<Ref> refs;
        synchronized (state) {
            if (state.removed || state.pod == null) {
                return false;
            }
            pod = state.pod;
            refs = new HashSet<>(state.objects.keySet());
        }
        if (refs.isEmpty() && nn(pod.getSpec().getVolumes()).stream().noneMatch(HostVolumeManager::hasServiceAccountToken)) {
            return false;
        }
        Map<Ref, Optional<? extends HasMetadata>> fresh = new HashMap<>();
        for (Ref ref : refs) {
            try {
                fresh.put(ref, fetch(pod.getMetadata().getNamespace(), ref));
            } catch (RuntimeException e) {
                log.debug("pod {}: could not re-read {} {}: {}", uid, ref.kind(), ref.name(), e.toString());
            }
        }
        boolean changed = false;
        synchronized (state) {
            if (state.removed) {
                return false;
            }
            state.objects.putAll(fresh);
            for (Volume v : nn(state.pod.getSpec().getVolumes())) {
                if (v.getConfigMap() == null && v.getSecret() == null && v.getProjected() == null) {
                    continue;
                }
                try {
                    var payload = payload(state.pod, v, state, r -> state.objects.getOrDefault(r, Optional.empty()));
                    if (writeIfChanged(state.pod, state, v, payload)) {
                        log.info("pod {}/{}: updated volume {}", state.pod.getMetadata().getNamespace(),
                                state.pod.getMetadata().getName(), v.getName());
                        changed = true;
                    }
                } catch (VolumeSetupException e) {
                    // e.g. the ConfigMap was deleted: keep what the container sees, as the kubelet does
                    log.debug("pod {}: keeping volume {}: {}", uid, v.getName(), e.getMessage());
                }
            }
        }
        return changed;
    }

    // ---- mounts ----

    @Override
    public List<ContainerSpec.Mount> mounts(Pod pod, Container container) {
        String uid = pod.getMetadata().getUid();
        Map<String, Volume> byName = new LinkedHashMap<>();
        for (Volume v : nn(pod.getSpec().getVolumes())) {
            byName.put(v.getName(), v);
        }
        List<ContainerSpec.Mount> out = new ArrayList<>();
        for (VolumeMount m : nn(container.getVolumeMounts())) {
            Volume v = byName.get(m.getName());
            if (v == null) {
                throw new VolumeSetupException("cannot find volume \"" + m.getName() + "\" to mount into container \""
                        + container.getName() + "\"");
            }
            boolean readOnly = Boolean.TRUE.equals(m.getReadOnly());
            String subPath = subPath(pod, container, m);
            if (v.getEmptyDir() != null && "Memory".equals(v.getEmptyDir().getMedium())) {
                if (!subPath.isEmpty()) {
                    throw new VolumeSetupException("volume \"" + v.getName() + "\": subPath is not supported on an "
                            + "emptyDir with medium Memory on this node");
                }
                out.add(ContainerSpec.Mount.volume(tmpfsVolumeName(uid, v.getName()), m.getMountPath(), readOnly));
                continue;
            }
            Path base;
            boolean writable;
            if (v.getEmptyDir() != null) {
                base = volumeDir(uid, EMPTY_DIR, v.getName());
                writable = true;
            } else if (v.getHostPath() != null) {
                base = Path.of(v.getHostPath().getPath());
                writable = true;
            } else if (v.getConfigMap() != null || v.getSecret() != null || v.getDownwardAPI() != null
                    || v.getProjected() != null) {
                base = volumeDir(uid, plugin(v), v.getName());
                writable = false;
            } else if (v.getPersistentVolumeClaim() != null) {
                PodVolumes state = pods.get(uid);
                base = state == null ? null : state.claimPaths.get(v.getName());
                if (base == null) {
                    throw new VolumeSetupException("volume \"" + v.getName() + "\": persistentVolumeClaim \""
                            + v.getPersistentVolumeClaim().getClaimName() + "\" is not set up");
                }
                writable = !Boolean.TRUE.equals(v.getPersistentVolumeClaim().getReadOnly());
            } else {
                throw new VolumeSetupException("volume \"" + v.getName() + "\": unsupported volume type");
            }
            Path source = subPath.isEmpty() ? base : resolveSubPath(v, base, subPath, writable);
            out.add(ContainerSpec.Mount.bind(source.toString(), m.getMountPath(), readOnly || !writable));
        }
        return out;
    }

    /** subPath, or subPathExpr expanded with the container's literal and metadata env values. */
    private static String subPath(Pod pod, Container container, VolumeMount m) {
        if (m.getSubPathExpr() != null && !m.getSubPathExpr().isEmpty()) {
            Map<String, String> env = new HashMap<>();
            for (var e : nn(container.getEnv())) {
                if (e.getValueFrom() == null) {
                    String raw = e.getValue() == null ? "" : e.getValue();
                    env.put(e.getName(), EnvExpansion.expand(raw, env::get));
                } else if (e.getValueFrom().getFieldRef() != null) {
                    try {
                        env.put(e.getName(), FieldPaths.fieldValue(pod, e.getValueFrom().getFieldRef().getFieldPath(),
                                null, null));
                    } catch (IllegalArgumentException ignored) {
                        // not a metadata field: not available for subPathExpr here
                    }
                }
            }
            return EnvExpansion.expand(m.getSubPathExpr(), env::get);
        }
        return m.getSubPath() == null ? "" : m.getSubPath();
    }

    private static Path resolveSubPath(Volume v, Path base, String subPath, boolean create) {
        if (subPath.startsWith("/")) {
            throw new VolumeSetupException("volume \"" + v.getName() + "\": subPath \"" + subPath
                    + "\" must be a relative path");
        }
        for (String part : subPath.split("/")) {
            if (part.equals("..")) {
                throw new VolumeSetupException("volume \"" + v.getName() + "\": subPath \"" + subPath
                        + "\" must not contain '..'");
            }
        }
        Path p = base.resolve(subPath).normalize();
        try {
            if (!Files.exists(p) && create) {
                Files.createDirectories(p);
            }
            // symlinks inside the volume may point anywhere: the resolved path must stay inside it
            Path real = p.toRealPath();
            if (!real.startsWith(base.toRealPath())) {
                throw new VolumeSetupException("subpath \"" + real + "\" not within volume path \"" + base + "\"");
            }
            return real;
        } catch (IOException e) {
            throw new VolumeSetupException("volume \"" + v.getName() + "\": subPath \"" + subPath + "\": " + e, e);
        }
    }

    // ---- tearDown ----

    @Override
    public void tearDown(String podUid) {
        PodVolumes state = pods.remove(podUid);
        if (tokens != null) {
            tokens.deleteServiceAccountTokens(podUid);
        }
        if (state != null) {
            synchronized (state) {
                state.removed = true;
            }
        }
        try {
            AtomicWriter.deleteRecursively(podsDir.resolve(podUid));
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove the volumes of pod " + podUid + ": " + e.getMessage(), e);
        }
        if (ctx.runtime() != null) {
            ctx.runtime().removePodVolumes(podUid);
        }
    }

    @Override
    public List<String> podsWithVolumes() {
        if (!Files.isDirectory(podsDir)) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(podsDir)) {
            for (Path d : dirs) {
                if (Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
                    out.add(d.getFileName().toString());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(null);
        return out;
    }

    /** Stops the refresher. */
    @Override
    public void close() {
        if (refresher != null) {
            refresher.cancel(false);
        }
    }

    // ---- paths ----

    /** The host directory of a volume of the pod. */
    public Path volumeDir(String podUid, String plugin, String volumeName) {
        return podsDir.resolve(podUid).resolve("volumes").resolve(plugin).resolve(volumeName);
    }

    static String plugin(Volume v) {
        if (v.getEmptyDir() != null) {
            return EMPTY_DIR;
        } else if (v.getConfigMap() != null) {
            return CONFIG_MAP;
        } else if (v.getSecret() != null) {
            return SECRET;
        } else if (v.getDownwardAPI() != null) {
            return DOWNWARD_API;
        } else if (v.getProjected() != null) {
            return PROJECTED;
        }
        throw new IllegalArgumentException("no directory for volume " + v.getName());
    }

    /**
     * The engine volume of a Memory emptyDir: {@code k8s-<uid>-<volume>}, at most 63 characters (long volume names
     * are cut and get a hash suffix), valid as a Docker volume name.
     */
    public static String tmpfsVolumeName(String podUid, String volumeName) {
        String name = "k8s-" + podUid + "-" + volumeName;
        if (name.length() <= 63) {
            return name;
        }
        String h = hash(Map.of(volumeName, new AtomicWriter.FileProjection(new byte[0], 0))).substring(0, 8);
        String prefix = "k8s-" + podUid + "-";
        return prefix + volumeName.substring(0, 63 - prefix.length() - 9) + "-" + h;
    }

    private static void mkdirs(Path dir) {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.getParent();
        if (parent != null) {
            mkdirs(parent);
        }
        try {
            Files.createDirectory(dir);
            setMode(dir, 0755);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // made concurrently
        } catch (IOException e) {
            throw new VolumeSetupException("could not create " + dir + ": " + e, e);
        }
    }

    private static void setMode(Path p, int mode) {
        try {
            Files.setPosixFilePermissions(p, AtomicWriter.permissions(mode));
        } catch (IOException e) {
            throw new VolumeSetupException("could not set the permissions of " + p + ": " + e, e);
        }
    }
}
