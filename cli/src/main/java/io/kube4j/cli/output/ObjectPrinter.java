package io.kube4j.cli.output;

import io.kube4j.api.printing.TablePrinter;
import io.kube4j.api.printing.TablePrinters;
import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.api.ApiResource;
import io.kube4j.cli.command.CliException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLFactory;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;
import tools.jackson.dataformat.yaml.util.StringQuotingChecker;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prints objects as {@code kubectl get} does, in any {@link OutputFormat}: the kind's table ({@link TablePrinters}, shared with the apiserver)
 * with kubectl's decorations, YAML and JSON (keys sorted, as kubectl prints the unstructured objects it reads; several
 * objects wrapped in a {@code List}), {@code name} ({@code deployment.apps/web}), JSONPath templates and custom
 * columns. Commands that print objects ({@code get}, {@code apply -o yaml}, {@code create -o name}) share it.
 */
public final class ObjectPrinter {

    /** Objects of one resource (a table of their own). */
    public record Group(ApiResource resource, List<ObjectNode> objects) {
    }

    private final PrintOptions options;
    private final Clock clock;

    public ObjectPrinter(PrintOptions options) {
        this(options, Clock.systemUTC());
    }

    public ObjectPrinter(PrintOptions options, Clock clock) {
        this.options = options;
        this.clock = clock;
    }

    public PrintOptions options() {
        return options;
    }

    /** One object, printed bare (not in a List) by yaml, json and jsonpath. */
    public void printObject(ObjectNode object, ApiResource resource, PrintStream out) {
        print(List.of(new Group(resource, List.of(object))), true, out);
    }

    /** The objects of one resource, as a list (a List in yaml/json even when there is one). */
    public void print(List<ObjectNode> objects, ApiResource resource, PrintStream out) {
        print(List.of(new Group(resource, objects)), false, out);
    }

    /**
     * Prints groups: tables one per group separated by a blank line; yaml/json/jsonpath one document with every
     * object ({@code single}: the only object bare, as {@code get TYPE NAME} prints it).
     */
    public void print(List<Group> groups, boolean single, PrintStream out) {
        List<Group> sorted = new ArrayList<>();
        for (Group g : groups) {
            sorted.add(new Group(g.resource(), sort(g.objects())));
        }
        OutputFormat f = options.format();
        switch (f.type()) {
            case TABLE, WIDE -> {
                boolean first = true;
                for (Group g : sorted) {
                    if (g.objects().isEmpty()) {
                        continue;
                    }
                    if (!first) {
                        out.println();
                    }
                    first = false;
                    out.print(table(g, !options.noHeaders()).render());
                }
            }
            case NAME -> {
                for (Group g : sorted) {
                    for (ObjectNode o : g.objects()) {
                        out.println(name(g.resource(), o));
                    }
                }
            }
            case YAML, JSON, JSONPATH -> {
                JsonNode doc = document(sorted, single);
                if (f.type() == OutputFormat.Type.YAML) {
                    out.print(yaml(doc));
                } else if (f.type() == OutputFormat.Type.JSON) {
                    out.println(GoJson.indent(doc));
                } else {
                    out.print(JsonPathTemplate.parse(f.template()).execute(doc));
                }
            }
            case CUSTOM_COLUMNS -> {
                List<ObjectNode> all = new ArrayList<>();
                sorted.forEach(g -> all.addAll(g.objects()));
                out.print(customColumns(f.template(), all).render());
            }
            default -> throw new IllegalStateException(f.type().name());
        }
    }

    /** {@code pod/web-1}, {@code deployment.apps/web}. */
    public static String name(ApiResource resource, JsonNode object) {
        return resource.qualifiedKind() + "/" + object.path("metadata").path("name").asString("");
    }

    /**
     * YAML as kubectl prints it (sigs.k8s.io/yaml over go-yaml): keys sorted, lists not indented, multi-line strings
     * as literal blocks, and strings quoted when YAML 1.1 would read them as something else (numbers, booleans,
     * null, and timestamps, which Jackson's default leaves bare).
     */
    public static String yaml(JsonNode doc) {
        return YAML.writeValueAsString(sortKeys(doc));
    }

    private static final java.util.regex.Pattern TIMESTAMP =
            java.util.regex.Pattern.compile("^\\d{4}-\\d{1,2}-\\d{1,2}([Tt ].*)?$");

