package io.kube4j.cli.output;

import io.kube4j.cli.command.CliException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * The {@code -o/--output} value: the table (none), {@code wide}, {@code yaml}, {@code json}, {@code name},
 * {@code jsonpath=TEMPLATE}, {@code jsonpath-file=FILE}, {@code custom-columns=SPEC}, {@code custom-columns-file=FILE}.
 *
 * @param template the JSONPath template or custom-columns spec (file contents for the -file forms), else null
 */
public record OutputFormat(Type type, String template) {

    /** The printers kubectl has (go-template is not supported by k4j). */
    public enum Type { TABLE, WIDE, YAML, JSON, NAME, JSONPATH, CUSTOM_COLUMNS }

    public static final OutputFormat TABLE = new OutputFormat(Type.TABLE, null);

    /** Parses {@code -o}; file forms are read through {@code files} (relative to the working directory). */
    public static OutputFormat parse(String output, Function<String, Path> files) {
        if (output == null || output.isEmpty()) {
            return TABLE;
        }
        int eq = output.indexOf('=');
        String name = eq < 0 ? output : output.substring(0, eq);
        String arg = eq < 0 ? null : output.substring(eq + 1);
        switch (name) {
            case "wide":
                return new OutputFormat(Type.WIDE, null);
            case "yaml":
                return new OutputFormat(Type.YAML, null);
            case "json":
                return new OutputFormat(Type.JSON, null);
            case "name":
                return new OutputFormat(Type.NAME, null);
            case "jsonpath":
                return new OutputFormat(Type.JSONPATH, required(arg, "jsonpath template format specified but no "
                        + "template given"));
            case "jsonpath-file":
                return new OutputFormat(Type.JSONPATH, read(files, required(arg, "jsonpath template format specified "
                        + "but no template file given")));
            case "custom-columns":
                return new OutputFormat(Type.CUSTOM_COLUMNS, required(arg, "custom-columns format specified but no "
                        + "custom columns given"));
            case "custom-columns-file":
                return new OutputFormat(Type.CUSTOM_COLUMNS, customColumnsFile(read(files, required(arg,
                        "custom-columns-file format specified but no file given"))));
            default:
                throw new CliException("unable to match a printer suitable for the output format \"" + output
                        + "\", allowed formats are: custom-columns,custom-columns-file,json,jsonpath,jsonpath-file,"
                        + "name,wide,yaml", 1);
        }
    }

    public boolean isTable() {
        return type == Type.TABLE || type == Type.WIDE;
    }

    private static String required(String arg, String message) {
        if (arg == null || arg.isEmpty()) {
            throw new CliException(message, 1);
        }
        return arg;
    }

    private static String read(Function<String, Path> files, String name) {
        try {
            return Files.readString(files.apply(name));
        } catch (IOException e) {
            throw new CliException("error reading template " + name + ", " + e.getMessage(), 1);
        }
    }

    /** A custom-columns file: a line of headers and a line of paths, whitespace-separated, as one spec. */
    private static String customColumnsFile(String text) {
        String[] lines = text.strip().split("\\R");
        if (lines.length != 2) {
            throw new CliException("invalid template, expected two lines: headers and JSONPaths", 1);
        }
        String[] headers = lines[0].trim().split("\\s+");
        String[] paths = lines[1].trim().split("\\s+");
        if (headers.length != paths.length) {
            throw new CliException("number of headers (" + headers.length + ") does not match number of JSONPaths ("
                    + paths.length + ")", 1);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < headers.length; i++) {
            sb.append(i == 0 ? "" : ",").append(headers[i]).append(':').append(paths[i]);
        }
        return sb.toString();
    }
}
