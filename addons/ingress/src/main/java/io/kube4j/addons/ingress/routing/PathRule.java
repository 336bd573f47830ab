package io.kube4j.addons.ingress.routing;

/**
 * One {@code http.paths[]} entry of an Ingress rule with Kubernetes' matching semantics: {@code Exact} compares the
 * whole path, case-sensitively; {@code Prefix} compares path elements split by {@code /} (so {@code /foo} matches
 * {@code /foo}, {@code /foo/} and {@code /foo/bar} but not {@code /foobar}, and a trailing slash on either side is
 * ignored); {@code ImplementationSpecific} is treated as {@code Prefix}, with an empty path meaning {@code /}.
 */
public record PathRule(String path, Type type, Backend backend) {

    /** The path types, in the order that breaks ties between equally long matches: Exact before Prefix. */
    public enum Type { EXACT, PREFIX }

    public static PathRule of(String path, String pathType, Backend backend) {
        String p = path == null || path.isEmpty() ? "/" : path;
        return new PathRule(p, "Exact".equals(pathType) ? Type.EXACT : Type.PREFIX, backend);
    }

    /** The length that ranks matches: the longest matching path wins (Prefix paths without a trailing slash). */
    public int rank() {
        return type == Type.PREFIX ? trimmed(path).length() : path.length();
    }

    public boolean matches(String requestPath) {
        if (type == Type.EXACT) {
            return path.equals(requestPath);
        }
        String prefix = trimmed(path);
        if (prefix.isEmpty()) {
            return true; // "/" matches every path
        }
        String req = trimmed(requestPath);
        // element-wise: the prefix must end at a "/" boundary of the request path
        return req.equals(prefix) || req.startsWith(prefix) && req.charAt(prefix.length()) == '/';
    }

    private static String trimmed(String p) {
        int end = p.length();
        while (end > 0 && p.charAt(end - 1) == '/') {
            end--;
        }
        return p.substring(0, end);
    }
}
