package io.kube4j.scheduler.simulate;

import java.util.List;
import java.util.UUID;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.defaulting.Defaulting;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.api.validation.FieldError;
import io.kube4j.api.validation.Validation;
import io.kube4j.scheduler.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /simulate}: the body is a Pod (JSON or YAML, as {@code kubectl} would send it) or a bare PodSpec; the
 * answer is a {@link SimulationResult}. The pod is defaulted and validated as the apiserver would; bad input gets a
 * Kubernetes {@code Status}: 400 BadRequest when it cannot be read, 422 Invalid when the pod is invalid, 404
 * NotFound when no profile serves its {@code schedulerName}.
 */
@RestController
public class SimulateHandler {

    private static final Logger log = LoggerFactory.getLogger(SimulateHandler.class);
    private static final ResourceType POD_TYPE = ResourceRegistry.builtin().byType(Pod.class).orElseThrow();

    private final Simulator simulator;

    @org.springframework.beans.factory.annotation.Autowired
    public SimulateHandler(Scheduler scheduler) {
        this(new Simulator(scheduler::framework, scheduler::snapshotCopy));
    }

    SimulateHandler(Simulator simulator) {
        this.simulator = simulator;
    }

    @PostMapping(path = "/simulate", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<byte[]>> simulate(@RequestBody(required = false) Mono<String> body) {
        return body.defaultIfEmpty("").map(this::handle).subscribeOn(Schedulers.boundedElastic());
    }

    ResponseEntity<byte[]> handle(String body) {
        Pod pod;
        try {
            pod = parse(body);
        } catch (BadInput e) {
            return status(e.code, e.reason, e.getMessage());
        }
        try {
            return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(Codecs.toJson(
                    simulator.simulate(pod)));
        } catch (Simulator.UnknownProfileException e) {
            return status(404, "NotFound", e.getMessage());
        } catch (RuntimeException e) {
            // The cluster side was admitted by the apiserver; what a plugin cannot digest came with the pod.
            log.info("simulating {} failed", pod.getMetadata().getName(), e);
            return status(400, "BadRequest", "the pod could not be simulated: " + e.getMessage());
        }
    }

    /** Reads, completes, defaults and validates the pod of the request. */
    static Pod parse(String body) {
        if (body == null || body.isBlank()) {
            throw new BadInput(400, "BadRequest", "the request body must be a Pod (JSON or YAML) or a PodSpec");
        }
        List<JsonNode> docs;
        try {
            docs = Codecs.readYamlDocuments(body);
        } catch (RuntimeException e) {
            throw new BadInput(400, "BadRequest", "the request body is neither JSON nor YAML: " + firstLine(e));
        }
        if (docs.size() != 1 || !docs.get(0).isObject()) {
            throw new BadInput(400, "BadRequest", "the request body must be exactly one Pod object, got "
                    + (docs.size() == 1 ? "a " + docs.get(0).getNodeType().name().toLowerCase() : docs.size()
                            + " documents"));
        }
        ObjectNode tree = (ObjectNode) docs.get(0);
        String kind = tree.path("kind").isString() ? tree.path("kind").asString() : null;
        Pod pod;
        try {
            if (kind == null && tree.has("containers")) {
                pod = new Pod();
                pod.setSpec(Codecs.json().treeToValue(tree, PodSpec.class));
            } else if (kind == null || "Pod".equals(kind)) {
                String apiVersion = tree.path("apiVersion").isString() ? tree.path("apiVersion").asString() : "v1";
                if (!"v1".equals(apiVersion)) {
                    throw new BadInput(400, "BadRequest", "a Pod is apiVersion v1, got " + apiVersion);
                }
                pod = Codecs.convert(tree, Pod.class);
            } else {
                throw new BadInput(400, "BadRequest", "the request body must be a Pod or a PodSpec, got kind " + kind);
            }
        } catch (BadInput e) {
            throw e;
        } catch (RuntimeException e) {
            throw new BadInput(400, "BadRequest", "the request body is not a valid Pod: " + firstLine(e));
        }
        if (pod.getSpec() == null) {
            throw new BadInput(400, "BadRequest", "the Pod has no spec");
        }
        ObjectMeta meta = pod.getMetadata() == null ? new ObjectMeta() : pod.getMetadata();
        pod.setMetadata(meta);
        if (meta.getNamespace() == null || meta.getNamespace().isEmpty()) {
            meta.setNamespace("default");
        }
        if (meta.getName() == null || meta.getName().isEmpty()) {
            meta.setName((meta.getGenerateName() == null ? "" : meta.getGenerateName()) + "simulated");
        }
        if (meta.getUid() == null) {
            meta.setUid(UUID.randomUUID().toString());
        }
        Defaulting.apply(pod);
        List<FieldError> errors = Validation.validateCreate(POD_TYPE, pod);
        if (!errors.isEmpty()) {
            throw new BadInput(422, "Invalid", "Pod \"" + meta.getName() + "\" is invalid: "
                    + String.join(", ", errors.stream().map(FieldError::message).toList()));
        }
        return pod;
    }

    private static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    static ResponseEntity<byte[]> status(int code, String reason, String message) {
        Status s = new StatusBuilder().withApiVersion("v1").withKind("Status").withStatus("Failure")
                .withMessage(message).withReason(reason).withCode(code).build();
        return ResponseEntity.status(code).contentType(MediaType.APPLICATION_JSON).body(Codecs.toJson(s));
    }

    /** Input the simulation cannot take, with the HTTP code and Kubernetes reason to answer. */
    static final class BadInput extends RuntimeException {
        final int code;
        final String reason;

        BadInput(int code, String reason, String message) {
            super(message, null, false, false);
            this.code = code;
            this.reason = reason;
        }
    }
}
