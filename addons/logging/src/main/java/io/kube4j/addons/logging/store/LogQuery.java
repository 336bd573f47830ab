package io.kube4j.addons.logging.store;

import io.kube4j.api.selector.LabelSelector;

import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A search: lines containing {@code text} (or matching {@code regex}), from streams in {@code namespace} (null: all)
 * whose pod labels match {@code selector}, written in {@code [since, until)}, at most {@code limit} of them, oldest
 * first.
 */
public record LogQuery(String text, Pattern regex, String namespace, String pod, String container,
                       LabelSelector selector, Instant since, Instant until, int limit) {

    public LogQuery {
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(until, "until");
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive");
        }
        text = text == null || text.isEmpty() ? null : text;
    }

    /** Everything in the time range (tests, and the CLI without a text). */
    public static LogQuery all(Instant since, Instant until, int limit) {
        return new LogQuery(null, null, null, null, null, LabelSelector.everything(), since, until, limit);
    }

    /** This query with {@code text} as its substring. */
    public LogQuery withText(String text) {
        return new LogQuery(text, null, namespace, pod, container, selector, since, until, limit);
    }

    boolean matchesStream(StreamLabels s) {
        return (namespace == null || namespace.equals(s.namespace())) && (pod == null || pod.equals(s.pod()))
                && (container == null || container.equals(s.container())) && selector.matches(s.labels());
    }

    boolean matchesLine(String line) {
        if (regex != null) {
            return regex.matcher(line).find();
        }
        return text == null || line.contains(text);
    }
}
