package io.kube4j.gateway.dashboard;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.TestPki;
import io.kube4j.gateway.testsupport.GatewayInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's backend through a real gateway in front of a real secure apiserver: token login into a
 * server-side session, the session cookie authenticating API calls as the session's user (SelfSubjectReview echoes
 * the apiserver's view), the CSRF header required on unsafe cookie-authenticated requests only, logout, and the
 * single-page app served at /dashboard/.
 */
class DashboardSessionIT {

    static final String SELF = "/apis/authentication.k8s.io/v1/selfsubjectreviews";
    static final String REVIEW = "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"SelfSubjectReview\"}";
    static final String VIEWER_TOKEN = "dashboard-viewer-token-0123456789";
    static final String ADMIN_TOKEN = "dashboard-admin-token-0123456789";

    static GatewayInstance gateway;
    static ApiClient anonymous;

    record Login(String cookie, String csrf, ApiClient.Response response) {
    }

    @BeforeAll
    static void start() {
        ApiServerInstance apiserver = ApiServerInstance.secureShared();
        TestPki pki = apiserver.pki();
        var tokens = pki.tokenFile(
                new TestPki.StaticToken(VIEWER_TOKEN, "viewer", "u-1", List.of("team-v")),
                new TestPki.StaticToken(ADMIN_TOKEN, "dash-admin", "u-2", List.of("system:masters")));
        gateway = GatewayInstance.start(pki, List.of(apiserver.url()),
                "kube4j.gateway.authentication.token-file=" + tokens);
        anonymous = gateway.client(TestPki.Credential.anonymous());
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    static Login login(String token) {
        ApiClient.Response r = anonymous.post(DashboardConfiguration.SESSION_PATH, "{\"token\":\"" + token + "\"}");
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        Matcher m = Pattern.compile("kube4j-dashboard=([^;]+)").matcher(r.header("Set-Cookie"));
        assertThat(m.find()).isTrue();
        return new Login(m.group(1), r.json().path("csrfToken").asString(), r);
    }

    static ApiClient.Response withCookie(Login l, String method, String path, String body, String csrf) {
        HttpRequest.Builder b = HttpRequest.newBuilder(anonymous.uri(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Cookie", "kube4j-dashboard=" + l.cookie());
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (csrf != null) {
            b.header(DashboardCsrfFilter.HEADER, csrf);
        }
        return anonymous.send(b, "application/json");
    }

    @Test
    void loginSetsAHardenedSessionCookieAndNeverReturnsTheToken() {
        Login l = login(VIEWER_TOKEN);
        String setCookie = l.response().header("Set-Cookie");
        assertThat(setCookie.toLowerCase(java.util.Locale.ROOT)).contains("httponly", "secure", "samesite=strict", "path=/");
        assertThat(l.cookie()).hasSizeGreaterThanOrEqualTo(40).doesNotContain(VIEWER_TOKEN);
        assertThat(l.response().json().path("user").asString()).isEqualTo("viewer");
        assertThat(l.response().json().path("groups").toString()).contains("team-v");
        assertThat(l.csrf()).isNotBlank().isNotEqualTo(l.cookie());
        assertThat(l.response().body()).doesNotContain(VIEWER_TOKEN);

        ApiClient.Response me = withCookie(l, "GET", DashboardConfiguration.SESSION_PATH, null, null);
        assertThat(me.code()).as(me.body()).isEqualTo(200);
        assertThat(me.json().path("user").asString()).isEqualTo("viewer");
        assertThat(me.json().path("csrfToken").asString()).isEqualTo(l.csrf());
        assertThat(me.body()).doesNotContain(VIEWER_TOKEN);
    }

    @Test
    void theCookieAuthenticatesApiRequestsAsTheSessionsUser() {
        Login viewer = login(VIEWER_TOKEN);
        ApiClient.Response self = withCookie(viewer, "POST", SELF, REVIEW, viewer.csrf());
        assertThat(self.code()).as(self.body()).isEqualTo(201);
        assertThat(self.json().at("/status/userInfo/username").asString()).isEqualTo("viewer");
        assertThat(self.json().at("/status/userInfo/groups").toString()).contains("team-v", "system:authenticated");
        // authorization stays the apiserver's: the viewer may not list pods, the admin may
        assertThat(withCookie(viewer, "GET", "/api/v1/pods", null, null).code()).isEqualTo(403);
        Login admin = login(ADMIN_TOKEN);
        ApiClient.Response pods = withCookie(admin, "GET", "/api/v1/pods", null, null);
        assertThat(pods.code()).as(pods.body()).isEqualTo(200);
    }

    @Test
    void unsafeCookieRequestsNeedTheCsrfTokenOtherCredentialsDoNot() {
        Login viewer = login(VIEWER_TOKEN);
        ApiClient.Response missing = withCookie(viewer, "POST", SELF, REVIEW, null);
        assertThat(missing.code()).as(missing.body()).isEqualTo(403);
        assertThat(missing.json().path("kind").asString()).isEqualTo("Status");
        assertThat(missing.json().path("message").asString()).contains("X-CSRF-Token");
        assertThat(withCookie(viewer, "POST", SELF, REVIEW, "wrong").code()).isEqualTo(403);
        Login other = login(VIEWER_TOKEN);
        assertThat(withCookie(viewer, "POST", SELF, REVIEW, other.csrf()).code())
                .as("another session's CSRF token").isEqualTo(403);
        // a bearer token carries no ambient authority: no CSRF token needed
        ApiClient.Response bearer = gateway.client(TestPki.Credential.token(VIEWER_TOKEN)).post(SELF, REVIEW);
        assertThat(bearer.code()).as(bearer.body()).isEqualTo(201);
    }

    @Test
    void badLoginsGetAStatus() {
        ApiClient.Response bad = anonymous.post(DashboardConfiguration.SESSION_PATH, "{\"token\":\"nope\"}");
        assertThat(bad.code()).as(bad.body()).isEqualTo(401);
        assertThat(bad.json().path("reason").asString()).isEqualTo("Unauthorized");
        assertThat(bad.header("Set-Cookie")).isNull();
        for (String body : List.of("not json", "{}", "{\"token\":42}", "")) {
            ApiClient.Response r = anonymous.post(DashboardConfiguration.SESSION_PATH, body);
            assertThat(r.code()).as(body + " → " + r.body()).isEqualTo(400);
            assertThat(r.json().path("kind").asString()).isEqualTo("Status");
        }
        ApiClient.Response none = anonymous.get(DashboardConfiguration.SESSION_PATH);
        assertThat(none.code()).isEqualTo(401);
    }

    @Test
    void logoutEndsTheSession() {
        Login l = login(VIEWER_TOKEN);
        assertThat(withCookie(l, "DELETE", DashboardConfiguration.SESSION_PATH, null, null).code())
                .as("logout is an unsafe request too").isEqualTo(403);
        ApiClient.Response out = withCookie(l, "DELETE", DashboardConfiguration.SESSION_PATH, null, l.csrf());
        assertThat(out.code()).as(out.body()).isEqualTo(200);
        assertThat(out.header("Set-Cookie")).contains("kube4j-dashboard=;").contains("Max-Age=0");
        assertThat(withCookie(l, "GET", DashboardConfiguration.SESSION_PATH, null, null).code()).isEqualTo(401);
        ApiClient.Response api = withCookie(l, "GET", "/api/v1/namespaces/default", null, null);
        assertThat(api.code()).as("an ended session is a rejected credential on the API").isEqualTo(401);
        assertThat(api.json().path("kind").asString()).isEqualTo("Status");
    }

    @Test
    void theSinglePageAppIsServedAtDashboard() {
        ApiClient.Response redirect = anonymous.get("/dashboard");
        assertThat(redirect.code()).isEqualTo(308);
        assertThat(redirect.header("Location")).endsWith("/dashboard/");
        ApiClient.Response index = anonymous.send(HttpRequest.newBuilder(anonymous.uri("/dashboard/")).GET(),
                "text/html");
        assertThat(index.code()).as(index.body()).isEqualTo(200);
        assertThat(index.header("Content-Type")).startsWith("text/html");
        assertThat(index.header("Content-Security-Policy")).contains("default-src 'self'");
        Matcher script = Pattern.compile("src=\"(/dashboard/assets/[^\"]+\\.js)\"").matcher(index.body());
        assertThat(script.find()).as(index.body()).isTrue();
        ApiClient.Response js = anonymous.send(HttpRequest.newBuilder(anonymous.uri(script.group(1))).GET(), "*/*");
        assertThat(js.code()).isEqualTo(200);
        assertThat(js.body().contains("EventSource") && js.body().contains("data-testid"))
                .as("the bundled app (js-yaml included, no CDN)").isTrue();
        assertThat(js.body().contains("YAMLException")).isTrue();
    }
}
