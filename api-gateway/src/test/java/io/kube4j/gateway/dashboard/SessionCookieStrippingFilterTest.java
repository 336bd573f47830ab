package io.kube4j.gateway.dashboard;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The session cookie and the CSRF header stay at the gateway; other cookies go on to the apiserver. */
class SessionCookieStrippingFilterTest {

    @Test
    void removesOnlyTheSessionCookieAndTheCsrfHeader() {
        HttpHeaders h = new HttpHeaders();
        h.add(HttpHeaders.COOKIE, "a=1; kube4j-dashboard=secret; b=2");
        h.add(HttpHeaders.COOKIE, "kube4j-dashboard=secret");
        h.add(DashboardCsrfFilter.HEADER, "csrf");
        h.add("Accept", "application/json");
        SessionCookieStrippingFilter.strip(h);
        assertThat(h.get(HttpHeaders.COOKIE)).containsExactly("a=1; b=2");
        assertThat(h.containsHeader(DashboardCsrfFilter.HEADER)).isFalse();
        assertThat(h.getFirst("Accept")).isEqualTo("application/json");
    }

    @Test
    void dropsACookieHeaderLeftEmptyAndKeepsLookalikes() {
        HttpHeaders h = new HttpHeaders();
        h.put(HttpHeaders.COOKIE, List.of("kube4j-dashboard=x"));
        SessionCookieStrippingFilter.strip(h);
        assertThat(h.containsHeader(HttpHeaders.COOKIE)).isFalse();
        h.put(HttpHeaders.COOKIE, List.of("kube4j-dashboard-theme=dark"));
        SessionCookieStrippingFilter.strip(h);
        assertThat(h.get(HttpHeaders.COOKIE)).containsExactly("kube4j-dashboard-theme=dark");
    }
}
