package io.kube4j.node.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Taint;

class TaintsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "null", value = {
            "dedicated=gpu:NoSchedule          | dedicated          | gpu  | NoSchedule",
            "example.com/special:NoExecute     | example.com/special| null | NoExecute",
            "node-role.kubernetes.io/master:PreferNoSchedule | node-role.kubernetes.io/master | null | PreferNoSchedule",
            "k=:NoSchedule                     | k                  | null | NoSchedule",
            "a=b.c-d_e:NoSchedule              | a                  | b.c-d_e | NoSchedule"})
    void parsesValidTaints(String spec, String key, String value, String effect) {
        Taint t = Taints.parse(spec);
        assertThat(t.getKey()).isEqualTo(key);
        assertThat(t.getValue()).isEqualTo(value);
        assertThat(t.getEffect()).isEqualTo(effect);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "dedicated=gpu                 | no effect given",
            "dedicated=gpu:NoWay           | effect must be one of",
            "=gpu:NoSchedule               | is not a valid key",
            "bad key:NoSchedule            | is not a valid key",
            "k=bad value:NoSchedule        | is not a valid value",
            "k=-starts-with-dash:NoSchedule| is not a valid value"})
    void rejectsInvalidTaintsWithAClearMessage(String spec, String message) {
        assertThatThrownBy(() -> Taints.parse(spec)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid taint").hasMessageContaining(message);
    }

    @Test
    void rejectsDuplicates() {
        assertThatThrownBy(() -> Taints.parseAll(List.of("a=1:NoSchedule", "a=2:NoSchedule")))
                .hasMessageContaining("'a:NoSchedule' is given twice");
        assertThat(Taints.parseAll(List.of("a=1:NoSchedule", "a=1:NoExecute"))).hasSize(2);
    }
}
