package io.kube4j.proxy.config;

import io.kube4j.proxy.exec.CommandRunner;
import io.kube4j.proxy.exec.ProcessCommandRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The agent's host side: the {@link CommandRunner} every mode runs its commands with (a bean, so that a test can
 * point it into a network namespace of its own) and the mode this node runs, decided once at start-up.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ProxyAgentProperties.class)
public class ProxyModeConfiguration {

    @Bean
    @ConditionalOnMissingBean
    CommandRunner commandRunner() {
        return new ProcessCommandRunner();
    }

    @Bean
    ProxyModeSelector proxyModeSelector(CommandRunner runner, ProxyModeSelector.IpvsCheck ipvsCheck) {
        return new ProxyModeSelector(runner, ipvsCheck);
    }
}
