package io.kube4j.cli.output;

import java.util.List;

/**
 * How {@link ObjectPrinter} prints: the format and the table's decorations.
 *
 * @param noHeaders     {@code --no-headers}
 * @param showLabels    {@code --show-labels}: a LABELS column
 * @param labelColumns  {@code -L key}: a column per label key
 * @param withNamespace {@code -A}: a NAMESPACE column first (namespaced resources)
 * @param withKind      several types printed: NAME cells prefixed {@code deployment.apps/}
 * @param sortBy        {@code --sort-by} JSONPath, or null
 * @param colors        the terminal's colours (pod and node status cells)
 */
public record PrintOptions(OutputFormat format, boolean noHeaders, boolean showLabels, List<String> labelColumns,
                           boolean withNamespace, boolean withKind, String sortBy, Colors colors) {

    /** Just a format, no decorations. */
    public static PrintOptions of(OutputFormat format) {
        return new PrintOptions(format, false, false, List.of(), false, false, null, Colors.NONE);
    }

    public PrintOptions withKind(boolean k) {
        return new PrintOptions(format, noHeaders, showLabels, labelColumns, withNamespace, k, sortBy, colors);
    }
}
