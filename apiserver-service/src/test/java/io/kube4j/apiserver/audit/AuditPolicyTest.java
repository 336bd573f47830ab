package io.kube4j.apiserver.audit;

import io.kube4j.apiserver.auth.authz.AuthorizationAttributes;
import io.kube4j.apiserver.auth.authz.RequestAttributes;
import io.kube4j.security.UserInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.http.HttpMethod;
import org.springframework.web.util.UriComponentsBuilder;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuditPolicyTest {

    // Kubernetes' documented example policy, trimmed
    private static final AuditPolicy POLICY = AuditPolicy.parse("""
            apiVersion: audit.k8s.io/v1
            kind: Policy
            omitStages: [RequestReceived]
            rules:
              - level: RequestResponse
                resources:
                  - group: ""
                    resources: ["pods"]
              - level: Metadata
                resources:
                  - group: ""
                    resources: ["pods/log", "pods/status"]
              - level: None
                resources:
                  - group: ""
                    resources: ["configmaps"]
                    resourceNames: ["controller-leader"]
              - level: None
                users: ["system:kube-proxy"]
                verbs: ["watch"]
                resources:
                  - group: ""
                    resources: ["endpoints", "services"]
              - level: None
                userGroups: ["system:authenticated"]
                nonResourceURLs: ["/api*", "/version"]
              - level: Request
                resources:
                  - group: ""
                    resources: ["configmaps"]
                namespaces: ["kube-system"]
              - level: Metadata
                resources:
                  - group: ""
                    resources: ["secrets", "configmaps"]
              - level: Request
                resources:
                  - group: ""
                  - group: "extensions"
              - level: Metadata
                omitStages: [ResponseStarted]
            """);

    private static final UserInfo ALICE = new UserInfo("alice", "", List.of("system:authenticated"), Map.of());
    private static final UserInfo PROXY = new UserInfo("system:kube-proxy", "", List.of("system:authenticated"), Map.of());

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource({
            "alice, GET, /api/v1/namespaces/a/pods/p, RequestResponse",
            "alice, GET, /api/v1/namespaces/a/pods/p/log, Metadata",
            "alice, PUT, /api/v1/namespaces/a/pods/p/status, Metadata",
            "alice, PUT, /api/v1/namespaces/a/configmaps/controller-leader, None",
            "alice, PUT, /api/v1/namespaces/a/configmaps/other, Metadata",
            "alice, GET, /api/v1/namespaces/kube-system/configmaps/other, Request",
            "proxy, GET, /api/v1/endpoints?watch=true, None",
            "proxy, GET, /api/v1/endpoints, Request",
            "alice, GET, /api/v1/endpoints?watch=true, Request",
            "alice, GET, /apis/apps/v1, None",
            "alice, GET, /version, None",
            "alice, GET, /healthz, Metadata",
            "alice, POST, /api/v1/namespaces/a/secrets, Metadata",
            "alice, GET, /apis/apps/v1/deployments, Metadata",
    })
    void firstMatchingRuleWins(String who, String method, String uri, AuditLevel expected) {
        var u = UriComponentsBuilder.fromUriString(uri).build();
        AuthorizationAttributes a = RequestAttributes.resolve(null, HttpMethod.valueOf(method), u.getPath(), u.getQueryParams());
        AuditPolicy.Decision d = POLICY.decide(who.equals("proxy") ? PROXY : ALICE, a);
        assertThat(d.level()).isEqualTo(expected);
        assertThat(d.omitStages()).contains("RequestReceived");
    }

    @Test
    void ruleOmitStagesAddToThePolicys() {
        var a = RequestAttributes.resolve(null, HttpMethod.GET, "/healthz", new org.springframework.util.LinkedMultiValueMap<>());
        assertThat(POLICY.decide(ALICE, a).omitStages()).containsExactlyInAnyOrder("RequestReceived", "ResponseStarted");
        assertThat(POLICY.decide(null, a).level()).as("an unknown user matches rules without users").isEqualTo(AuditLevel.Metadata);
    }

    @Test
    void noRuleMeansNone() {
        var a = RequestAttributes.resolve(null, HttpMethod.GET, "/api/v1/pods", new org.springframework.util.LinkedMultiValueMap<>());
        assertThat(AuditPolicy.parse("kind: Policy\nrules: []\n").decide(ALICE, a).level()).isEqualTo(AuditLevel.None);
    }

    @Test
    void badPoliciesAreRefused() {
        assertThatThrownBy(() -> AuditPolicy.parse("kind: Policy\nrules: [{level: Everything}]\n"))
                .hasMessageContaining("unknown level \"Everything\"");
        assertThatThrownBy(() -> AuditPolicy.parse("kind: Policy\nrules: [{level: None, nonResourceURLs: [/x], "
                + "resources: [{group: \"\"}]}]\n")).hasMessageContaining("both");
        assertThatThrownBy(() -> AuditPolicy.parse("kind: Policy\nomitStages: [Later]\n")).hasMessageContaining("Later");
        assertThatThrownBy(() -> AuditPolicy.parse("kind: Something\n")).hasMessageContaining("kind Policy");
    }
}
