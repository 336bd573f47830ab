package io.kube4j.apiserver.registry;

import io.kube4j.api.selector.FieldSelector;
import io.kube4j.api.selector.LabelSelector;

/**
 * The options of a list or watch.
 *
 * @param labels               label selector
 * @param fields               field selector
 * @param resourceVersion      null (most recent, consistent), "0" (any), or a revision
 * @param resourceVersionMatch null, NotOlderThan or Exact
 * @param limit                page size (0: everything)
 * @param continueToken        token of the next page
 */
public record ListOptions(LabelSelector labels, FieldSelector fields, String resourceVersion,
                          String resourceVersionMatch, long limit, String continueToken) {
}
