package io.kube4j.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QueryFlagsTest {

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {"true,true", "True,true", "TRUE,true", "1,true", "t,true", "T,true",
            "false,false", "False,false", "0,false", "'',false", "yes,false", "tRUE,false", "null,false"})
    void readsBooleansAsGoParseBoolDoes(String value, boolean expected) {
        assertThat(QueryFlags.isTrue(value)).isEqualTo(expected);
    }
}
