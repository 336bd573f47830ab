package io.kube4j.apiserver.testsupport;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequirementsTest {

    @Test
    void aMissingBinarySkipsOrFailsDependingOnTheEnvironment() {
        Class<? extends Throwable> expected = Requirements.requireAll() ? AssertionError.class : TestAbortedException.class;
        assertThatThrownBy(() -> Requirements.requireBinary("kube4j-no-such-binary-" + System.nanoTime()))
                .isInstanceOf(expected)
                .hasMessageContaining("kube4j-no-such-binary-");
    }

    @Test
    void aPresentBinaryIsFound() {
        assertThat(Requirements.requireBinary("sh")).isExecutable();
    }

    @Test
    void aFalseConditionSkipsOrFails() {
        Class<? extends Throwable> expected = Requirements.requireAll() ? AssertionError.class : TestAbortedException.class;
        assertThatThrownBy(() -> Requirements.require(false, "because")).isInstanceOf(expected)
                .hasMessageContaining("because");
    }
}
