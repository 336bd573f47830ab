package io.kube4j.addons.logging.store;

import java.time.Instant;
import java.util.Map;

/** A search result: one line with its timestamp and labels, the shape the search API writes as one JSON line. */
public record LogHit(Instant timestamp, String namespace, String pod, String container, String node,
                     Map<String, String> labels, String line) {

    static LogHit of(long nanos, StreamLabels s, String line) {
        return new LogHit(new LogEntry(nanos, line).timestamp(), s.namespace(), s.pod(), s.container(), s.node(),
                s.labels(), line);
    }
}
