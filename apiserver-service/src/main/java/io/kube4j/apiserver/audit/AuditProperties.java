package io.kube4j.apiserver.audit;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The audit log, under {@code kube4j.apiserver.audit} (kube-apiserver's {@code --audit-policy-file},
 * {@code --audit-log-path}, {@code --audit-log-maxsize}, {@code --audit-log-maxbackup}). Off without a policy file.
 *
 * @param policyFile     an {@code audit.k8s.io/v1 Policy} YAML file; empty: no audit log
 * @param logPath        where events go, one JSON line each; {@code -} is standard output
 * @param logMaxsize     megabytes a log file may reach before it is rotated (0: never)
 * @param logMaxbackup   rotated files kept (0: all)
 * @param queueSize      events buffered for the writer thread; beyond, events are dropped and counted in
 *                       {@code apiserver_audit_error_total}
 * @param maxObjectBytes request and response bodies larger than this are left out of events
 */
@ConfigurationProperties("kube4j.apiserver.audit")
public record AuditProperties(
        String policyFile,
        @DefaultValue("-") String logPath,
        @DefaultValue("100") int logMaxsize,
        @DefaultValue("10") int logMaxbackup,
        @DefaultValue("10000") int queueSize,
        @DefaultValue("3145728") int maxObjectBytes) {

    public boolean enabled() {
        return policyFile != null && !policyFile.isBlank();
    }
}
