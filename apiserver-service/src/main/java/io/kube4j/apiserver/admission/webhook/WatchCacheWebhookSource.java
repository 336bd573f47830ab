package io.kube4j.apiserver.admission.webhook;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.watch.CachedObject;
import io.kube4j.apiserver.watch.WatchCache;
import io.kube4j.apiserver.watch.WatchCacheManager;
import io.kube4j.apiserver.watch.WatchFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * {@link WebhookSource} over the apiserver's watch cache (Kubernetes reads its configurations from an informer the
 * same way, so a new configuration applies a moment after it is stored). The webhooks are rebuilt only when the set
 * of configurations changed (compared by key and resourceVersion); with no configuration at all, which is the common
 * case on every write, the answer is one size check.
 */
public final class WatchCacheWebhookSource implements WebhookSource {

    private static final Logger log = LoggerFactory.getLogger(WatchCacheWebhookSource.class);

    private record Built(List<String> versions, List<Webhook> hooks) {
    }

    private final Kind<MutatingWebhookConfiguration> mutating;
    private final Kind<ValidatingWebhookConfiguration> validating;

    public WatchCacheWebhookSource(WatchCacheManager caches, ResourceRegistry registry) {
        this.mutating = new Kind<>(caches.cache(type(registry, MutatingWebhookConfiguration.class)),
                MutatingWebhookConfiguration.class, c -> {
                    List<Webhook> out = new ArrayList<>();
                    List<MutatingWebhook> hs = c.getWebhooks() == null ? List.of() : c.getWebhooks();
                    for (int i = 0; i < hs.size(); i++) {
                        out.add(Webhook.of(c.getMetadata().getName(), i, hs.get(i)));
                    }
                    return out;
                });
        this.validating = new Kind<>(caches.cache(type(registry, ValidatingWebhookConfiguration.class)),
                ValidatingWebhookConfiguration.class, c -> {
                    List<Webhook> out = new ArrayList<>();
                    List<ValidatingWebhook> hs = c.getWebhooks() == null ? List.of() : c.getWebhooks();
                    for (int i = 0; i < hs.size(); i++) {
                        out.add(Webhook.of(c.getMetadata().getName(), i, hs.get(i)));
                    }
                    return out;
                });
    }

    private static ResourceType type(ResourceRegistry registry, Class<? extends io.fabric8.kubernetes.api.model.HasMetadata> c) {
        return registry.byType(c).orElseThrow(() -> new IllegalStateException(c.getSimpleName() + " is not registered"));
    }

    @Override
    public List<Webhook> mutating() {
        return mutating.hooks();
    }

    @Override
    public List<Webhook> validating() {
        return validating.hooks();
    }

    /** One configuration kind: its cache, and the webhooks last built from it. */
    private static final class Kind<C extends io.fabric8.kubernetes.api.model.HasMetadata> {
        private final WatchCache cache;
        private final Class<C> type;
        private final Function<C, List<Webhook>> webhooks;
        private volatile Built built = new Built(List.of(), List.of());

        Kind(WatchCache cache, Class<C> type, Function<C, List<Webhook>> webhooks) {
            this.cache = cache;
            this.type = type;
            this.webhooks = webhooks;
        }

        List<Webhook> hooks() {
            if (cache.size() == 0) {
                return List.of();
            }
            List<CachedObject> items = new ArrayList<>(cache.snapshot(WatchFilter.everything()).items());
            items.sort(Comparator.comparing(CachedObject::name));
            List<String> versions = items.stream().map(o -> o.name() + "@" + o.resourceVersion()).toList();
            Built b = built;
            if (b.versions().equals(versions)) {
                return b.hooks();
            }
            List<Webhook> hooks = new ArrayList<>();
            for (CachedObject o : items) {
                try {
                    hooks.addAll(webhooks.apply(Codecs.json().readValue(o.json(), type)));
                } catch (RuntimeException e) {
                    // validation keeps bad selectors out; one stored before it existed must not stop every write
                    log.warn("ignoring {} {}: {}", type.getSimpleName(), o.name(), e.toString());
                }
            }
            built = new Built(versions, List.copyOf(hooks));
            return built.hooks();
        }
    }
}
