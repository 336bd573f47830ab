package io.kube4j.node.env;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.node.agent.NodeContext;
import io.kube4j.node.runtime.ContainerSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's {@code makeEnvironmentVariables}: envFrom (ConfigMaps and Secrets, with prefix; keys that are not
 * valid variable names are skipped with an {@code InvalidEnvironmentVariableNames} event), then env in order with
 * {@code $(VAR)} expansion of literal values against the variables defined before them, and valueFrom fieldRef,
 * resourceFieldRef, configMapKeyRef and secretKeyRef. Objects are fetched from the apiserver once per call.
 * A resourceFieldRef to a limit the container does not set yields the node's allocatable amount (as the kubelet).
 * Service variables ({@link ServiceEnv}: the {@code kubernetes} Service always, the namespace's Services with
 * {@code enableServiceLinks}) come from a {@link ServiceSource} when there is one; they may be referenced in values
 * and are added last, unless a variable of the same name is already set.
 */
public final class KubeletEnvResolver implements EnvResolver {

    private static final Logger log = LoggerFactory.getLogger(KubeletEnvResolver.class);
    /** validation.IsEnvVarName. */
    private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");

    private final NodeContext ctx;
    private final ConfigObjects objects;
    private final Supplier<List<Service>> services;
    private volatile Map<String, BigDecimal> allocatable;

    public KubeletEnvResolver(NodeContext ctx) {
        this(ctx, Duration.ofSeconds(10));
    }

    /** @param fetchTimeout how long one ConfigMap/Secret GET may take */
    public KubeletEnvResolver(NodeContext ctx, Duration fetchTimeout) {
        this(ctx, ConfigObjects.of(ctx.client(), fetchTimeout));
    }

    /** Reads ConfigMaps and Secrets from {@code objects} (tests: an in-memory source). */
    public KubeletEnvResolver(NodeContext ctx, ConfigObjects objects) {
        this(ctx, objects, null);
    }

    /** With service variables from {@code services} (null: none, as a kubelet without an apiserver). */
    public KubeletEnvResolver(NodeContext ctx, ConfigObjects objects, Supplier<List<Service>> services) {
        this.ctx = ctx;
        this.objects = objects;
        this.services = services;
    }

    @Override
    public List<ContainerSpec.EnvVar> resolve(Pod pod, Container container, String podIp, String hostIp) {
        String ns = pod.getMetadata().getNamespace();
        Map<String, Optional<ConfigMap>> configMaps = new HashMap<>();
        Map<String, Optional<Secret>> secrets = new HashMap<>();
        Map<String, String> env = new LinkedHashMap<>();
        Map<String, String> serviceEnv = services == null ? Map.of()
                : ServiceEnv.forPod(ns, !Boolean.FALSE.equals(pod.getSpec().getEnableServiceLinks()), services.get());

        if (container.getEnvFrom() != null) {
            for (EnvFromSource from : container.getEnvFrom()) {
                String prefix = from.getPrefix() == null ? "" : from.getPrefix();
                List<String> invalid = new ArrayList<>();
                String what;
                if (from.getConfigMapRef() != null) {
                    var ref = from.getConfigMapRef();
                    what = "configMap " + ns + "/" + ref.getName();
                    Optional<ConfigMap> cm = configMaps.computeIfAbsent(ref.getName(), n -> fetchConfigMap(ns, n));
                    if (cm.isEmpty()) {
                        if (Boolean.TRUE.equals(ref.getOptional())) {
                            continue;
                        }
                        throw new ContainerConfigException("configmap \"" + ref.getName() + "\" not found");
                    }
                    Map<String, String> data = cm.get().getData();
                    if (data != null) {
                        data.forEach((k, v) -> putChecked(env, invalid, prefix + k, v));
                    }
                } else if (from.getSecretRef() != null) {
                    var ref = from.getSecretRef();
                    what = "secret " + ns + "/" + ref.getName();
                    Optional<Secret> s = secrets.computeIfAbsent(ref.getName(), n -> fetchSecret(ns, n));
                    if (s.isEmpty()) {
                        if (Boolean.TRUE.equals(ref.getOptional())) {
                            continue;
                        }
                        throw new ContainerConfigException("secret \"" + ref.getName() + "\" not found");
                    }
                    secretData(s.get()).forEach((k, v) -> putChecked(env, invalid, prefix + k, v));
                } else {
                    continue;
                }
                if (!invalid.isEmpty()) {
                    invalid.sort(null);
                    String msg = "Keys [" + String.join(", ", invalid) + "] from the EnvFrom " + what
                            + " were skipped since they are considered invalid environment variable names.";
                    log.info("pod {}/{} container {}: {}", ns, pod.getMetadata().getName(), container.getName(), msg);
                    if (ctx.events() != null) {
                        ctx.events().event(pod, EventRecorder.WARNING, "InvalidEnvironmentVariableNames", msg);
                    }
                }
            }
        }

        if (container.getEnv() != null) {
            for (io.fabric8.kubernetes.api.model.EnvVar var : container.getEnv()) {
                String value;
                EnvVarSource from = var.getValueFrom();
                if (from == null) {
                    String raw = var.getValue() == null ? "" : var.getValue();
                    value = raw.isEmpty() ? raw
                            : EnvExpansion.expand(raw, k -> env.containsKey(k) ? env.get(k) : serviceEnv.get(k));
                } else {
                    value = valueFrom(pod, container, var.getName(), from, podIp, hostIp, configMaps, secrets);
                    if (value == null) {
                        continue; // optional and missing: the variable is not set
                    }
                }
                env.put(var.getName(), value);
            }
        }

        serviceEnv.forEach(env::putIfAbsent);
        List<ContainerSpec.EnvVar> out = new ArrayList<>(env.size());
        env.forEach((k, v) -> out.add(new ContainerSpec.EnvVar(k, v)));
        return out;
    }

