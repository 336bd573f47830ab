package io.kube4j.proxy.config;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a {@link ProxyModeUnavailableException} at start-up into Boot's short report instead of a stack trace. */
class ProxyModeFailureAnalyzer extends AbstractFailureAnalyzer<ProxyModeUnavailableException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ProxyModeUnavailableException cause) {
        return new FailureAnalysis(cause.getMessage(),
                "Fix the node (see above) or choose another mode with kube4j.proxy.mode.", cause);
    }
}
