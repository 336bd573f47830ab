package io.kube4j.apiserver.registry;

import io.fabric8.kubernetes.api.model.KubernetesResource;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Finds and removes fields the model does not know. fabric8's model keeps such fields in each object's
 * {@code additionalProperties}; Kubernetes never stores them, and reports them as errors
 * ({@code fieldValidation=Strict}) or warnings.
 */
public final class UnknownFields {

    private UnknownFields() {
    }

    /**
     * The getters worth walking, per class: getMethods() copies every Method on each call, and this runs for every
     * object of every write (it was the apiserver's top CPU frame under create load).
     */
    private static final ClassValue<List<Method>> GETTERS = new ClassValue<>() {
        @Override
        protected List<Method> computeValue(Class<?> type) {
            List<Method> getters = new ArrayList<>();
            for (Method m : type.getMethods()) {
                if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                        || m.getDeclaringClass() == Object.class) {
                    continue;
                }
                Class<?> rt = m.getReturnType();
                if (m.getName().equals("getAdditionalProperties") || KubernetesResource.class.isAssignableFrom(rt)
                        || Collection.class.isAssignableFrom(rt) || Map.class.isAssignableFrom(rt)) {
                    getters.add(m);
                }
            }
            return List.copyOf(getters);
        }
    };

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
        if (!(o instanceof KubernetesResource)) {
            return;
        }
        for (Method m : GETTERS.get(o.getClass())) {
            try {
                if (m.getName().equals("getAdditionalProperties")) {
                    Object v = m.invoke(o);
                    if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        for (Object k : extra.keySet()) {
                            out.add(path.isEmpty() ? k.toString() : path + "." + k);
                        }
                        extra.clear();
                    }
                    continue;
                }
                Class<?> rt = m.getReturnType();
                if (KubernetesResource.class.isAssignableFrom(rt) || Collection.class.isAssignableFrom(rt)
                        || Map.class.isAssignableFrom(rt)) {
                    String name = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
                    walk(m.invoke(o), path.isEmpty() ? name : path + "." + name, out, depth + 1);
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // a getter that cannot be read has nothing stored in it
            }
        }
    }
}
