package io.kube4j.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.defaulting.Defaulting;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * spec.schedule through the controller's own parser (robfig/cron's messages) and spec.timeZone as Kubernetes'
 * validateTimeZone (tz-database names only), as the apiserver answers them in a 422's causes.
 */
class CronJobValidationTest {

    private static final String CRONJOB = """
            apiVersion: batch/v1
            kind: CronJob
            metadata: {name: cj, namespace: ns}
            spec:
              SPEC
              jobTemplate:
                spec:
                  template:
                    spec:
                      restartPolicy: Never
                      containers: [{name: c, image: busybox}]
            """;

    private static List<String> messages(String spec) {
        return messages("cj", spec);
    }

    private static List<String> messages(String name, String spec) {
        CronJob cj = Codecs.yaml().readValue(CRONJOB.replace("SPEC", spec).replace("name: cj", "name: " + name),
                CronJob.class);
        Defaulting.apply(cj);
        ResourceType t = ResourceRegistry.builtin().byType(CronJob.class).orElseThrow();
        return Validation.validateCreate(t, cj).stream().map(FieldError::message).toList();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "standard | schedule: '*/5 * * * *' |",
        "names and ? | schedule: '0 0 1 JAN,jul ?' |",
        "descriptor | schedule: '@hourly' |",
        "every | schedule: '@every 1h30m' |",
        "zone | {schedule: '0 9 * * *', timeZone: Europe/Berlin} |",
        "UTC | {schedule: '0 9 * * *', timeZone: UTC} |",
        "Etc zone | {schedule: '0 9 * * *', timeZone: Etc/GMT+1} |",
        "minute 60 | schedule: '60 * * * *' | 'spec.schedule: Invalid value: \"60 * * * *\": end of range (60) above maximum (59): 60'",
        "day 0 | schedule: '* * 0 * *' | 'spec.schedule: Invalid value: \"* * 0 * *\": beginning of range (0) below minimum (1): 0'",
        "four fields | schedule: '* * * *' | 'spec.schedule: Invalid value: \"* * * *\": expected exactly 5 fields, found 4: [* * * *]'",
        "bad name | schedule: '0 0 * FOO *' | 'spec.schedule: Invalid value: \"0 0 * FOO *\": failed to parse int from FOO: strconv.Atoi: parsing \"FOO\": invalid syntax'",
        "bad descriptor | schedule: '@often' | 'spec.schedule: Invalid value: \"@often\": unrecognized descriptor: @often'",
        "bad every | schedule: '@every 5x' | 'spec.schedule: Invalid value: \"@every 5x\": failed to parse duration @every 5x: time: invalid duration \"5x\"'",
        "TZ prefix | schedule: 'TZ=UTC 0 * * * *' | 'spec.schedule: Invalid value: \"TZ=UTC 0 * * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead'",
        "CRON_TZ prefix | schedule: 'CRON_TZ=UTC 0 * * * *' | 'spec.schedule: Invalid value: \"CRON_TZ=UTC 0 * * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead'",
        "unknown zone | {schedule: '0 9 * * *', timeZone: Mars/Olympus} | 'spec.timeZone: Invalid value: \"Mars/Olympus\": unknown time zone Mars/Olympus'",
        "Local | {schedule: '0 9 * * *', timeZone: Local} | 'spec.timeZone: Invalid value: \"Local\": unknown time zone Local'",
        "offset | {schedule: '0 9 * * *', timeZone: '+01:00'} | 'spec.timeZone: Invalid value: \"+01:00\": unknown time zone +01:00'",
        "UTC offset | {schedule: '0 9 * * *', timeZone: 'UTC+1'} | 'spec.timeZone: Invalid value: \"UTC+1\": unknown time zone UTC+1'",
        "empty zone | {schedule: '0 9 * * *', timeZone: ''} | 'spec.timeZone: Invalid value: \"\": unknown time zone '",
        "lower case | {schedule: '0 9 * * *', timeZone: europe/berlin} | 'spec.timeZone: Invalid value: \"europe/berlin\": unknown time zone europe/berlin'",
    })
    void scheduleAndTimeZone(String name, String spec, String expected) {
        if (spec.startsWith("{")) {
            spec = spec.substring(1, spec.length() - 1).replace(", ", "\n  ");
        }
        List<String> errs = messages(spec);
        if (expected == null) {
            assertThat(errs).isEmpty();
        } else {
            assertThat(errs).containsExactly(expected);
        }
    }

    @Test
    void theNameLeavesRoomForTheJobNamesSuffix() {
        String name52 = "c".repeat(52);
        assertThat(messages(name52, "schedule: '@hourly'")).isEmpty();
        assertThat(messages(name52 + "c", "schedule: '@hourly'")).containsExactly("metadata.name: Invalid value: \""
                + name52 + "c\": must be no more than 52 characters");
    }
}
