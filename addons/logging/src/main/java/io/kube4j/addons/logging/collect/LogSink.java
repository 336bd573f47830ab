package io.kube4j.addons.logging.collect;

import io.kube4j.addons.logging.store.LogEntry;
import io.kube4j.addons.logging.store.StreamLabels;

import java.util.List;

/** Where collected lines go besides the node's own store: an external Loki or Elasticsearch. Must not block. */
public interface LogSink {

    void accept(StreamLabels labels, List<LogEntry> entries);
}
