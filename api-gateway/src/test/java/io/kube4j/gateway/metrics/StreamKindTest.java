package io.kube4j.gateway.metrics;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

import static org.assertj.core.api.Assertions.assertThat;

class StreamKindTest {

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            /api/v1/pods                                        |           | -
            /api/v1/pods?watch=true                             |           | watch
            /apis/apps/v1/namespaces/d/deployments?watch=1      |           | watch
            /api/v1/watch/namespaces/d/pods                     |           | watch
            /api/v1/namespaces/d/pods/p/log                     |           | -
            /api/v1/namespaces/d/pods/p/log?follow=true         |           | log
            /api/v1/namespaces/d/pods/p/exec?command=sh         | websocket | exec
            /api/v1/namespaces/d/pods/p/attach                  | websocket | attach
            /api/v1/namespaces/d/pods/p/portforward             | websocket | portforward
            /api/v1/namespaces/d/services/s/proxy/metrics       |           | proxy
            """)
    void kinds(String uri, String upgrade, String kind) {
        MockServerHttpRequest.BaseBuilder<?> b = MockServerHttpRequest.get(uri);
        if (upgrade != null) {
            b.header("Upgrade", upgrade).header("Connection", "Upgrade");
        }
        assertThat(StreamKind.of(b.build()).map(StreamKind::tag).orElse(null)).isEqualTo(kind);
    }
}
