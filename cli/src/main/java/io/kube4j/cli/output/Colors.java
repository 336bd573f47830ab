package io.kube4j.cli.output;

/**
 * ANSI colours for terminal output, or nothing: off when stdout is not a terminal, with {@code --no-color}, or when
 * {@code NO_COLOR} is set (no-color.org).
 */
public record Colors(boolean enabled) {

    public static final Colors NONE = new Colors(false);

    private static final String RESET = "\u001b[0m";

    public String red(String s) {
        return wrap("31", s);
    }

    public String green(String s) {
        return wrap("32", s);
    }

    public String yellow(String s) {
        return wrap("33", s);
    }

    public String blue(String s) {
        return wrap("34", s);
    }

    public String cyan(String s) {
        return wrap("36", s);
    }

    public String gray(String s) {
        return wrap("90", s);
    }

    public String bold(String s) {
        return wrap("1", s);
    }

    private String wrap(String code, String s) {
        return enabled && s != null && !s.isEmpty() ? "\u001b[" + code + "m" + s + RESET : s;
    }

    /** {@code s} without ANSI escapes (for width computations). */
    public static String strip(String s) {
        return s == null ? null : s.replaceAll("\u001b\\[[0-9;]*m", "");
    }
}
