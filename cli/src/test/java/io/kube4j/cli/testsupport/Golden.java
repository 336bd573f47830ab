package io.kube4j.cli.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden-file comparison of command output. Files live in {@code src/test/resources/golden/}; run with
 * {@code -Dk4j.golden.update=true} to (re)write them from the actual output, then review the diff.
 *
 * <p>{@link #normalize} makes output that varies from run to run stable: ages ({@code 5s}, {@code 2m3s}, {@code 4d})
 * become {@code <age>}, RFC 3339 timestamps {@code <time>}, UIDs {@code <uid>}, and tables are re-aligned as kubectl
 * aligns them (columns three spaces apart), so a longer age does not shift the golden text. Tests add their own
 * replacements (cluster IPs, generated names) with {@code extra}.
 */
public final class Golden {

    private static final Path DIR = Path.of("src", "test", "resources", "golden");
    private static final Pattern AGE = Pattern.compile("^(\\d+(ms|s|m|h|d|y))(\\d+(s|m|h|d))?$");
    private static final Pattern TIME = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?(Z|[+-]\\d\\d:\\d\\d)");
    private static final Pattern UID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private Golden() {
    }

    /** Asserts that {@code actual}, normalised, equals the golden file {@code name} (e.g. {@code get/pods.txt}). */
    @SafeVarargs
    public static void check(String name, String actual, UnaryOperator<String>... extra) {
        String norm = normalize(actual, extra);
        Path file = DIR.resolve(name);
        try {
            if (Boolean.getBoolean("k4j.golden.update")) {
                Files.createDirectories(file.getParent());
                Files.writeString(file, norm);
                return;
            }
            assertThat(Files.exists(file)).as("golden file %s exists (run with -Dk4j.golden.update=true to create it)",
                    file.toAbsolutePath()).isTrue();
            assertThat(norm).as("output vs golden file %s", name).isEqualTo(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SafeVarargs
    public static String normalize(String actual, UnaryOperator<String>... extra) {
        String s = actual.replace("\r\n", "\n");
        s = TIME.matcher(s).replaceAll("<time>");
        s = UID.matcher(s).replaceAll("<uid>");
        for (UnaryOperator<String> f : extra) {
            s = f.apply(s);
        }
        return realignTables(s);
    }

    /**
     * Lines are taken as table rows when they have cells separated by two or more spaces and the block they belong
     * to (lines up to a blank line) starts with an upper-case header; age cells are replaced and the block realigned.
     */
    static String realignTables(String s) {
        String[] lines = s.split("\n", -1);
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < lines.length) {
            if (isHeader(lines[i])) {
                int j = i;
                List<List<String>> rows = new ArrayList<>();
                int[] starts = columnStarts(lines[i]);
                while (j < lines.length && !lines[j].isBlank()) {
                    List<String> cells = cells(lines[j], starts);
                    for (int c = 0; c < cells.size(); c++) {
                        if (AGE.matcher(cells.get(c)).matches()) {
                            cells.set(c, "<age>");
                        }
                    }
                    rows.add(cells);
                    j++;
                }
                int cols = rows.stream().mapToInt(List::size).max().orElse(0);
                int[] w = new int[cols];
                for (List<String> r : rows) {
                    for (int c = 0; c < r.size(); c++) {
                        w[c] = Math.max(w[c], r.get(c).length());
                    }
                }
                for (List<String> r : rows) {
                    StringBuilder line = new StringBuilder();
                    for (int c = 0; c < r.size(); c++) {
                        line.append(r.get(c));
                        if (c < r.size() - 1) {
                            line.append(" ".repeat(w[c] - r.get(c).length() + 3));
                        }
                    }
                    out.append(line).append('\n');
                }
                i = j;
            } else {
                out.append(lines[i]);
                if (i < lines.length - 1) {
                    out.append('\n');
                }
                i++;
            }
        }
        return out.toString();
    }

    /** Where the header's cells start (cells are two or more spaces apart). */
    private static int[] columnStarts(String header) {
        List<Integer> starts = new ArrayList<>();
        java.util.regex.Matcher m = Pattern.compile("(?:^|(?<= {2}))\\S").matcher(header);
        while (m.find()) {
            starts.add(m.start());
        }
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * A row's cells: cut at the header's column starts when the row is aligned with it (so an empty cell stays an
     * empty cell), else split at runs of two or more spaces.
     */
    private static List<String> cells(String line, int[] starts) {
        boolean aligned = starts.length > 1;
        for (int k = 1; k < starts.length && aligned; k++) {
            int p = starts[k];
            aligned = p >= line.length() || line.charAt(p - 1) == ' ' && line.charAt(p - 2) == ' ';
        }
        if (!aligned) {
            return new ArrayList<>(List.of(line.trim().split(" {2,}")));
        }
        List<String> cells = new ArrayList<>();
        for (int k = 0; k < starts.length; k++) {
            int from = Math.min(starts[k], line.length());
            int to = k + 1 < starts.length ? Math.min(starts[k + 1], line.length()) : line.length();
            cells.add(line.substring(from, to).trim());
        }
        return cells;
    }

    private static boolean isHeader(String line) {
        return line.matches("^[A-Z][A-Z0-9\\-() ]*[A-Z)]$") && line.trim().split(" {2,}").length >= 2;
    }
}
