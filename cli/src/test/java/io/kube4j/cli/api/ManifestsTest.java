package io.kube4j.cli.api;

import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.UsageException;
import io.kube4j.cli.output.Io;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Manifests}: multi-document YAML and JSON, Lists, empty documents, directories, stdin and errors. */
class ManifestsTest {

    @TempDir
    Path dir;

    private Io io(String stdin) {
        return new Io(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), new PrintStream(System.out),
                new PrintStream(System.err), false, Map.of(), dir);
    }

    @Test
    void multiDocumentYamlSkipsEmptyDocumentsAndFlattensLists() {
        List<Manifests.Document> docs = Manifests.parse("a.yaml", """
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: one, namespace: x}
                ---
                # only a comment
                ---
                apiVersion: v1
                kind: List
                items:
                - {apiVersion: v1, kind: Secret, metadata: {name: two}}
                - {apiVersion: apps/v1, kind: Deployment, metadata: {name: three}}
                ---
                """);
        assertThat(docs).extracting(Manifests.Document::kind).containsExactly("ConfigMap", "Secret", "Deployment");
        assertThat(docs).extracting(Manifests.Document::name).containsExactly("one", "two", "three");
        assertThat(docs.get(0).namespace()).isEqualTo("x");
        assertThat(docs.get(1).namespace()).isNull();
        assertThat(docs.get(2).apiVersion()).isEqualTo("apps/v1");
        assertThat(docs).extracting(Manifests.Document::index).containsExactly(0, 1, 1);
    }

    @Test
    void jsonIsReadToo() {
        List<Manifests.Document> docs = Manifests.parse("a.json",
                "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"n\"}}");
        assertThat(docs).singleElement().extracting(Manifests.Document::name).isEqualTo("n");
    }

    @Test
    void aDocumentWithoutKindNamesTheFileAndDocument() {
        assertThatThrownBy(() -> Manifests.parse("bad.yaml", "apiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\n"))
                .isInstanceOf(CliException.class)
                .hasMessage("error validating \"bad.yaml\": error validating data: kind not set (document 2)");
        assertThatThrownBy(() -> Manifests.parse("bad.yaml", "kind: ConfigMap\n"))
                .hasMessageContaining("apiVersion not set (document 1)");
        assertThatThrownBy(() -> Manifests.parse("bad.yaml", "- a\n- b\n"))
                .hasMessageContaining("\"bad.yaml\": document 1 is not an object");
    }

    @Test
    void invalidYamlNamesTheFile() {
        assertThatThrownBy(() -> Manifests.parse("broken.yaml", "apiVersion: v1\nkind: [\n"))
                .isInstanceOf(CliException.class).hasMessageStartingWith("error parsing broken.yaml: ");
    }

    @Test
    void directoriesReadManifestFilesInOrderAndRecurseOnlyWithR() throws IOException {
        Files.writeString(dir.resolve("b.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n");
        Files.writeString(dir.resolve("a.json"), "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\"}}");
        Files.writeString(dir.resolve("notes.txt"), "not a manifest");
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/c.yml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
        Files.createDirectories(dir.resolve("m"));
        Files.writeString(dir.resolve("m/x.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");

        assertThat(Manifests.read(List.of("."), false, io(""))).extracting(Manifests.Document::name)
                .containsExactly("a", "b");
        List<Manifests.Document> all = Manifests.read(List.of("."), true, io(""));
        assertThat(all).extracting(Manifests.Document::name).containsExactly("a", "b", "x", "c");
        assertThat(all.get(3).source()).isEqualTo("./sub/c.yml");
    }

    @Test
    void stdinAndErrors() {
        assertThat(Manifests.read(List.of("-"), false, io("apiVersion: v1\nkind: Namespace\nmetadata: {name: s}\n")))
                .singleElement().extracting(Manifests.Document::source).isEqualTo("STDIN");
        assertThatThrownBy(() -> Manifests.read(List.of("missing.yaml"), false, io("")))
                .isInstanceOf(CliException.class).hasMessage("the path \"missing.yaml\" does not exist");
        assertThatThrownBy(() -> Manifests.read(List.of(), false, io("")))
                .isInstanceOf(UsageException.class).hasMessage("must specify one of -f and -k");
    }
}
