package io.kube4j.security.authn;

import io.kube4j.security.UserInfo;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Kubernetes' front-proxy (request header) authenticator: the identity in {@code X-Remote-User},
 * {@code X-Remote-Group} (repeatable) and {@code X-Remote-Extra-<key>} headers, trusted only when the request's
 * client certificate verifies against the front-proxy CA and (when the allowed list is not empty) its CN is an
 * allowed name. Without such a certificate the headers are never trusted: a request carrying them with no or
 * another certificate gets no identity from them.
 */
public final class RequestHeaderAuthenticator {

    private final X509Authenticator proxyVerifier;
    private final List<String> allowedNames;
    private final List<String> usernameHeaders;
    private final List<String> groupHeaders;
    private final List<String> extraHeaderPrefixes;

    /**
     * @param proxyVerifier       verifies chains against the front-proxy CA
     * @param allowedNames        CNs of the proxies' certificates that may assert identities (empty: any)
     * @param usernameHeaders     e.g. {@code X-Remote-User}
     * @param groupHeaders        e.g. {@code X-Remote-Group}
     * @param extraHeaderPrefixes e.g. {@code X-Remote-Extra-}
     */
    public RequestHeaderAuthenticator(X509Authenticator proxyVerifier, List<String> allowedNames,
                                      List<String> usernameHeaders, List<String> groupHeaders,
                                      List<String> extraHeaderPrefixes) {
        this.proxyVerifier = proxyVerifier;
        this.allowedNames = List.copyOf(allowedNames);
        this.usernameHeaders = List.copyOf(usernameHeaders);
        this.groupHeaders = List.copyOf(groupHeaders);
        this.extraHeaderPrefixes = extraHeaderPrefixes.stream().map(p -> p.toLowerCase(Locale.ROOT)).toList();
    }

    /**
     * The asserted user; empty when no user header is present or no client certificate was presented. Throws
     * {@link AuthenticationException} when a user header comes with a certificate that is not an allowed proxy's.
     *
     * @param headers the request headers (names compared case-insensitively)
     */
    public Optional<UserInfo> authenticate(X509Certificate[] chain, Map<String, List<String>> headers) {
        Map<String, List<String>> h = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((k, v) -> h.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
        String user = null;
        for (String name : usernameHeaders) {
            for (String v : h.getOrDefault(name, List.of())) {
                if (!v.isEmpty()) {
                    user = v;
                    break;
                }
            }
            if (user != null) {
                break;
            }
        }
        if (user == null || chain == null || chain.length == 0) {
            return Optional.empty();
        }
        X509Certificate proxy = proxyVerifier.verify(chain).orElseThrow();
        String cn = io.kube4j.security.pki.SubjectAltNames.commonName(proxy);
        if (!allowedNames.isEmpty() && !allowedNames.contains(cn)) {
            throw new AuthenticationException("x509: subject with cn=" + cn + " is not in the allowed list");
        }
        List<String> groups = new ArrayList<>();
        for (String name : groupHeaders) {
            for (String v : h.getOrDefault(name, List.of())) {
                if (!v.isEmpty()) {
                    groups.add(v);
                }
            }
        }
        Map<String, List<String>> extra = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : h.entrySet()) {
            String lower = e.getKey().toLowerCase(Locale.ROOT);
            for (String prefix : extraHeaderPrefixes) {
                if (lower.startsWith(prefix) && lower.length() > prefix.length()) {
                    // Kubernetes lower-cases the escaped name, then unescapes: escaped characters keep their case
                    String key = unescape(lower.substring(prefix.length()));
                    List<String> values = extra.computeIfAbsent(key, k -> new ArrayList<>());
                    e.getValue().stream().filter(v -> !v.isEmpty()).forEach(values::add);
                }
            }
        }
        extra.values().removeIf(List::isEmpty);
        return Optional.of(new UserInfo(user, "", groups, extra));
    }

    /** Header names cannot hold every character of an extra key: Kubernetes percent-encodes them. */
    private static String unescape(String key) {
        try {
            return URLDecoder.decode(key.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return key;
        }
    }
}
