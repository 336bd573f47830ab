package io.kube4j.client.leaderelection;

import java.util.function.Consumer;

/**
 * What to do when leadership changes. {@code onStartedLeading} runs on its own thread (start controllers there);
 * {@code onStoppedLeading} runs on the elector's thread before it tries anything else (stop controllers there);
 * {@code onNewLeader} is told each newly observed holder, ourselves included.
 */
public record LeaderCallbacks(Runnable onStartedLeading, Runnable onStoppedLeading, Consumer<String> onNewLeader) {

    public LeaderCallbacks {
        onStartedLeading = onStartedLeading == null ? () -> { } : onStartedLeading;
        onStoppedLeading = onStoppedLeading == null ? () -> { } : onStoppedLeading;
        onNewLeader = onNewLeader == null ? id -> { } : onNewLeader;
    }
}
