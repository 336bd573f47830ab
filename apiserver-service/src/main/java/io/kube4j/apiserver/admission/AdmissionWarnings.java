package io.kube4j.apiserver.admission;

import reactor.core.publisher.Mono;
import reactor.util.context.Context;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Warnings admission plugins give the client (Kubernetes' {@code warning.AddWarning}): the handler puts a sink in
 * the Reactor context of a write, plugins add to it, and the response carries one {@code Warning} header each.
 */
public final class AdmissionWarnings {

    private static final Object KEY = AdmissionWarnings.class;

    private AdmissionWarnings() {
    }

    /** A new sink for one request. */
    public static List<String> sink() {
        return new CopyOnWriteArrayList<>();
    }

    /** The context carrying {@code sink} (for {@code contextWrite}). */
    public static Context with(Context context, List<String> sink) {
        return context.put(KEY, sink);
    }

    /** Adds a warning to the current request's sink (dropped when the caller keeps no sink: internal writes). */
    public static Mono<Void> add(String warning) {
        return Mono.deferContextual(ctx -> {
            ctx.<List<String>>getOrEmpty(KEY).ifPresent(s -> s.add(warning));
            return Mono.empty();
        });
    }
}
