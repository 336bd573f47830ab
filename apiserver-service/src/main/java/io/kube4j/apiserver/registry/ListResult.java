package io.kube4j.apiserver.registry;

import java.util.List;

/**
 * A list answer: encoded items, the list's resourceVersion, and pagination.
 *
 * @param items              each item's JSON, resourceVersion set
 * @param resourceVersion    the store revision the list reflects
 * @param continueToken      token for the next page, or null
 * @param remainingItemCount items after this page when known, or null
 */
public record ListResult(List<byte[]> items, long resourceVersion, String continueToken, Long remainingItemCount) {
}
