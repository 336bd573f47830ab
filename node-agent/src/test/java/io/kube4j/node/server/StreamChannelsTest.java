package io.kube4j.node.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.kube4j.api.codec.Codecs;
import io.kube4j.node.runtime.LogRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Assertions;
import tools.jackson.databind.JsonNode;

class StreamChannelsTest {

    @Test
    void framesCarryTheChannelInTheFirstByte() {
        byte[] f = StreamChannels.frame(StreamChannels.STDERR, "oops".getBytes(StandardCharsets.UTF_8));
        assertThat(f[0]).isEqualTo((byte) 2);
        assertThat(StreamChannels.channel(f)).isEqualTo(2);
        assertThat(new String(StreamChannels.payload(f), StandardCharsets.UTF_8)).isEqualTo("oops");
        assertThat(StreamChannels.channel(new byte[] {(byte) 255, 0})).isEqualTo(255);
        assertThat(StreamChannels.channel(new byte[0])).isEqualTo(-1);
        assertThat(StreamChannels.payload(new byte[] {1})).isEmpty();
    }

    @Test
    void v5IsPreferred() {
        assertThat(StreamChannels.select(List.of(StreamChannels.V4, StreamChannels.V5))).contains(StreamChannels.V5);
        assertThat(StreamChannels.select(List.of("v3.channel.k8s.io", StreamChannels.V4))).contains(StreamChannels.V4);
        assertThat(StreamChannels.select(List.of("channel.k8s.io"))).isEmpty();
        assertThat(StreamChannels.parseProtocols(List.of("v5.channel.k8s.io, v4.channel.k8s.io", "x")))
                .containsExactly("v5.channel.k8s.io", "v4.channel.k8s.io", "x");
    }

    @Test
    void resizeMessages() {
        assertThat(StreamChannels.resize("{\"Width\":80,\"Height\":24}".getBytes(StandardCharsets.UTF_8)))
                .hasValueSatisfying(wh -> assertThat(wh).containsExactly(80, 24));
        assertThat(StreamChannels.resize("not json".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(StreamChannels.resize("{\"Width\":80}".getBytes(StandardCharsets.UTF_8))).isEmpty();
    }

    @Test
    void exitStatusesAsKubectlReadsThem() {
        byte[] ok = StreamChannels.statusFrame(StreamChannels.exitStatus(0, List.of("true")));
        assertThat(ok[0]).isEqualTo((byte) 3);
        JsonNode s = Codecs.json().readTree(StreamChannels.payload(ok));
        assertThat(s.path("kind").asString()).isEqualTo("Status");
        assertThat(s.path("status").asString()).isEqualTo("Success");

        JsonNode f = Codecs.json().readTree(StreamChannels.payload(
                StreamChannels.statusFrame(StreamChannels.exitStatus(42, List.of("sh", "-c", "exit 42")))));
        assertThat(f.path("status").asString()).isEqualTo("Failure");
        assertThat(f.path("reason").asString()).isEqualTo("NonZeroExitCode");
        assertThat(f.path("message").asString()).startsWith("command terminated with non-zero exit code: ");
        JsonNode cause = f.path("details").path("causes").get(0);
        assertThat(cause.path("reason").asString()).isEqualTo("ExitCode");
        assertThat(cause.path("message").asString()).isEqualTo("42");
    }

    @Test
    void stdinPipeDeliversQueuedDataThenEof() throws IOException {
        StdinPipe in = new StdinPipe();
        in.write("ab".getBytes(StandardCharsets.UTF_8));
        in.write("c".getBytes(StandardCharsets.UTF_8));
        in.closeInput();
        in.write("ignored".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("abc");
        assertThat(in.read()).isEqualTo(-1);

        StdinPipe closed = new StdinPipe();
        closed.write("x".getBytes(StandardCharsets.UTF_8));
        closed.close();
        assertThat(closed.read(new byte[4], 0, 4)).isEqualTo(-1);
    }

    @Test
    void logParametersAreChecked() {
        LogRequest r = NodeApiServer.logRequest(Map.of("follow", List.of("true"), "tailLines", List.of("10"),
                "timestamps", List.of("1"), "limitBytes", List.of("100"), "sinceSeconds", List.of("60")));
        assertThat(r.follow()).isTrue();
        assertThat(r.tailLines()).isEqualTo(10);
        assertThat(r.timestamps()).isTrue();
        assertThat(r.limitBytes()).isEqualTo(100L);
        assertThat(r.since()).isNotNull();
        assertThat(NodeApiServer.logRequest(Map.of("sinceTime", List.of("2026-01-02T03:04:05Z"))).since())
                .hasToString("2026-01-02T03:04:05Z");
        for (Map<String, List<String>> bad : List.of(Map.of("tailLines", List.of("x")), Map.of("tailLines", List.of("-1")),
                Map.of("limitBytes", List.of("0")), Map.of("follow", List.of("maybe")),
                Map.of("sinceTime", List.of("yesterday")),
                Map.of("sinceSeconds", List.of("5"), "sinceTime", List.of("2026-01-02T03:04:05Z")))) {
            NodeApiException e = Assertions.assertThrows(NodeApiException.class, () -> NodeApiServer.logRequest(bad));
            assertThat(e.code()).isEqualTo(400);
        }
    }

    @Test
    void selfSignedCertificateNamesTheNode() throws Exception {
        NodeCertificates.Generated g = NodeCertificates.selfSigned("node-a", "10.1.2.3");
        var sans = g.certificate().getSubjectAlternativeNames().stream().map(l -> l.get(1).toString()).toList();
        assertThat(sans).contains("node-a", "localhost", "127.0.0.1", "10.1.2.3");
        g.certificate().verify(g.keyPair().getPublic());
        g.certificate().checkValidity();
    }
}
