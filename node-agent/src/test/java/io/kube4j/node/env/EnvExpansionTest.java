package io.kube4j.node.env;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EnvExpansionTest {

    private static final Map<String, String> VARS = Map.of("VAR_A", "A", "VAR_B", "B", "VAR_EMPTY", "",
            "VAR_REF", "$(VAR_A)");

    // cases after kubernetes third_party/forked/golang/expansion/expansion_test.go
    @ParameterizedTest(name = "[{index}] ''{0}'' -> ''{1}''")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "$(VAR_A)|A",
        "___$(VAR_B)___|___B___",
        "$(VAR_A)-$(VAR_A)|A-A",
        "$(VAR_A)$(VAR_B)|AB",
        "f000-$$VAR_A|f000-$VAR_A",
        "$$$(VAR_A)|$A",
        "$$(VAR_A)|$(VAR_A)",
        "$(VAR_DNE)|$(VAR_DNE)",
        "$(VAR_A|$(VAR_A",
        "$VAR_A|$VAR_A",
        "$|$",
        "$$|$",
        "$$$$|$$",
        "foo$|foo$",
        "$(VAR_A)$|A$",
        "$()|$()",
        "'x$(VAR_EMPTY)y'|xy",
        "$(VAR_REF)|$(VAR_A)",
        "no vars here|no vars here",
        "'$(VAR_A)))'|A))",
    })
    void expandsAsKubernetes(String input, String expected) {
        assertThat(EnvExpansion.expand(input, VARS::get)).isEqualTo(expected);
    }
}
