package io.kube4j.gateway.openapi;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OpenApiIndexTest {

    @Test
    void parsesTheIndexCoreGroupFirst() {
        String index = """
                {"paths":{
                  "apis/apps/v1":{"serverRelativeURL":"/openapi/v3/apis/apps/v1?hash=B"},
                  "api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=A"},
                  "apis/batch/v1":{"serverRelativeURL":"/openapi/v3/apis/batch/v1?hash=C"},
                  "weird":{"serverRelativeURL":"https://elsewhere.example/doc"},
                  "empty":{}
                }}""";
        assertThat(OpenApiIndex.parse(index)).containsExactly(
                new OpenApiIndex.Entry("api/v1", "/openapi/v3/api/v1?hash=A"),
                new OpenApiIndex.Entry("apis/apps/v1", "/openapi/v3/apis/apps/v1?hash=B"),
                new OpenApiIndex.Entry("apis/batch/v1", "/openapi/v3/apis/batch/v1?hash=C"));
        assertThat(OpenApiIndex.parse("{}")).isEmpty();
    }
}
