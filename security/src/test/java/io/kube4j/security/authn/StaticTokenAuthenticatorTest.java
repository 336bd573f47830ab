package io.kube4j.security.authn;

import io.kube4j.security.UserInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StaticTokenAuthenticatorTest {

    static Map<String, UserInfo> parse(String s) {
        return StaticTokenAuthenticator.parse("tokens.csv", s.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "t1,alice,1001                         | t1 | alice | 1001 | ''",
            "t1,alice,1001,\"dev,ops\"             | t1 | alice | 1001 | dev;ops",
            "t1,alice,1001,dev                     | t1 | alice | 1001 | dev",
            "t1, bob, 7,\"a\"\"b\"                 | t1 | bob   | 7    | a\"b",
            "\"tok,en\",carol,9,g                  | tok,en | carol | 9 | g",
    })
    void parsesKubernetesTokenFileLines(String line, String token, String user, String uid, String groups) {
        UserInfo u = parse(line.strip()).get(token);
        assertThat(u.name()).isEqualTo(user);
        assertThat(u.uid()).isEqualTo(uid);
        assertThat(u.groups()).isEqualTo(groups.isEmpty() ? List.of() : List.of(groups.split(";")));
    }

    @Test
    void blankLinesAndEmptyTokensAreSkipped() {
        assertThat(parse("\n,x,1\nt,alice,1\n\n")).containsOnlyKeys("t");
    }

    @Test
    void tooFewColumnsOrBrokenQuotesAreErrors() {
        assertThatThrownBy(() -> parse("t,alice")).hasMessage(
                "token file 'tokens.csv' must have at least 3 columns (token, user name, user uid), found 2");
        assertThatThrownBy(() -> parse("t,alice,1,\"dev")).hasMessageContaining("quoted-field");
    }

    @Test
    void unknownTokensAreNoOpinionAndTheFileIsReloaded(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("tokens.csv");
        Files.writeString(f, "secret1,alice,1,\"dev,ops\"\n");
        ReloadingFile<Map<String, UserInfo>> file = new ReloadingFile<>(f, b -> StaticTokenAuthenticator.parse("t", b),
                0, java.time.Clock.systemUTC());
        StaticTokenAuthenticator a = new StaticTokenAuthenticator(file::get);
        assertThat(a.authenticate("secret1").orElseThrow().groups()).containsExactly("dev", "ops");
        assertThat(a.authenticate("secret2")).isEmpty();
        assertThat(a.authenticate("")).isEmpty();

        Files.writeString(f, "secret2,bob,2\n");
        Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis() + 5000));
        assertThat(a.authenticate("secret1")).isEmpty();
        assertThat(a.authenticate("secret2").orElseThrow().name()).isEqualTo("bob");
    }
}
