package io.kube4j.proxy.config;

import io.kube4j.proxy.exec.CommandRunner;
import io.kube4j.proxy.exec.ProcessCommandRunner;
import io.kube4j.proxy.ipvs.IpvsSupport;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The agent's host side, shared by the running agent and {@code --cleanup}: the {@link CommandRunner} every mode runs
 * its commands with (a bean, so that a test can point it into a network namespace of its own), the mode selection
 * and the proxier factory.
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
    @ConditionalOnMissingBean
    ProxyModeSelector.IpvsCheck ipvsCheck(ProxyAgentProperties props) {
        return runner -> IpvsSupport.check(runner, props.ipvs().scheduler());
    }

    @Bean
    ProxierFactory proxierFactory(ProxyAgentProperties props, CommandRunner runner, MeterRegistry meters) {
        return new ProxierFactory(props, runner, meters);
    }

    @Bean
    ProxyModeSelector proxyModeSelector(CommandRunner runner, ProxyModeSelector.IpvsCheck ipvsCheck) {
        return new ProxyModeSelector(runner, ipvsCheck);
    }
}
