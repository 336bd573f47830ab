package io.kube4j.apiserver.audit;

import io.kube4j.apiserver.auth.authz.AuthorizationAttributes;
import io.kube4j.security.UserInfo;

import java.time.Instant;
import java.util.List;

/**
 * What the request path hands to the audit writer for one stage of one request: plain data and raw bodies,
 * so that parsing, redaction and serialization happen on the writer thread, never on the event loop.
 */
record AuditRecord(AuditLevel level, String auditId, String stage, String requestUri, AuthorizationAttributes attrs,
                   UserInfo user, UserInfo impersonatedUser, List<String> sourceIps, String userAgent, int code,
                   byte[] requestBody, String requestContentType, byte[] responseBody, Instant received,
                   Instant stageTime) {
}
