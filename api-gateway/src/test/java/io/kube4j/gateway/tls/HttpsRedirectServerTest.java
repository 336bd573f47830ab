package io.kube4j.gateway.tls;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class HttpsRedirectServerTest {

    @ParameterizedTest(name = "Host: {0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            gateway.example:8080  | gateway.example
            gateway.example       | gateway.example
            127.0.0.1:80          | 127.0.0.1
            [::1]:8080            | [::1]
            [::1]                 | [::1]
            -                     | -
            bad host/evil         | -
            [::1                  | -
            """)
    void hostWithoutPort(String header, String host) {
        assertThat(HttpsRedirectServer.host(header)).isEqualTo(host);
    }
}
