package io.kube4j.addons.logging.web;

import io.kube4j.addons.logging.store.LogHit;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /api/v1/logs/search}: the node's stored lines as JSON lines ({@code application/x-ndjson}), streamed,
 * oldest first. Parameters: {@code q} (substring, or a regular expression with {@code regex=true}), {@code selector}
 * (pod labels), {@code namespace}, {@code pod}, {@code container}, {@code since} (duration, default 1h) or
 * {@code sinceTime}, {@code until}, {@code limit} (default 1000).
 */
@RestController
public class LogSearchController {

    private final LogSearchService search;

    public LogSearchController(LogSearchService search) {
        this.search = search;
    }

    @GetMapping(path = "/api/v1/logs/search", produces = {MediaType.APPLICATION_NDJSON_VALUE,
            MediaType.APPLICATION_JSON_VALUE})
    public Flux<LogHit> search(@RequestParam(required = false) String q, @RequestParam(required = false) String regex,
                               @RequestParam(required = false) String selector,
                               @RequestParam(required = false) String namespace,
                               @RequestParam(required = false) String pod,
                               @RequestParam(required = false) String container,
                               @RequestParam(required = false) String since,
                               @RequestParam(required = false) String sinceTime,
                               @RequestParam(required = false) String until,
                               @RequestParam(required = false) String limit) {
        // parsed before the Flux is returned: a bad parameter is a 400, never a broken stream
        return search.search(search.parse(new LogSearchService.Params(q, regex, selector, namespace, pod, container,
                since, sinceTime, until, limit)));
    }

    /** A Kubernetes-style Status for the caller's mistakes. */
    @ExceptionHandler(BadSearchException.class)
    public ResponseEntity<Map<String, Object>> badRequest(BadSearchException e) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.put("status", "Failure");
        status.put("message", e.getMessage());
        status.put("reason", "BadRequest");
        status.put("code", 400);
        return ResponseEntity.status(HttpStatus.BAD_REQUEST).contentType(MediaType.APPLICATION_JSON).body(status);
    }
}
