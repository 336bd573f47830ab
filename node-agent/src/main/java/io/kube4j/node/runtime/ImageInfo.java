package io.kube4j.node.runtime;

import java.util.List;

/** A local image: its id ({@code sha256:...}), the names it is known by and its size. */
public record ImageInfo(String id, List<String> repoTags, long sizeBytes) {
}