    private String valueFrom(Pod pod, Container container, String name, EnvVarSource from, String podIp,
                             String hostIp, Map<String, Optional<ConfigMap>> configMaps,
                             Map<String, Optional<Secret>> secrets) {
        String ns = pod.getMetadata().getNamespace();
        if (from.getFieldRef() != null) {
            try {
                return FieldPaths.fieldValue(pod, from.getFieldRef().getFieldPath(), podIp, hostIp);
            } catch (IllegalArgumentException e) {
                throw new ContainerConfigException("env " + name + ": " + e.getMessage());
            }
        }
        if (from.getResourceFieldRef() != null) {
            var ref = from.getResourceFieldRef();
            Container target = container;
            if (ref.getContainerName() != null && !ref.getContainerName().isEmpty()
                    && !ref.getContainerName().equals(container.getName())) {
                target = findContainer(pod, ref.getContainerName());
                if (target == null) {
                    throw new ContainerConfigException("env " + name + ": container " + ref.getContainerName()
                            + " not found in pod " + ns + "/" + pod.getMetadata().getName());
                }
            }
            try {
                return FieldPaths.resourceValue(target, ref.getResource(), ref.getDivisor(), allocatableSupplier());
            } catch (IllegalArgumentException e) {
                throw new ContainerConfigException("env " + name + ": " + e.getMessage());
            }
        }
        if (from.getConfigMapKeyRef() != null) {
            var ref = from.getConfigMapKeyRef();
            boolean optional = Boolean.TRUE.equals(ref.getOptional());
            Optional<ConfigMap> cm = configMaps.computeIfAbsent(ref.getName(), n -> fetchConfigMap(ns, n));
            if (cm.isEmpty()) {
                if (optional) {
                    return null;
                }
                throw new ContainerConfigException("configmap \"" + ref.getName() + "\" not found");
            }
            String v = cm.get().getData() == null ? null : cm.get().getData().get(ref.getKey());
            if (v == null) {
                if (optional) {
                    return null;
                }
                throw new ContainerConfigException("couldn't find key " + ref.getKey() + " in ConfigMap " + ns + "/"
                        + ref.getName());
            }
            return v;
        }
        if (from.getSecretKeyRef() != null) {
            var ref = from.getSecretKeyRef();
            boolean optional = Boolean.TRUE.equals(ref.getOptional());
            Optional<Secret> s = secrets.computeIfAbsent(ref.getName(), n -> fetchSecret(ns, n));
            if (s.isEmpty()) {
                if (optional) {
                    return null;
                }
                throw new ContainerConfigException("secret \"" + ref.getName() + "\" not found");
            }
            String v = secretData(s.get()).get(ref.getKey());
            if (v == null) {
                if (optional) {
                    return null;
                }
                throw new ContainerConfigException("couldn't find key " + ref.getKey() + " in Secret " + ns + "/"
                        + ref.getName());
            }
            return v;
        }
        return "";
    }

    private static Container findContainer(Pod pod, String name) {
        for (List<Container> list : List.of(nn(pod.getSpec().getContainers()), nn(pod.getSpec().getInitContainers()))) {
            for (Container c : list) {
                if (name.equals(c.getName())) {
                    return c;
                }
            }
        }
        return null;
    }

    private static List<Container> nn(List<Container> l) {
        return l == null ? List.of() : l;
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

    private static void putChecked(Map<String, String> env, List<String> invalid, String name, String value) {
        if (ENV_NAME.matcher(name).matches()) {
            env.put(name, value);
        } else {
            invalid.add(name);
        }
    }

    /** A Secret's data decoded, with stringData (if a client left it there) over it. */
    static Map<String, String> secretData(Secret s) {
        Map<String, String> out = new LinkedHashMap<>();
        if (s.getData() != null) {
            s.getData().forEach((k, v) -> out.put(k, new String(Base64.getMimeDecoder().decode(v == null ? "" : v),
                    StandardCharsets.UTF_8)));
        }
        if (s.getStringData() != null) {
            out.putAll(s.getStringData());
        }
        return out;
    }

    private Optional<ConfigMap> fetchConfigMap(String ns, String name) {
        try {
            return objects.configMap(ns, name);
        } catch (RuntimeException e) {
            throw new ContainerConfigException("failed to get configmap \"" + name + "\": " + e.getMessage());
        }
    }

    private Optional<Secret> fetchSecret(String ns, String name) {
        try {
            return objects.secret(ns, name);
        } catch (RuntimeException e) {
            throw new ContainerConfigException("failed to get secret \"" + name + "\": " + e.getMessage());
        }
    }
}
