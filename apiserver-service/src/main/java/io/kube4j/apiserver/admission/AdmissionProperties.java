package io.kube4j.apiserver.admission;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.util.List;

/**
 * The admission chain's settings, {@code kube4j.apiserver.admission.*} (kube-apiserver's
 * {@code --disable-admission-plugins}).
 *
 * @param disabledPlugins Kubernetes names of plugins to leave out of the chain (e.g. {@code ServiceAccount})
 */
@ConfigurationProperties("kube4j.apiserver.admission")
public record AdmissionProperties(@DefaultValue List<String> disabledPlugins) {
}
