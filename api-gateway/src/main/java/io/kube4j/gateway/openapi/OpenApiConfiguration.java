package io.kube4j.gateway.openapi;

import io.kube4j.gateway.routing.UpstreamProperties;
import io.kube4j.security.UserInfo;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.config.HttpClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.PropertySource;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.netty.http.client.HttpClient;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Swagger UI (springdoc's, at {@code /swagger-ui.html}) for the cluster's API: its configuration
 * ({@link #SWAGGER_CONFIG}, named by {@code springdoc.swagger-ui.config-url}) lists one document per group-version
 * of the apiserver's {@code /openapi/v3} index, at the index's own URLs, so the browser loads them through the
 * gateway's API route with the user's credentials. springdoc's own document of the gateway is left empty
 * ({@code springdoc.packages-to-scan}/{@code paths-to-match} match nothing): the gateway has no API of its own.
 */
@Configuration(proxyBeanMethods = false)
@PropertySource("classpath:io/kube4j/gateway/openapi/springdoc-defaults.properties")
public class OpenApiConfiguration {

    /** Where Swagger UI reads its configuration. */
    public static final String SWAGGER_CONFIG = "/swagger-ui/kube4j-swagger-config";

    @Bean
    OpenApiIndex openApiIndex(UpstreamProperties upstream, OpenApiProperties props,
                              ObjectProvider<HttpClientCustomizer> customizers) {
        HttpClient http = HttpClient.create();
        for (HttpClientCustomizer c : customizers.orderedStream().toList()) {
            http = c.customize(http);
        }
        Map<String, String> identity = new LinkedHashMap<>();
        identity.put("X-Remote-User", props.identity());
        identity.put("X-Remote-Group", UserInfo.SYSTEM_AUTHENTICATED);
        return new OpenApiIndex(WebClient.builder()
                .clientConnector(new ReactorClientHttpConnector(http))
                .codecs(c -> c.defaultCodecs().maxInMemorySize(1 << 20))
                .build(), upstream.servers(), identity, props.refreshInterval());
    }

    @Bean
    RouterFunction<ServerResponse> swaggerConfig(OpenApiIndex index) {
        return RouterFunctions.route().GET(SWAGGER_CONFIG, request -> index.current().flatMap(entries -> {
            List<Map<String, String>> urls = entries.stream()
                    .map(e -> Map.of("name", e.name(), "url", e.url())).toList();
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("urls", urls);
            if (!urls.isEmpty()) {
                config.put("urls.primaryName", urls.get(0).get("name"));
            }
            config.put("validatorUrl", "none"); // no call to an outside validator
            config.put("withCredentials", true);
            return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(config);
        })).build();
    }
}
