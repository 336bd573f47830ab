package io.kube4j.proxy.iptables;

/**
 * A growing text of iptables-restore lines, written word by word without intermediate strings or lists
 * (kube-proxy's {@code proxyutil.LineBuffer}): rendering 10,000 Services writes a few hundred thousand lines.
 * A "discarding" buffer only counts lines, for the chains a partial sync leaves untouched.
 */
final class LineBuffer {

    private final StringBuilder text;
    private final boolean discard;
    private int lines;
    private boolean lineOpen;

    private LineBuffer(int capacity, boolean discard) {
        this.text = discard ? null : new StringBuilder(capacity);
        this.discard = discard;
    }

    static LineBuffer create(int capacity) {
        return new LineBuffer(capacity, false);
    }

    /** A buffer that counts the lines written to it and keeps nothing. */
    static LineBuffer discarding() {
        return new LineBuffer(0, true);
    }

    /** Appends one word to the current line (opening one if needed), separated by a space. */
    LineBuffer w(String word) {
        if (!discard) {
            if (lineOpen) {
                text.append(' ');
            }
            text.append(word);
        }
        lineOpen = true;
        return this;
    }

    /** Appends a number as one word. */
    LineBuffer w(int number) {
        if (!discard) {
            if (lineOpen) {
                text.append(' ');
            }
            text.append(number);
        }
        lineOpen = true;
        return this;
    }

    /** Appends several words. */
    LineBuffer w(String... words) {
        for (String word : words) {
            w(word);
        }
        return this;
    }

    /** Ends the current line. */
    LineBuffer end() {
        if (!discard) {
            text.append('\n');
        }
        lines++;
        lineOpen = false;
        return this;
    }

    /** Appends text holding {@code lineCount} whole lines. */
    LineBuffer append(String lines, int lineCount) {
        if (!discard) {
            text.append(lines);
        }
        this.lines += lineCount;
        return this;
    }

    /** Writes a whole line. */
    LineBuffer line(String line) {
        return w(line).end();
    }

    /** Writes the chain declaration {@code :CHAIN - [0:0]} (which, with --noflush, also flushes the chain). */
    LineBuffer chain(String chain) {
        return w(":" + chain).w("-").w("[0:0]").end();
    }

    /** The text written so far, emptying the buffer (for building single lines). */
    String take() {
        String s = text.toString();
        text.setLength(0);
        lines = 0;
        lineOpen = false;
        return s;
    }

    int lines() {
        return lines;
    }

    boolean isDiscarding() {
        return discard;
    }

    void appendTo(StringBuilder out) {
        if (!discard) {
            out.append(text);
        }
    }

    @Override
    public String toString() {
        return discard ? "" : text.toString();
    }
}
