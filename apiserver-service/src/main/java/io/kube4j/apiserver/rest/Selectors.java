package io.kube4j.apiserver.rest;

import io.kube4j.api.selector.FieldSelector;
import io.kube4j.api.selector.LabelSelector;
import org.springframework.web.reactive.function.server.ServerRequest;

import java.util.Set;

/**
 * A list's {@code labelSelector} and {@code fieldSelector} query parameters, parsed and checked: a selector that does
 * not parse, or a field label the resource does not index, is the client's 400 (Kubernetes' wording).
 */
public record Selectors(LabelSelector labels, FieldSelector fields) {

    /** Parses the request's selectors; {@code supportedFields} are the field labels the resource can select on. */
    public static Selectors of(ServerRequest request, Set<String> supportedFields) {
        LabelSelector labels;
        FieldSelector fields;
        try {
            labels = request.queryParam("labelSelector").filter(s -> !s.isBlank()).map(LabelSelector::parse)
                    .orElse(LabelSelector.everything());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("unable to parse requirement: " + e.getMessage());
        }
        try {
            fields = request.queryParam("fieldSelector").filter(s -> !s.isBlank()).map(FieldSelector::parse)
                    .orElse(FieldSelector.everything());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid field selector: " + e.getMessage());
        }
        for (String f : fields.fieldNames()) {
            if (!supportedFields.contains(f)) {
                throw ApiException.badRequest("field label not supported: " + f);
            }
        }
        return new Selectors(labels, fields);
    }
}
