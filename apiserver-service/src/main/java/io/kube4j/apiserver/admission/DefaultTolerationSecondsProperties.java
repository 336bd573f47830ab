package io.kube4j.apiserver.admission;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@link DefaultTolerationSeconds} admission plugin's settings, {@code kube4j.apiserver.admission.*}: kube-apiserver's
 * {@code --default-not-ready-toleration-seconds} and {@code --default-unreachable-toleration-seconds} (300 s each).
 *
 * @param defaultNotReadyTolerationSeconds    tolerationSeconds of the toleration added for
 *                                            {@code node.kubernetes.io/not-ready:NoExecute}
 * @param defaultUnreachableTolerationSeconds tolerationSeconds of the toleration added for
 *                                            {@code node.kubernetes.io/unreachable:NoExecute}
 */
@ConfigurationProperties("kube4j.apiserver.admission")
public record DefaultTolerationSecondsProperties(
        @DefaultValue("300") long defaultNotReadyTolerationSeconds,
        @DefaultValue("300") long defaultUnreachableTolerationSeconds) {

    public DefaultTolerationSecondsProperties {
        if (defaultNotReadyTolerationSeconds < 0) {
            throw new IllegalArgumentException("kube4j.apiserver.admission.default-not-ready-toleration-seconds must be"
                    + " zero or positive, got " + defaultNotReadyTolerationSeconds);
        }
        if (defaultUnreachableTolerationSeconds < 0) {
            throw new IllegalArgumentException("kube4j.apiserver.admission.default-unreachable-toleration-seconds must"
                    + " be zero or positive, got " + defaultUnreachableTolerationSeconds);
        }
    }

    /** Kubernetes' defaults: 300 s for both. */
    public static DefaultTolerationSecondsProperties defaults() {
        return new DefaultTolerationSecondsProperties(300, 300);
    }
}
