package io.kube4j.apiserver.registry;

import io.fabric8.kubernetes.api.model.KubernetesResource;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds and removes fields the model does not know. fabric8's model keeps such fields in each object's
 * {@code additionalProperties}; Kubernetes never stores them, and reports them as errors
 * ({@code fieldValidation=Strict}) or warnings.
 */
public final class UnknownFields {

    /** A getter worth descending into, or the one holding unknown fields ({@code extra}). */
    private record Getter(Method method, String name, boolean extra) {
    }

    private static final Map<Class<?>, List<Getter>> GETTERS = new ConcurrentHashMap<>();

    private UnknownFields() {
    }

    private static List<Getter> getters(Class<?> type) {
        List<Getter> out = new ArrayList<>();
        for (Method m : type.getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class || m.getName().length() < 4) {
                continue;
            }
            Class<?> rt = m.getReturnType();
            String name = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
            if (m.getName().equals("getAdditionalProperties")) {
                out.add(new Getter(m, name, true));
            } else if (KubernetesResource.class.isAssignableFrom(rt) || Collection.class.isAssignableFrom(rt)
                    || Map.class.isAssignableFrom(rt)) {
                out.add(new Getter(m, name, false));
            }
        }
        return List.copyOf(out);
    }

    /** Removes unknown fields everywhere in {@code root} and returns their paths. */
    public static List<String> strip(Object root) {
        List<String> out = new ArrayList<>();
        walk(root, "", out, 0);
        return out;
    }

    private static void walk(Object o, String path, List<String> out, int depth) {
        if (o == null || depth > 40) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                walk(e, path + "[" + i++ + "]", out, depth + 1);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (e.getValue() instanceof KubernetesResource || e.getValue() instanceof Collection<?>) {
                    walk(e.getValue(), path + "[" + e.getKey() + "]", out, depth + 1);
                }
            }
            return;
        }
        if (!(o instanceof KubernetesResource) || o instanceof io.fabric8.kubernetes.api.model.FieldsV1) {
            // FieldsV1 (managedFields' field sets) has no declared fields: its extra properties are its content
            return;
        }
        for (Getter g : GETTERS.computeIfAbsent(o.getClass(), UnknownFields::getters)) {
            try {
                Object v = g.method().invoke(o);
                if (g.extra()) {
                    if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        for (Object k : extra.keySet()) {
                            out.add(path.isEmpty() ? k.toString() : path + "." + k);
                        }
                        extra.clear();
                    }
                } else {
                    walk(v, path.isEmpty() ? g.name() : path + "." + g.name(), out, depth + 1);
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // a getter that cannot be read has nothing stored in it
            }
        }
    }
}
