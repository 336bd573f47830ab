package io.kube4j.controller.endpointslice;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import org.junit.jupiter.api.Test;

class SliceTrackerTest {

    private static EndpointSlice slice(String name, String rv) {
        return new EndpointSliceBuilder().withNewMetadata().withName(name).withResourceVersion(rv).endMetadata().build();
    }

    @Test
    void staleUntilTheCacheShowsOurWritesAndOwnEventsAreNotNews() {
        SliceTracker t = new SliceTracker();
        Map<String, EndpointSlice> cache = new HashMap<>();
        t.written("ns/web", slice("web-1", "10"));
        t.deleted("ns/web", "web-0");
        cache.put("web-0", slice("web-0", "5"));
        assertThat(t.stale("ns/web", cache::get)).isTrue();
        cache.put("web-1", slice("web-1", "10"));
        assertThat(t.stale("ns/web", cache::get)).isTrue(); // web-0 still cached
        cache.remove("web-0");
        assertThat(t.stale("ns/web", cache::get)).isFalse();

        t.written("ns/web", slice("web-1", "12"));
        assertThat(t.observed("ns/web", slice("web-1", "11"), false)).isFalse(); // older than ours
        assertThat(t.observed("ns/web", slice("web-1", "12"), false)).isFalse(); // our own write
        assertThat(t.observed("ns/web", slice("web-1", "13"), false)).isTrue(); // someone else's
        t.written("ns/web", slice("web-2", "14"));
        assertThat(t.observed("ns/web", slice("web-2", "14"), true)).isTrue(); // deleted by someone else
    }
}
