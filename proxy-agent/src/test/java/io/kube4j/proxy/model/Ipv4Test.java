package io.kube4j.proxy.model;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** IPv4 parsing and CIDR containment. */
class Ipv4Test {

    @ParameterizedTest
    @CsvSource({"0.0.0.0,0", "10.96.0.1,174063617", "255.255.255.255,4294967295", "192.0.2.3,3221225987"})
    void parses(String ip, long value) {
        assertThat(Ipv4.parse(ip)).isEqualTo(value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "1.2.3.", ".1.2.3", "a.b.c.d", "1.2.3.4/8", "0001.2.3.4"})
    void rejects(String ip) {
        assertThatThrownBy(() -> Ipv4.parse(ip)).hasMessage("not an IPv4 address: '" + ip + "'");
    }

    @ParameterizedTest
    @CsvSource({"10.244.0.0/16,10.244.3.4,true", "10.244.0.0/16,10.245.0.1,false", "0.0.0.0/0,8.8.8.8,true",
            "192.0.2.3/32,192.0.2.3,true", "192.0.2.3/32,192.0.2.2,false"})
    void cidrContains(String cidr, String ip, boolean expected) {
        assertThat(Ipv4.cidrContains(cidr, ip)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"10.0.0.0/8,true", "0.0.0.0/0,true", "10.0.0.0/32,true", "10.0.0.0/33,false", "10.0.0.0/,false",
            "10.0.0.0/+8,false", "10.0.0.0/008,false", "10.0.0.0,false", "10.0.0/8,false"})
    void validCidrs(String cidr, boolean expected) {
        assertThat(Ipv4.isValidCidr(cidr)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"10.0.0.1,true", "0.0.0.0,true", "10.0.0.01,false", "010.0.0.1,false", "256.0.0.1,false"})
    void canonical(String ip, boolean expected) {
        assertThat(Ipv4.isCanonical(ip)).isEqualTo(expected);
    }
}
