package io.kube4j.apiserver.registry;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads and writes a top-level field ({@code spec}, {@code status}) of any fabric8 model object, so the
 * generic store can keep status out of spec updates and spec out of status updates for every resource.
 */
final class ObjectFields {

    private record Accessors(Method getter, Method setter) {
    }

    private static final Map<String, Accessors> CACHE = new ConcurrentHashMap<>();

    private ObjectFields() {
    }

    static boolean has(HasMetadata obj, String field) {
        return accessors(obj.getClass(), field) != null;
    }

    static Object get(HasMetadata obj, String field) {
        Accessors a = accessors(obj.getClass(), field);
        if (a == null) {
            return null;
        }
        try {
            return a.getter().invoke(obj);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    static void set(HasMetadata obj, String field, Object value) {
        Accessors a = accessors(obj.getClass(), field);
        if (a == null) {
            return;
        }
        try {
            a.setter().invoke(obj, value);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Copies {@code field} from {@code from} to {@code to} (both of the same class). */
    static void copy(HasMetadata from, HasMetadata to, String field) {
        set(to, field, from == null ? null : get(from, field));
    }

    private static Accessors accessors(Class<?> type, String field) {
        String key = type.getName() + "#" + field;
        Accessors a = CACHE.get(key);
        if (a != null) {
            return a;
        }
        String cap = Character.toUpperCase(field.charAt(0)) + field.substring(1);
        try {
            Method getter = type.getMethod("get" + cap);
            Method setter = type.getMethod("set" + cap, getter.getReturnType());
            a = new Accessors(getter, setter);
            CACHE.put(key, a);
            return a;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }
}
