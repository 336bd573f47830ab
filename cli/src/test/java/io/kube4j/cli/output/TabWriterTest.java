package io.kube4j.cli.output;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link TabWriter} against Go's text/tabwriter semantics as kubectl describe relies on them. */
class TabWriterTest {

    @Test
    void alignsAColumnBlockToItsWidestCellPlusPadding() {
        assertThat(TabWriter.format("Name:\tweb\nService Account:\tdefault\n", 2))
                .isEqualTo("Name:             web\nService Account:  default\n");
    }

    @Test
    void aLineWithoutATabEndsTheBlock() {
        assertThat(TabWriter.format("IP:\t1\nIPs:\n  IP:\t1\nControlled By:\tRS/x\n", 2))
                .isEqualTo("IP:  1\nIPs:\n  IP:           1\nControlled By:  RS/x\n");
    }

    @Test
    void innerColumnsFormTheirOwnBlocksAndEmptyCellsArePadded() {
        assertThat(TabWriter.format("a\tbb\tc\nlonger\tb\tc\n\tx\n", 2))
                .isEqualTo("a       bb  c\nlonger  b   c\n        x\n");
    }

    @Test
    void flushFormatsWhatCameBeforeOnItsOwn() {
        TabWriter w = new TabWriter();
        w.write("Tolerations:\t<none>\n").flush().write("  Type\tReason\n  ----\t------\n");
        assertThat(w.render()).isEqualTo("Tolerations:  <none>\n  Type  Reason\n  ----  ------\n");
    }
}
