package io.kube4j.proxy.config;

import io.kube4j.proxy.exec.CommandRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code --cleanup} ({@code kube4j.proxy.cleanup=true}): only the cleanup runs; no apiserver client, informers or
 * sync loop are made.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "kube4j.proxy", name = "cleanup", havingValue = "true")
public class ProxyCleanupConfiguration {

    @Bean
    ProxyCleanup proxyCleanup(ProxyModeSelector selector, ProxierFactory factory, CommandRunner runner) {
        return new ProxyCleanup(selector, factory, runner, System.out);
    }
}
