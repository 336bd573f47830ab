package io.kube4j.api.selector;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class LabelSelectorTest {

    /** "k=v,k2=v2" as a label map ("" is empty). */
    static Map<String, String> labels(String s) {
        Map<String, String> m = new LinkedHashMap<>();
        if (!s.isEmpty()) {
            Arrays.stream(s.split(",")).map(kv -> kv.split("=", 2)).forEach(kv -> m.put(kv[0], kv[1]));
        }
        return m;
    }

    static Stream<Arguments> matching() {
        return Stream.of(
                // selector, labels, matches, canonical form
                arguments("", "a=b", true, ""),
                arguments("app=web", "app=web,tier=front", true, "app=web"),
                arguments("app==web", "app=web", true, "app=web"),
                arguments("app = web", "app=api", false, "app=web"),
                arguments("app!=web", "app=api", true, "app!=web"),
                arguments("app!=web", "", true, "app!=web"),
                arguments("app!=web", "app=web", false, "app!=web"),
                arguments("env in (prod, staging)", "env=staging", true, "env in (prod,staging)"),
                arguments("env in (staging,prod)", "env=dev", false, "env in (prod,staging)"),
                arguments("env in (prod)", "", false, "env in (prod)"),
                arguments("env notin (prod)", "env=dev", true, "env notin (prod)"),
                arguments("env notin (prod)", "", true, "env notin (prod)"),
                arguments("env notin (prod)", "env=prod", false, "env notin (prod)"),
                arguments("env", "env=", true, "env"),
                arguments("env", "app=x", false, "env"),
                arguments("!env", "app=x", true, "!env"),
                arguments("!env", "env=x", false, "!env"),
                arguments("tier=front,app=web", "app=web,tier=front", true, "app=web,tier=front"),
                arguments("tier=front,app=web", "app=web", false, "app=web,tier=front"),
                arguments("app=", "app=", true, "app="),
                arguments("example.com/team=a,!example.com/legacy", "example.com/team=a", true,
                        "!example.com/legacy,example.com/team=a"),
                arguments("gen>3", "gen=4", true, "gen>3"),
                arguments("gen<3", "gen=x", false, "gen<3"),
                arguments("x in ()", "x=", true, "x in ()"));
    }

    @ParameterizedTest(name = "''{0}'' on {1} -> {2}")
    @MethodSource("matching")
    void parsesAndMatches(String expr, String labels, boolean matches, String canonical) {
        LabelSelector s = LabelSelector.parse(expr);
        assertThat(s.matches(labels(labels))).isEqualTo(matches);
        assertThat(s.toString()).isEqualTo(canonical);
        assertThat(LabelSelector.parse(s.toString())).isEqualTo(s);
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"app=web,", ",app", "app=a=b", "app in prod", "app in (prod", "app in (a b)", "app notin",
            "app web", "!app=web", "=web", "Bad Key=x", "a/b/c=x", "-app=x", "app=-web", "app=" + "v" + "xxxxxxxxxx"
            + "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "gen>x", "app in (a,b))"})
    void rejectsBadSyntax(String expr) {
        assertThatThrownBy(() -> LabelSelector.parse(expr)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unable to parse label selector");
    }

    @Test
    void errorMessagesNameTheProblem() {
        assertThatThrownBy(() -> LabelSelector.parse("app web")).hasMessageContaining("found 'web'");
        assertThatThrownBy(() -> LabelSelector.parse("a/b/c=x")).hasMessageContaining("invalid label key \"a/b/c\"");
    }

    @Test
    void fromMetav1Selector() {
        assertThat(LabelSelector.from(null).matches(labels("a=b"))).isFalse();
        assertThat(LabelSelector.from(null).isEverything()).isFalse();
        assertThat(LabelSelector.from(new LabelSelectorBuilder().build()).isEverything()).isTrue();
        LabelSelector s = LabelSelector.from(new LabelSelectorBuilder()
                .addToMatchLabels("app", "web")
                .addToMatchExpressions(new LabelSelectorRequirementBuilder().withKey("env").withOperator("In")
                        .withValues("prod", "staging").build())
                .addToMatchExpressions(new LabelSelectorRequirementBuilder().withKey("legacy").withOperator("DoesNotExist").build())
                .build());
        assertThat(s.toString()).isEqualTo("app=web,env in (prod,staging),!legacy");
        assertThat(s.matches(labels("app=web,env=prod"))).isTrue();
        assertThat(s.matches(labels("app=web,env=prod,legacy=1"))).isFalse();
        assertThat(s.matches(null)).isFalse();
        assertThat(LabelSelector.everything().matches(null)).isTrue();
        assertThatThrownBy(() -> LabelSelector.from(new LabelSelectorBuilder().addToMatchExpressions(
                new LabelSelectorRequirementBuilder().withKey("a").withOperator("Near").build()).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"Near\" is not a valid label selector operator");
        assertThatThrownBy(() -> LabelSelector.from(new LabelSelectorBuilder().addToMatchExpressions(
                new LabelSelectorRequirementBuilder().withKey("a").withOperator("In").build()).build()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
