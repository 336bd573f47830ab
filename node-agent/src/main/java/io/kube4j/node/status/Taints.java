package io.kube4j.node.status;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.Taint;

/** Parses the {@code key[=value]:Effect} taints of {@code kube4j.node.taints}, as kubelet's --register-with-taints. */
public final class Taints {

    static final Set<String> EFFECTS = Set.of("NoSchedule", "PreferNoSchedule", "NoExecute");
    // A qualified name: optional DNS-subdomain prefix, then a name of at most 63 characters.
    private static final Pattern KEY = Pattern.compile(
            "([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
    private static final Pattern VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");

    private Taints() {
    }

    /** One taint; {@link IllegalArgumentException} saying what is wrong with it. */
    public static Taint parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("invalid taint '': expected key[=value]:Effect");
        }
        String s = spec.trim();
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("invalid taint '" + s + "': expected key[=value]:Effect (no effect given)");
        }
        String effect = s.substring(colon + 1);
        if (!EFFECTS.contains(effect)) {
            throw new IllegalArgumentException("invalid taint '" + s + "': effect must be one of NoSchedule, "
                    + "PreferNoSchedule, NoExecute, got '" + effect + "'");
        }
        String kv = s.substring(0, colon);
        int eq = kv.indexOf('=');
        String key = eq < 0 ? kv : kv.substring(0, eq);
        String value = eq < 0 ? null : kv.substring(eq + 1);
        if (key.isEmpty() || key.length() > 316 || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("invalid taint '" + s + "': '" + key + "' is not a valid key "
                    + "(a qualified name such as example.com/dedicated)");
        }
        if (value != null && (value.length() > 63 || !VALUE.matcher(value).matches())) {
            throw new IllegalArgumentException("invalid taint '" + s + "': '" + value + "' is not a valid value "
                    + "(at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)");
        }
        Taint t = new Taint();
        t.setKey(key);
        t.setValue(value == null || value.isEmpty() ? null : value);
        t.setEffect(effect);
        return t;
    }

    /** Every taint, or the first error; duplicates (same key and effect) are an error too. */
    public static List<Taint> parseAll(List<String> specs) {
        List<Taint> out = new ArrayList<>();
        for (String spec : specs) {
            Taint t = parse(spec);
            for (Taint o : out) {
                if (o.getKey().equals(t.getKey()) && o.getEffect().equals(t.getEffect())) {
                    throw new IllegalArgumentException("invalid taints: '" + t.getKey() + ":" + t.getEffect()
                            + "' is given twice");
                }
            }
            out.add(t);
        }
        return out;
    }

    /** The identity of a taint on a Node: key and effect. */
    static String id(Taint t) {
        return t.getKey() + ":" + t.getEffect();
    }
}
