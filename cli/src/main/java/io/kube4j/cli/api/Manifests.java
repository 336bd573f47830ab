package io.kube4j.cli.api;

import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.UsageException;
import io.kube4j.cli.output.Io;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The objects of kubectl's {@code -f FILE|DIR|URL|-} arguments (with {@code -R}): multi-document YAML or JSON, in the
 * order given (a directory's {@code .yaml}, {@code .yml} and {@code .json} files in name order, sub-directories only
 * with {@code -R}); {@code kind: List} (or {@code ...List}) documents are flattened into their items and empty
 * documents are skipped. Every failure names the file (and the document) as kubectl does. Shared by {@code apply},
 * {@code create}, {@code delete}, {@code simulate}, ...
 */
public final class Manifests {

    private static final List<String> EXTENSIONS = List.of(".json", ".yaml", ".yml");

    private Manifests() {
    }

    /**
     * One object read from a manifest.
     *
     * @param source the file as the user named it ({@code deploy.yaml}, {@code dir/a.yaml}, {@code STDIN}, a URL)
     * @param index  the position of the document among the non-empty ones of that source (0-based, before List flattening)
     * @param object the object, as written (mutable: commands may default its namespace)
     */
    public record Document(String source, int index, ObjectNode object) {

        public String apiVersion() {
            return object.path("apiVersion").asString("");
        }

        public String kind() {
            return object.path("kind").asString("");
        }

        /** {@code metadata.name}, or null. */
        public String name() {
            JsonNode n = object.path("metadata").path("name");
            return n.isString() && !n.asString().isEmpty() ? n.asString() : null;
        }

        /** {@code metadata.namespace}, or null. */
        public String namespace() {
            JsonNode n = object.path("metadata").path("namespace");
            return n.isString() && !n.asString().isEmpty() ? n.asString() : null;
        }
    }

    /**
     * Reads every object of {@code filenames} (as given to {@code -f}); {@code recursive} is {@code -R}. Throws
     * {@link UsageException} when none was given and {@link CliException} for a missing path or a document that is not
     * an object with {@code apiVersion} and {@code kind}.
     */
    public static List<Document> read(List<String> filenames, boolean recursive, Io io) {
        if (filenames == null || filenames.isEmpty()) {
            throw new UsageException("must specify one of -f and -k");
        }
        List<Document> out = new ArrayList<>();
        for (String f : filenames) {
            if (f.equals("-")) {
                out.addAll(parse("STDIN", readStdin(io)));
            } else if (f.startsWith("http://") || f.startsWith("https://")) {
                out.addAll(parse(f, fetch(f)));
            } else {
                Path p = io.path(f);
                if (!Files.exists(p)) {
                    throw new CliException("the path \"" + f + "\" does not exist");
                }
                if (Files.isDirectory(p)) {
                    for (Path file : directory(p, recursive)) {
                        out.addAll(parse(display(f, p, file), readFile(file)));
                    }
                } else {
                    out.addAll(parse(f, readFile(p)));
                }
            }
        }
        return out;
    }

    /** Parses one source's text: every non-empty document, Lists flattened. */
    public static List<Document> parse(String source, String text) {
        List<JsonNode> docs;
        try {
            docs = Codecs.readYamlDocuments(text);
        } catch (JacksonException e) {
            throw new CliException("error parsing " + source + ": " + e.getOriginalMessage());
        }
        List<Document> out = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            JsonNode d = docs.get(i);
            if (d.isObject() && d.isEmpty()) {
                continue;
            }
            if (!d.isObject()) {
                throw new CliException("error validating \"" + source + "\": document " + (i + 1)
                        + " is not an object (found " + d.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
                        + ")");
            }
            addObject(out, source, i, (ObjectNode) d);
        }
        return out;
    }

    private static void addObject(List<Document> out, String source, int index, ObjectNode o) {
        String kind = o.path("kind").asString("");
        if (kind.endsWith("List") && o.path("items").isArray()) {
            for (JsonNode item : o.path("items")) {
                if (!item.isObject()) {
                    throw new CliException("error validating \"" + source + "\": document " + (index + 1)
                            + ": an item of the List is not an object");
                }
                addObject(out, source, index, (ObjectNode) item);
            }
            return;
        }
        if (kind.isEmpty()) {
            throw new CliException("error validating \"" + source + "\": error validating data: kind not set"
                    + where(index));
        }
        if (o.path("apiVersion").asString("").isEmpty()) {
            throw new CliException("error validating \"" + source + "\": error validating data: apiVersion not set"
                    + where(index));
        }
        out.add(new Document(source, index, o));
    }

    private static String where(int index) {
        return " (document " + (index + 1) + ")";
    }

    private static List<Path> directory(Path dir, boolean recursive) {
        try (Stream<Path> s = recursive ? Files.walk(dir) : Files.list(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> EXTENSIONS.stream().anyMatch(e -> p.getFileName().toString().endsWith(e)))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new CliException("error reading " + dir + ": " + e.getMessage());
        }
    }

    private static String display(String given, Path dir, Path file) {
        String rel = dir.relativize(file).toString();
        return given.endsWith("/") ? given + rel : given + "/" + rel;
    }

    private static String readFile(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException("error reading " + p + ": " + e.getMessage());
        }
    }

    private static String readStdin(Io io) {
        try {
            InputStream in = io.in();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException("error reading STDIN: " + e.getMessage());
        }
    }

    private static String fetch(String url) {
        try {
            HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                    .followRedirects(HttpClient.Redirect.NORMAL).build()
                    .send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
                            HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new CliException("unable to read URL \"" + url + "\", server reported " + r.statusCode()
                        + ", status code=" + r.statusCode());
            }
            return r.body();
        } catch (IOException e) {
            throw new CliException("unable to read URL \"" + url + "\": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted reading " + url);
        }
    }
}
