package io.kube4j.scheduler.framework;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One scheduler profile: the {@code schedulerName} it serves, its plugins (in order) with a weight for each score
 * plugin, and its {@code percentageOfNodesToScore} (0: adaptive).
 */
public record Profile(String schedulerName, QueueSortPlugin queueSort, List<Plugin> plugins,
        Map<String, Integer> scoreWeights, int percentageOfNodesToScore) {

    public Profile {
        Objects.requireNonNull(schedulerName);
        Objects.requireNonNull(queueSort);
        plugins = List.copyOf(plugins);
        scoreWeights = Map.copyOf(scoreWeights);
        List<String> seen = new ArrayList<>();
        for (Plugin p : plugins) {
            if (seen.contains(p.name())) {
                throw new IllegalArgumentException("profile " + schedulerName + ": plugin " + p.name() + " twice");
            }
            seen.add(p.name());
        }
        for (Map.Entry<String, Integer> w : scoreWeights.entrySet()) {
            if (w.getValue() < 1) {
                throw new IllegalArgumentException("profile " + schedulerName + ": weight of " + w.getKey()
                        + " must be at least 1, got " + w.getValue());
            }
        }
    }

    /** The weight of score plugin {@code name} (1 unless configured). */
    public int weight(String name) {
        return scoreWeights.getOrDefault(name, 1);
    }

    /** A builder: plugins are added in the order they run. */
    public static Builder builder(String schedulerName, QueueSortPlugin queueSort) {
        return new Builder(schedulerName, queueSort);
    }

    /** Builds a {@link Profile}. */
    public static final class Builder {
        private final String schedulerName;
        private final QueueSortPlugin queueSort;
        private final List<Plugin> plugins = new ArrayList<>();
        private final Map<String, Integer> weights = new LinkedHashMap<>();
        private int percentage;

        private Builder(String schedulerName, QueueSortPlugin queueSort) {
            this.schedulerName = schedulerName;
            this.queueSort = queueSort;
        }

        public Builder plugin(Plugin p) {
            plugins.add(p);
            return this;
        }

        /** Adds a plugin with its score weight. */
        public Builder plugin(Plugin p, int weight) {
            plugins.add(p);
            weights.put(p.name(), weight);
            return this;
        }

        public Builder percentageOfNodesToScore(int percentage) {
            this.percentage = percentage;
            return this;
        }

        public Profile build() {
            return new Profile(schedulerName, queueSort, plugins, weights, percentage);
        }
    }
}
