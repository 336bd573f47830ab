package io.kube4j.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.kube4j.apiserver.ApiServerApplication;

class LocalClusterSettingsTest {

    private static final Map<String, String> ENV = Map.of("KUBE4J_HOME", "/tmp/k4j", "KUBE4J_API_PORT", "16443",
            "KUBE4J_NODE_NAME", "h2a", "KUBE4J_CLUSTER_CIDR", "10.251.0.0/16", "KUBE4J_PROXY_MODE", "userspace");

    @Test
    void flagsAndTheScriptsEnvironment() {
        LocalClusterSettings s = LocalClusterSettings.parse(List.of("--nodes", "2", "--store=embedded",
                "--set", "apiserver:kube4j.apiserver.audit.policy-file=/p.yaml"), ENV::get);
        assertThat(s.nodes()).isEqualTo(2);
        assertThat(s.store()).isEqualTo("embedded");
        assertThat(s.apiUrl()).isEqualTo("https://127.0.0.1:16443");
        assertThat(s.gatewayPort()).isEqualTo(8443);
        assertThat(s.dataDir().toString()).isEqualTo("/tmp/k4j/data");
        assertThat(s.nodeName(0)).isEqualTo("h2a");
        assertThat(s.nodeName(1)).isEqualTo("h2a-1");
        assertThat(s.podCidr(1)).isEqualTo("10.251.2.0/24");
        assertThat(s.proxyMode(0)).isEqualTo("userspace");
        assertThat(s.extra("apiserver")).containsExactly("kube4j.apiserver.audit.policy-file=/p.yaml");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--nodes x           | --nodes takes a number",
            "--nodes 51          | from 0 to 50",
            "--store mem         | --store takes embedded or etcd",
            "--hollow-nodes 3    | not supported",
            "--set nodes:a=b     | --set takes ROLE:KEY=VALUE",
            "--bogus 1           | unknown option --bogus"})
    void badFlagsSayWhatToDo(String args, String message) {
        assertThatThrownBy(() -> LocalClusterSettings.parse(List.of(args.split(" ")), ENV::get))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    @Test
    void badPortInTheEnvironment() {
        assertThatThrownBy(() -> LocalClusterSettings.parse(List.of(), Map.of("KUBE4J_API_PORT", "70000")::get))
                .hasMessageContaining("KUBE4J_API_PORT must be a TCP port");
    }

    @Test
    void eachRoleReadsItsOwnApplicationYaml() {
        // from the test classpath: the apiserver's jar (or classes directory), not whichever yaml comes first
        assertThat(RoleApplication.configLocation(ApiServerApplication.class)).endsWith("/application.yaml")
                .contains("apiserver-service");
    }

    @ParameterizedTest
    @CsvSource({
            "org.springframework.cloud.gateway.config.GatewayAutoConfiguration, gateway, true",
            "org.springframework.cloud.gateway.config.GatewayAutoConfiguration, scheduler, false",
            "org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration, apiserver, true",
            "org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration, node, false",
            "org.springdoc.webflux.core.configuration.SpringDocWebFluxConfiguration, proxy, false",
            "org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration, proxy, true"})
    void rolesKeepTheirOwnAutoConfigurations(String autoConfiguration, String role, boolean allowed) {
        assertThat(RoleAutoConfigurationFilter.allowed(autoConfiguration, role)).isEqualTo(allowed);
    }
}
