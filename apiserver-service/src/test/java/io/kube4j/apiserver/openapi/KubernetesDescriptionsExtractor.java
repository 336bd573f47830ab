package io.kube4j.apiserver.openapi;

import com.google.gson.annotations.SerializedName;
import io.kube4j.api.codec.Codecs;
import io.kubernetes.client.openapi.models.V1Pod;
import io.swagger.annotations.ApiModel;
import io.swagger.annotations.ApiModelProperty;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.GZIPOutputStream;

/**
 * Build-time tool (run by exec-maven-plugin in {@code process-test-classes}): copies the field descriptions of the
 * Kubernetes API types out of the official Java client's models ({@code io.kubernetes:client-java-api}, generated from
 * Kubernetes' own OpenAPI, with each Go doc comment in {@code @ApiModel}/{@code @ApiModelProperty}) into
 * {@link KubernetesDescriptions#RESOURCE}, so the apiserver's schemas carry Kubernetes' descriptions without carrying
 * the client jar and its gson/okhttp dependencies at runtime. Keyed by the client's class name ({@code V1Pod},
 * {@code CoreV1Event}), and {@code IntOrString}/{@code Quantity} by their own names; also records which string fields are timestamps ({@code OffsetDateTime} in the client, a
 * plain {@code String} in fabric8).
 */
public final class KubernetesDescriptionsExtractor {

    private KubernetesDescriptionsExtractor() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        ObjectNode root = extract();
        Files.createDirectories(out.getParent());
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(out))) {
            Codecs.json().writeValue(o, root);
        }
        System.out.println("[kube4j] " + root.size() + " Kubernetes type descriptions -> " + out + " ("
                + Files.size(out) + " bytes)");
    }

    static ObjectNode extract() throws IOException, ClassNotFoundException {
        ObjectNode root = Codecs.json().createObjectNode();
        String pkg = V1Pod.class.getPackageName().replace('.', '/') + "/";
        Path jar = Path.of(V1Pod.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        List<String> names = new ArrayList<>();
        try (JarFile jf = new JarFile(jar.toFile())) {
            for (Enumeration<JarEntry> e = jf.entries(); e.hasMoreElements(); ) {
                String n = e.nextElement().getName();
                if (n.startsWith(pkg) && n.endsWith(".class") && !n.contains("$") && n.indexOf('/', pkg.length()) < 0) {
                    names.add(n.substring(0, n.length() - ".class".length()).replace('/', '.'));
                }
            }
        }
        names.sort(null);
        for (String name : names) {
            Class<?> c = Class.forName(name, false, KubernetesDescriptionsExtractor.class.getClassLoader());
            ApiModel model = c.getAnnotation(ApiModel.class);
            if (model == null) {
                continue;
            }
            ObjectNode type = root.putObject(c.getSimpleName());
            if (!model.description().isEmpty()) {
                type.put("description", model.description());
            }
            ObjectNode props = type.putObject("properties");
            for (Field f : c.getDeclaredFields()) {
                SerializedName json = f.getAnnotation(SerializedName.class);
                if (json == null || Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                ObjectNode p = props.putObject(json.value());
                ApiModelProperty doc = getter(c, f);
                if (doc != null && !doc.value().isEmpty() && f.getType().getPackageName().endsWith(".custom")) {
                    // the client's generator puts the referenced type's description on such fields (IntOrString,
                    // Quantity): it describes the type, and is kept as the type's own
                    if (!root.has(f.getType().getSimpleName())) {
                        root.putObject(f.getType().getSimpleName()).put("description", doc.value());
                    }
                } else if (doc != null && !doc.value().isEmpty()) {
                    p.put("description", doc.value());
                }
                if (doc != null && doc.required()) {
                    p.put("required", true);
                }
                if (f.getType() == OffsetDateTime.class) {
                    p.put("format", "date-time");
                } else if (f.getType() == byte[].class) {
                    p.put("format", "byte");
                } else if (Collection.class.isAssignableFrom(f.getType()) || java.util.Map.class.isAssignableFrom(f.getType())) {
                    String g = f.getGenericType().getTypeName();
                    if (g.endsWith("OffsetDateTime>")) {
                        p.put("format", "date-time");
                    } else if (g.endsWith("byte[]>")) {
                        p.put("format", "byte");
                    }
                }
            }
        }
        return root;
    }

    private static ApiModelProperty getter(Class<?> c, Field f) {
        String base = f.getName().startsWith("_") ? f.getName().substring(1) : f.getName();
        String cap = Character.toUpperCase(base.charAt(0)) + base.substring(1);
        for (String prefix : new String[] {"get", "is"}) {
            try {
                Method m = c.getMethod(prefix + cap);
                return m.getAnnotation(ApiModelProperty.class);
            } catch (NoSuchMethodException e) {
                // try the next accessor shape
            }
        }
        return null;
    }
}
