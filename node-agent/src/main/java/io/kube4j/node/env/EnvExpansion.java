package io.kube4j.node.env;

import java.util.function.Function;

/**
 * Kubernetes' {@code $(VAR)} expansion (k8s.io/kubernetes/third_party/forked/golang/expansion): {@code $(NAME)} is
 * replaced by the variable's value, an unknown name is left as {@code $(NAME)}, {@code $$} is an escaped {@code $},
 * and any other {@code $} is kept as is.
 */
public final class EnvExpansion {

    private EnvExpansion() {
    }

    /** Expands {@code input}; {@code mapping} returns null for an unknown variable. */
    public static String expand(String input, Function<String, String> mapping) {
        StringBuilder buf = new StringBuilder(input.length());
        int checkpoint = 0;
        for (int cursor = 0; cursor < input.length(); cursor++) {
            if (input.charAt(cursor) == '$' && cursor + 1 < input.length()) {
                buf.append(input, checkpoint, cursor);
                char next = input.charAt(cursor + 1);
                int advance = 1;
                if (next == '$') {
                    buf.append('$');
                } else if (next == '(') {
                    int close = input.indexOf(')', cursor + 2);
                    if (close < 0) {
                        buf.append("$(");
                    } else {
                        String name = input.substring(cursor + 2, close);
                        String value = mapping.apply(name);
                        buf.append(value != null ? value : "$(" + name + ")");
                        advance = close - cursor;
                    }
                } else {
                    buf.append('$').append(next);
                }
                cursor += advance;
                checkpoint = cursor + 1;
            }
        }
        return buf.append(input, Math.min(checkpoint, input.length()), input.length()).toString();
    }
}
