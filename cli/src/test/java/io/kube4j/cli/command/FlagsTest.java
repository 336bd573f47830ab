package io.kube4j.cli.command;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** kubectl's (pflag's) ways of writing flags, as {@link Flags} must accept them. */
class FlagsTest {

    private final Flags flags = Flags.builder("exec")
            .string("-n, --namespace", "NS", null, "")
            .string("-o, --output", "FORMAT", null, "")
            .bool("-i, --stdin", "")
            .bool("-t, --tty", "")
            .bool("-A, --all-namespaces", "")
            .integer("--replicas", "N", null, "")
            .repeated("--from-literal", "KV", "")
            .build();

    @Test
    void longAndShortFormsWithAndWithoutEquals() {
        for (List<String> args : List.of(List.of("-n", "x"), List.of("-nx"), List.of("-n=x"), List.of("--namespace", "x"),
                List.of("--namespace=x"))) {
            assertThat(flags.parse(args).string("namespace")).as(args.toString()).isEqualTo("x");
        }
        assertThat(flags.parse(List.of("-oyaml")).string("output")).isEqualTo("yaml");
        assertThat(flags.parse(List.of("-o", "jsonpath={.items[*].metadata.name}")).string("output"))
                .isEqualTo("jsonpath={.items[*].metadata.name}");
    }

    @Test
    void booleansClusterAndTakeAnOptionalValue() {
        Flags.Parsed p = flags.parse(List.of("-it", "pod"));
        assertThat(p.bool("stdin")).isTrue();
        assertThat(p.bool("tty")).isTrue();
        assertThat(p.args()).containsExactly("pod");
        assertThat(flags.parse(List.of("--all-namespaces=false")).bool("all-namespaces")).isFalse();
        assertThat(flags.parse(List.of("-A")).bool("all-namespaces")).isTrue();
        assertThat(flags.parse(List.of()).bool("all-namespaces")).isFalse();
        assertThat(flags.parse(List.of()).given("all-namespaces")).isFalse();
    }

    @Test
    void flagsAndArgumentsInAnyOrderAndEverythingAfterDashDashVerbatim() {
        Flags.Parsed p = flags.parse(List.of("pod", "-n", "x", "-i", "--", "sh", "-c", "echo $((6*7)) -n"));
        assertThat(p.args()).containsExactly("pod");
        assertThat(p.string("namespace")).isEqualTo("x");
        assertThat(p.dashDash()).isTrue();
        assertThat(p.afterDashDash()).containsExactly("sh", "-c", "echo $((6*7)) -n");
    }

    @Test
    void repeatedAndIntegerFlags() {
        Flags.Parsed p = flags.parse(List.of("--from-literal", "a=b", "--from-literal=c=d", "--replicas=3"));
        assertThat(p.repeated("from-literal")).containsExactly("a=b", "c=d");
        assertThat(p.integer("replicas")).isEqualTo(3);
        assertThat(flags.parse(List.of()).integer("replicas")).isNull();
    }

    @Test
    void eachParseIsIndependent() {
        assertThat(flags.parse(List.of("-n", "first")).string("namespace")).isEqualTo("first");
        assertThat(flags.parse(List.of()).string("namespace")).isNull();
    }

    @Test
    void unknownFlagsAndMissingValuesAreUsageErrors() {
        assertThatThrownBy(() -> flags.parse(List.of("--bogus"))).isInstanceOf(UsageException.class)
                .hasMessageContaining("--bogus");
        assertThatThrownBy(() -> flags.parse(List.of("-n"))).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> flags.parse(List.of("--replicas=three"))).isInstanceOf(UsageException.class);
    }
}
