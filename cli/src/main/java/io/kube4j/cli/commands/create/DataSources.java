package io.kube4j.cli.commands.create;

import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.UsageException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The data of {@code create configmap|secret}: {@code --from-literal=key=value}, {@code --from-file=[key=]path} (a
 * file, or every regular file of a directory, keyed by file name) and {@code --from-env-file=path} ({@code KEY=value}
 * lines), checked for duplicate keys as kubectl checks them.
 */
final class DataSources {

    private DataSources() {
    }

    static void declare(Flags.Builder b) {
        b.repeated("--from-literal", "KEY=VALUE", "Specify a key and literal value to insert (i.e. mykey=somevalue)");
        b.repeated("--from-file", "[KEY=]SOURCE", "Key file can be specified using its file path, in which case file "
                + "basename will be used as the key, or optionally with a key and file path.");
        b.repeated("--from-env-file", "FILE", "Specify the path to a file to read lines of key=val pairs.");
    }

    /** The entries, as raw bytes, in the order given; {@code what} names the object in errors. */
    static Map<String, byte[]> read(Invocation inv, String what) {
        Map<String, byte[]> data = new LinkedHashMap<>();
        for (String lit : inv.flags().repeated("from-literal")) {
            int eq = lit.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("invalid literal source " + lit + ", expected key=value");
            }
            put(data, lit.substring(0, eq), lit.substring(eq + 1).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    what);
        }
        for (String src : inv.flags().repeated("from-file")) {
            int eq = src.indexOf('=');
            String key = eq > 0 ? src.substring(0, eq) : null;
            Path p = inv.io().path(eq > 0 ? src.substring(eq + 1) : src);
            if (!Files.exists(p)) {
                throw new CliException("error reading " + p + ": no such file or directory");
            }
            if (Files.isDirectory(p)) {
                if (key != null) {
                    throw new UsageException("cannot give a key name for a directory path");
                }
                try (Stream<Path> files = Files.list(p)) {
                    for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                        put(data, f.getFileName().toString(), bytes(f), what);
                    }
                } catch (IOException e) {
                    throw new CliException("error reading " + p + ": " + e.getMessage());
                }
            } else {
                put(data, key != null ? key : p.getFileName().toString(), bytes(p), what);
            }
        }
        for (String env : inv.flags().repeated("from-env-file")) {
            Path p = inv.io().path(env);
            List<String> lines;
            try {
                lines = Files.readAllLines(p);
            } catch (IOException e) {
                throw new CliException("error reading " + p + ": " + e.getMessage());
            }
            for (String line : lines) {
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                int eq = l.indexOf('=');
                String k = eq < 0 ? l : l.substring(0, eq);
                String v = eq < 0 ? inv.io().env().getOrDefault(k, "") : l.substring(eq + 1);
                put(data, k, v.getBytes(java.nio.charset.StandardCharsets.UTF_8), what);
            }
        }
        return data;
    }

    private static byte[] bytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new CliException("error reading " + p + ": " + e.getMessage());
        }
    }

    private static void put(Map<String, byte[]> data, String key, byte[] value, String what) {
        if (!key.matches("[-._a-zA-Z0-9]+")) {
            throw new CliException("\"" + key + "\" is not a valid key name for " + what
                    + ": a valid config key must consist of alphanumeric characters, '-', '_' or '.'");
        }
        if (data.putIfAbsent(key, value) != null) {
            throw new CliException("cannot add key " + key + ", another key by that name already exists in " + what);
        }
    }
}
