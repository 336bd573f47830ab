package io.kube4j.controller.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.publisher.Mono;

class SlowStartTest {

    @ParameterizedTest(name = "{0} calls, call #{1} fails: {2} calls made, {3} succeed")
    @CsvSource({
            // count, failing call (0: none), calls made, successes
            "0,  0,  0,  0",
            "1,  0,  1,  1",
            "10, 0,  10, 10", // batches 1, 2, 4, 3
            "10, 1,  1,  0", // the first batch fails: nothing else is tried
            "10, 2,  3,  2", // the second batch (calls 2-3) fails
            "10, 4,  7,  6", // the third batch (calls 4-7) fails
            "10, 10, 10, 9", // the last batch (8-10) fails
            "1000, 300, 511, 510", // 1+2+...+256 = 511 calls, the 9th batch fails
    })
    void runsInDoublingBatchesAndStopsAfterAFailingOne(int count, int failing, int calls, int successes) {
        AtomicInteger n = new AtomicInteger();
        SlowStart.Outcome o = SlowStart.run(count, SlowStart.INITIAL_BATCH_SIZE, () -> {
            int call = n.incrementAndGet();
            return call == failing ? Mono.error(new IllegalStateException("boom")) : Mono.just(call);
        });
        assertThat(n.get()).isEqualTo(calls);
        assertThat(o.successes()).isEqualTo(successes);
        assertThat(o.error() != null).isEqualTo(failing > 0 && failing <= count);
    }
}
