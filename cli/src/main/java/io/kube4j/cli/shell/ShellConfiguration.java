package io.kube4j.cli.shell;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.shell.core.config.UserConfigPathProvider;

import java.nio.file.Path;

/** The interactive shell's settings: its history lives in {@code ~/.kube4j/k4j_history}. */
@Configuration(proxyBeanMethods = false)
public class ShellConfiguration {

    @Bean
    public UserConfigPathProvider k4jUserConfigPath() {
        return () -> Path.of(System.getProperty("user.home"), ".kube4j");
    }
}
