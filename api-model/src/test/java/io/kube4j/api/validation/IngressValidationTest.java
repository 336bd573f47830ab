package io.kube4j.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.defaulting.Defaulting;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Ingress and IngressClass rules (Kubernetes' networking validation), on defaulted objects. */
class IngressValidationTest {

    private static final String INGRESS = """
            metadata: {name: web, namespace: default}
            spec:
              ingressClassName: kube4j
              tls: [{hosts: [a.example.com, '*.b.example.com'], secretName: web-tls}]
              rules:
              - host: a.example.com
                http:
                  paths:
                  - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}
              - host: '*.b.example.com'
                http:
                  paths:
                  - {path: /, pathType: Exact, backend: {service: {name: web, port: {name: http}}}}
            """;

    private static final String CLASS = """
            metadata: {name: kube4j}
            spec: {controller: kube4j.io/ingress, parameters: {kind: Config, name: c}}
            """;

    private static <T extends HasMetadata> List<String> errors(String yaml, Class<T> type) {
        T obj = Codecs.yaml().readValue(yaml, type);
        Defaulting.apply(obj);
        ResourceType t = ResourceRegistry.builtin().byType(type).orElseThrow();
        return Validation.validateCreate(t, obj).stream().map(FieldError::message).toList();
    }

    @Test
    void validObjectsPass() {
        assertThat(errors(INGRESS, Ingress.class)).isEmpty();
        assertThat(errors(CLASS, IngressClass.class)).isEmpty();
        assertThat(errors("""
                metadata: {name: d, namespace: default}
                spec: {defaultBackend: {resource: {apiGroup: example.com, kind: Bucket, name: b}}}
                """, Ingress.class)).isEmpty();
    }

    @Test
    void defaultingScopesParametersToTheCluster() {
        IngressClass ic = Codecs.yaml().readValue(CLASS, IngressClass.class);
        Defaulting.apply(ic);
        assertThat(ic.getSpec().getParameters().getScope()).isEqualTo("Cluster");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "'host: a.example.com'|'host: 10.0.0.1'|spec.rules[0].host: Invalid value: \"10.0.0.1\": must be a DNS name, not an IP address",
            "'host: a.example.com'|'host: a.*.com'|spec.rules[0].host: Invalid value: \"a.*.com\": a wildcard DNS-1123 subdomain must start with '*.'",
            "'host: a.example.com'|'host: A_B'|spec.rules[0].host: Invalid value: \"A_B\": a lowercase RFC 1123 subdomain",
            "'path: /api,'|'path: api,'|spec.rules[0].http.paths[0].path: Invalid value: \"api\": must be an absolute path",
            "'path: /api,'|'path: /a//b,'|spec.rules[0].http.paths[0].path: Invalid value: \"/a//b\": must not contain '//'",
            "'path: /api,'|'path: /a/..,'|spec.rules[0].http.paths[0].path: Invalid value: \"/a/..\": cannot end with '/..'",
            "'pathType: Prefix'|'pathType: Regex'|spec.rules[0].http.paths[0].pathType: Unsupported value: \"Regex\"",
            "'path: /api, pathType: Prefix,'|'path: /api,'|spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified",
            "'name: api, port: {number: 80}'|'name: api, port: {number: 80, name: http}'|spec.rules[0].http.paths[0].backend: Invalid value: \"\": cannot set both port name & port number",
            "'name: api, port: {number: 80}'|'name: api, port: {}'|spec.rules[0].http.paths[0].backend: Required value: port name or number is required",
            "'name: api, port: {number: 80}'|'name: api, port: {number: 70000}'|spec.rules[0].http.paths[0].backend.service.port.number: Invalid value: 70000",
            "'name: api, port: {number: 80}'|'port: {number: 80}'|spec.rules[0].http.paths[0].backend.service.name: Required value",
            "'backend: {service: {name: api, port: {number: 80}}}'|'backend: {service: {name: api, port: {number: 80}}, resource: {kind: K, name: n}}'|spec.rules[0].http.paths[0].backend: Invalid value: \"\": cannot set both resource and service backends",
            "'backend: {service: {name: api, port: {number: 80}}}'|'backend: {}'|spec.rules[0].http.paths[0].backend: Invalid value: \"\": resource or service backend is required",
            "'secretName: web-tls'|'secretName: Web_TLS'|spec.tls[0].secretName: Invalid value: \"Web_TLS\"",
            "'hosts: [a.example.com,'|'hosts: [a.*.example.com,'|spec.tls[0].hosts[0]: Invalid value: \"a.*.example.com\"",
            "'ingressClassName: kube4j'|'ingressClassName: Kube4j'|spec.ingressClassName: Invalid value: \"Kube4j\"",
    })
    void rejectsIngress(String from, String to, String message) {
        assertThat(INGRESS).contains(from);
        assertThat(errors(INGRESS.replace(from, to), Ingress.class)).anySatisfy(m -> assertThat(m).startsWith(message));
    }

    @Test
    void anIngressNeedsRulesOrADefaultBackend() {
        assertThat(errors("metadata: {name: e, namespace: default}\nspec: {}\n", Ingress.class))
                .containsExactly("spec: Invalid value: \"\": either `defaultBackend` or `rules` must be specified");
        assertThat(errors("""
                metadata: {name: e, namespace: default}
                spec: {rules: [{host: a.example.com, http: {paths: []}}]}
                """, Ingress.class)).containsExactly("spec.rules[0].http.paths: Required value");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "'controller: kube4j.io/ingress'|'controller: \"\"'|spec.controller: Required value",
            "'controller: kube4j.io/ingress'|'controller: ingress'|spec.controller: Invalid value: \"ingress\": must be a domain-prefixed path",
            "'kind: Config, '|''|spec.parameters.kind: Required value",
            "'name: c}'|'name: c, scope: Namespace}'|spec.parameters.namespace: Required value",
            "'name: c}'|'name: c, scope: Zone}'|spec.parameters.scope: Unsupported value: \"Zone\"",
            "'name: c}'|'name: c, namespace: x}'|spec.parameters.namespace: Forbidden",
    })
    void rejectsIngressClass(String from, String to, String message) {
        assertThat(CLASS).contains(from);
        assertThat(errors(CLASS.replace(from, to), IngressClass.class)).anySatisfy(m -> assertThat(m).startsWith(message));
    }

    @Test
    void theControllerOfAClassIsImmutable() {
        IngressClass old = Codecs.yaml().readValue(CLASS, IngressClass.class);
        IngressClass changed = Codecs.yaml().readValue(CLASS.replace("kube4j.io/ingress", "example.com/other"),
                IngressClass.class);
        Defaulting.apply(old);
        Defaulting.apply(changed);
        ResourceType t = ResourceRegistry.builtin().byType(IngressClass.class).orElseThrow();
        assertThat(Validation.validateUpdate(t, changed, old)).extracting(FieldError::message)
                .containsExactly("spec.controller: Invalid value: \"example.com/other\": field is immutable");
    }
}
