package io.kube4j.cli.commands.pods;

import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.api.RemoteCommand;
import io.kube4j.cli.command.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pure parts of the pod commands: file specs, port specs, selectors, the final Status of a remote command. */
class PodArgumentsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            "/tmp/x         | -   | -     | /tmp/x",
            "web:/tmp/x     | -   | web   | /tmp/x",
            "ns1/web:/tmp/x | ns1 | web   | /tmp/x",
            "web:rel/x      | -   | web   | rel/x"})
    void fileSpecs(String arg, String ns, String pod, String path) {
        CpCommand.Spec s = CpCommand.parse(arg);
        assertThat(s).isEqualTo(new CpCommand.Spec(ns, pod, path));
    }

    @Test
    void badFileSpecs() {
        assertThatThrownBy(() -> CpCommand.parse(":/x")).isInstanceOf(UsageException.class)
                .hasMessageContaining("[[namespace/]pod:]file/path");
        assertThatThrownBy(() -> CpCommand.parse("a/b/c:/x")).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> CpCommand.parse("web:")).isInstanceOf(UsageException.class);
    }

    @ParameterizedTest
    @CsvSource({"/tmp/x,tmp/x", "/tmp/dir/,tmp/dir", "./a/b,a/b", "a,a"})
    void tarNamesOfRemotePaths(String path, String prefix) {
        assertThat(CpCommand.prefixOf(path)).isEqualTo(prefix);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"8080|8080|8080", ":8080|0|8080", "5000:8080|5000|8080", "http|-1|http",
            "9000:http|9000|http"})
    void portSpecs(String arg, int local, String remote) {
        assertThat(PortForwardCommand.PortSpec.parse(arg)).isEqualTo(new PortForwardCommand.PortSpec(local, remote));
    }

    @Test
    void badPortSpecs() {
        assertThatThrownBy(() -> PortForwardCommand.PortSpec.parse("1:2:3")).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> PortForwardCommand.PortSpec.parse("70000:80")).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> PortForwardCommand.PortSpec.parse("80:")).isInstanceOf(UsageException.class);
    }

    @Test
    void selectorsOfWorkloadsAndServices() {
        assertThat(PodTargets.selectorOf(Codecs.json().readTree("""
                {"matchLabels":{"app":"web","tier":"front"},
                 "matchExpressions":[{"key":"env","operator":"In","values":["a","b"]},
                                     {"key":"x","operator":"Exists"},{"key":"y","operator":"DoesNotExist"},
                                     {"key":"z","operator":"NotIn","values":["c"]}]}""")))
                .isEqualTo("app=web,tier=front,env in (a,b),x,!y,z notin (c)");
        assertThat(PodTargets.selectorOf(Codecs.json().readTree("{\"app\":\"web\"}"))).isEqualTo("app=web");
    }

    @Test
    void exitCodesFromTheErrorChannel() {
        assertThat(RemoteCommand.exitCode(new byte[0])).isZero();
        assertThat(RemoteCommand.exitCode(bytes("{\"kind\":\"Status\",\"status\":\"Success\"}"))).isZero();
        assertThat(RemoteCommand.exitCode(bytes("""
                {"kind":"Status","status":"Failure","reason":"NonZeroExitCode","message":"command terminated",
                 "details":{"causes":[{"reason":"ExitCode","message":"42"}]}}"""))).isEqualTo(42);
        assertThatThrownBy(() -> RemoteCommand.exitCode(bytes("""
                {"kind":"Status","status":"Failure","reason":"InternalError","message":"no such container"}""")))
                .isInstanceOf(RemoteCommand.RemoteFailure.class).hasMessage("no such container");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