    private static final YAMLMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
                    .stringQuotingChecker(new StringQuotingChecker.Default() {
                        @Override
                        public boolean needToQuoteValue(String value) {
                            return super.needToQuoteValue(value) || TIMESTAMP.matcher(value).matches();
                        }
                    }).build())
            .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
            .enable(YAMLWriteFeature.MINIMIZE_QUOTES)
            .enable(YAMLWriteFeature.LITERAL_BLOCK_STYLE)
            .enable(YAMLWriteFeature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .build();

    /** What yaml/json/jsonpath print: the object itself, or a {@code v1 List} of all. */
    public static JsonNode document(List<Group> groups, boolean single) {
        List<ObjectNode> all = new ArrayList<>();
        groups.forEach(g -> all.addAll(g.objects()));
        if (single && all.size() == 1) {
            return sortKeys(all.get(0));
        }
        ObjectNode list = Codecs.json().createObjectNode();
        list.put("apiVersion", "v1");
        ArrayNode items = list.putArray("items");
        all.forEach(o -> items.add(sortKeys(o)));
        list.put("kind", "List");
        list.putObject("metadata").put("resourceVersion", "");
        return list;
    }

    /** The kind's table of {@code g}, with or without its header row (watch prints the header once). */
    public Table table(Group g, boolean header) {
        boolean wide = options.format().type() == OutputFormat.Type.WIDE;
        TablePrinter def = TablePrinters.of(g.resource().group(), g.resource().kind());
        boolean ns = options.withNamespace() && g.resource().namespaced();
        Table t = new Table();
        if (header) {
            List<String> h = new ArrayList<>();
            if (ns) {
                h.add("NAMESPACE");
            }
            h.addAll(def.headers(wide));
            for (String l : options.labelColumns()) {
                h.add(labelHeader(l));
            }
            if (options.showLabels()) {
                h.add("LABELS");
            }
            t.row(h);
        }
        Instant now = clock.instant();
        for (ObjectNode o : g.objects()) {
            t.row(row(g.resource(), def, o, now, wide, ns));
        }
        return t;
    }

    private List<String> row(ApiResource r, TablePrinter def, ObjectNode o, Instant now, boolean wide,
                             boolean ns) {
        List<String> cells = new ArrayList<>();
        if (ns) {
            cells.add(o.path("metadata").path("namespace").asString(""));
        }
        List<String> own = new ArrayList<>(def.cells(o, now, wide));
        int nameCol = def.headers(wide).indexOf("NAME");
        if (options.withKind() && nameCol >= 0) {
            own.set(nameCol, r.qualifiedKind() + "/" + own.get(nameCol));
        }
        int statusCol = def.headers(wide).indexOf("STATUS");
        if (statusCol >= 0 && options.colors().enabled()) {
            own.set(statusCol, colorStatus(own.get(statusCol)));
        }
        cells.addAll(own);
        JsonNode labels = o.path("metadata").path("labels");
        for (String l : options.labelColumns()) {
            cells.add(labels.path(l).asString(""));
        }
        if (options.showLabels()) {
            cells.add(TablePrinters.labels(labels));
        }
        return cells;
    }

    private String colorStatus(String s) {
        Colors c = options.colors();
        return switch (s) {
            case "Running", "Ready", "Active", "Complete", "Completed", "Succeeded", "Bound" -> c.green(s);
            case "Pending", "ContainerCreating", "PodInitializing", "Terminating", "NotReady", "Unknown" -> c.yellow(s);
            default -> s.startsWith("Init:") && s.matches("Init:\\d+/\\d+") ? c.yellow(s)
                    : s.contains("Err") || s.contains("BackOff") || s.contains("Fail") || s.startsWith("Init:")
                    || s.startsWith("ExitCode") || s.startsWith("Signal") || s.equals("OOMKilled")
                    || s.equals("Evicted") || s.equals("Error") ? c.red(s) : s;
        };
    }

    /** {@code -L app.kubernetes.io/name} → {@code NAME} (kubectl upper-cases the key's last path segment). */
    static String labelHeader(String key) {
        String[] parts = key.split("/");
        return parts[parts.length - 1].toUpperCase(Locale.ROOT);
    }

    private Table customColumns(String spec, List<ObjectNode> objects) {
        List<String> headers = new ArrayList<>();
        List<JsonPathTemplate> paths = new ArrayList<>();
        for (String col : spec.split(",")) {
            int colon = col.indexOf(':');
            if (colon <= 0) {
                throw new CliException("unexpected custom-columns spec: " + col + ", expected <header>:<json-path-expr>",
                        1);
            }
            headers.add(col.substring(0, colon));
            paths.add(JsonPathTemplate.relaxed(col.substring(colon + 1)));
        }
        Table t = new Table();
        if (!options.noHeaders()) {
            t.row(headers);
        }
        for (ObjectNode o : objects) {
            List<String> cells = new ArrayList<>();
            for (JsonPathTemplate p : paths) {
                List<Object> vs = p.values(o);
                if (vs.isEmpty()) {
                    cells.add("<none>");
                } else {
                    List<String> s = new ArrayList<>();
                    vs.forEach(v -> s.add(JsonPathTemplate.goText(v)));
                    cells.add(String.join(",", s));
                }
            }
            t.row(cells);
        }
        return t;
    }

    /** {@code --sort-by}: numbers numerically, strings in natural order; objects without the field first. */
    List<ObjectNode> sort(List<ObjectNode> objects) {
        if (options.sortBy() == null || options.sortBy().isBlank() || objects.size() < 2) {
            return objects;
        }
        JsonPathTemplate path = JsonPathTemplate.relaxed(options.sortBy());
        List<Map.Entry<Object, ObjectNode>> keyed = new ArrayList<>();
        for (ObjectNode o : objects) {
            List<Object> vs = path.values(o);
            if (vs.size() > 1) {
                throw new CliException("sorting on a field with more than one value (" + options.sortBy() + ") is not "
                        + "supported", 1);
            }
            keyed.add(Map.entry(vs.isEmpty() ? Missing.INSTANCE : vs.get(0), o));
        }
        keyed.sort(Comparator.comparing(Map.Entry::getKey, ObjectPrinter::compareValues));
        return keyed.stream().map(Map.Entry::getValue).toList();
    }

    private enum Missing { INSTANCE }

    static int compareValues(Object a, Object b) {
        if (a == Missing.INSTANCE || b == Missing.INSTANCE) {
            return a == b ? 0 : a == Missing.INSTANCE ? -1 : 1;
        }
        if (a instanceof Number x && b instanceof Number y) {
            return Double.compare(x.doubleValue(), y.doubleValue());
        }
        if (a instanceof Boolean x && b instanceof Boolean y) {
            return Boolean.compare(x, y);
        }
        return naturalCompare(JsonPathTemplate.text(a), JsonPathTemplate.text(b));
    }

    /** Natural order (kubectl's sortorder.NaturalLess): digit runs compare as numbers, {@code pod-2 < pod-10}. */
    static int naturalCompare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char ca = a.charAt(i);
            char cb = b.charAt(j);
            if (Character.isDigit(ca) && Character.isDigit(cb)) {
                int si = i;
                int sj = j;
                while (i < a.length() && Character.isDigit(a.charAt(i))) {
                    i++;
                }
                while (j < b.length() && Character.isDigit(b.charAt(j))) {
                    j++;
                }
                String na = a.substring(si, i).replaceFirst("^0+(?=.)", "");
                String nb = b.substring(sj, j).replaceFirst("^0+(?=.)", "");
                int c = na.length() != nb.length() ? Integer.compare(na.length(), nb.length()) : na.compareTo(nb);
                if (c != 0) {
                    return c;
                }
            } else {
                if (ca != cb) {
                    return Character.compare(ca, cb);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** A copy with every object's keys in alphabetical order (kubectl prints Go maps, which marshal sorted). */
    public static JsonNode sortKeys(JsonNode n) {
        if (n.isObject()) {
            TreeMap<String, JsonNode> m = new TreeMap<>();
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                m.put(e.getKey(), sortKeys(e.getValue()));
            }
            ObjectNode o = Codecs.json().createObjectNode();
            m.forEach(o::set);
            return o;
        }
        if (n.isArray()) {
            ArrayNode a = Codecs.json().createArrayNode();
            n.forEach(x -> a.add(sortKeys(x)));
            return a;
        }
        return n;
    }
}
