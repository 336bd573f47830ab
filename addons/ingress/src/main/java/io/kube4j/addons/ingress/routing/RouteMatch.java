package io.kube4j.addons.ingress.routing;

/** The result of routing a request: the backend and the rule host that matched ({@code "*"} for the default backend). */
public record RouteMatch(Backend backend, String host) {
}
