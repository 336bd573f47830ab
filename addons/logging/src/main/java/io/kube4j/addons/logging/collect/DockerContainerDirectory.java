package io.kube4j.addons.logging.collect;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's pod containers in a Docker engine, by the labels the node agent puts on them
 * ({@code io.kube4j.node=<node>}, {@code io.kubernetes.docker.type=container}, pod namespace/name/uid, container
 * name; several agents may share one engine), with their json-file log paths from {@code inspect}. Container events
 * come from the engine's event stream, resubscribed when it ends.
 */
public final class DockerContainerDirectory implements ContainerDirectory {

    private static final Logger log = LoggerFactory.getLogger(DockerContainerDirectory.class);
    static final String NODE = "io.kube4j.node";
    static final String TYPE = "io.kubernetes.docker.type";
    static final String POD_NAMESPACE = "io.kubernetes.pod.namespace";
    static final String POD_NAME = "io.kubernetes.pod.name";
    static final String POD_UID = "io.kubernetes.pod.uid";
    static final String CONTAINER_NAME = "io.kubernetes.container.name";

    private final DockerClient docker;
    private final String node;
    /** Log paths never change for a container: inspect each one once. */
    private final Map<String, String> logPaths = new ConcurrentHashMap<>();
    private volatile Closeable events;
    private volatile boolean closed;

    public DockerContainerDirectory(DockerClient docker, String node) {
        this.docker = docker;
        this.node = node;
    }

    @Override
    public List<ContainerInfo> list() {
        List<Container> found = docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(NODE, node, TYPE, "container")).exec();
        List<ContainerInfo> out = new ArrayList<>();
        for (Container c : found) {
            Map<String, String> l = c.getLabels();
            String path = logPaths.get(c.getId());
            if (path == null) {
                path = logPath(c.getId());
                if (!path.isEmpty()) {
                    logPaths.put(c.getId(), path); // a created, not yet started container has none yet: ask again
                }
            }
            out.add(new ContainerInfo(c.getId(), l.get(POD_NAMESPACE), l.get(POD_NAME), l.get(POD_UID),
                    l.get(CONTAINER_NAME), path));
        }
        logPaths.keySet().retainAll(out.stream().map(ContainerInfo::id).toList());
        return out;
    }

    private String logPath(String id) {
        try {
            String p = docker.inspectContainerCmd(id).exec().getLogPath();
            return p == null ? "" : p;
        } catch (NotFoundException e) {
            return ""; // removed between list and inspect
        }
    }

    @Override
    public void watch(Runnable onChange) {
        if (closed) {
            return;
        }
        events = docker.eventsCmd().withEventTypeFilter(EventType.CONTAINER).withLabelFilter(Map.of(NODE, node))
                .exec(new ResultCallback.Adapter<Event>() {
                    @Override
                    public void onNext(Event e) {
                        onChange.run();
                    }

                    @Override
                    public void onError(Throwable t) {
                        if (!closed) {
                            log.debug("docker event stream ended: {}; resubscribing", t.toString());
                            onChange.run();
                            resubscribe(onChange);
                        }
                    }

                    @Override
                    public void onComplete() {
                        if (!closed) {
                            onChange.run();
                            resubscribe(onChange);
                        }
                    }
                });
    }

    private void resubscribe(Runnable onChange) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(1000); // an engine restarting: do not spin (the rediscovery period covers the gap)
                watch(onChange);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log.debug("resubscribing to docker events: {}", e.toString());
                if (!closed) {
                    resubscribe(onChange);
                }
            }
        }, "log-collector-events");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        closed = true;
        Closeable e = events;
        if (e != null) {
            try {
                e.close();
            } catch (IOException ex) {
                // closing a stream
            }
        }
    }
}
