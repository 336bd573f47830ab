package io.kube4j.apiserver.admission;

import reactor.core.publisher.Mono;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The warnings admission plugins add to a request (webhooks' {@code response.warnings}, PodSecurity's warn mode),
 * answered as {@code Warning: 299 - "..."} headers. One collector rides in the Reactor context of the request
 * ({@link #attach}); plugins call {@link #add} from inside their Mono. As Kubernetes' warning recorder does, an
 * identical warning is kept once, and an empty one is dropped.
 */
public final class AdmissionWarnings {

    private static final Object KEY = AdmissionWarnings.class;

    private final Set<String> warnings = new LinkedHashSet<>();

    /** {@code context} with this collector in it (the request handler does this around a write). */
    public Context attach(Context context) {
        return context.put(KEY, this);
    }

    /** Records {@code warning} on the request whose context this Mono runs in; a no-op outside one. */
    public static Mono<Void> add(String warning) {
        return Mono.deferContextual(ctx -> {
            add(ctx, warning);
            return Mono.empty();
        });
    }

    /** Records {@code warning} on the collector in {@code ctx}, if any. */
    public static void add(ContextView ctx, String warning) {
        if (warning == null || warning.isBlank()) {
            return;
        }
        ctx.<AdmissionWarnings>getOrEmpty(KEY).ifPresent(w -> {
            synchronized (w.warnings) {
                w.warnings.add(warning);
            }
        });
    }

    /** The warnings recorded so far, in order. */
    public List<String> list() {
        synchronized (warnings) {
            return new ArrayList<>(warnings);
        }
    }
}
