package io.kube4j.api.printing;

import io.kube4j.api.codec.Codecs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** kubectl's pod STATUS/READY/RESTARTS cells (printPod) for a table of pod states. */
class PodStatusTest {

    private static PodStatus of(String json) {
        return PodStatus.of(Codecs.json().readTree(json));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            pending, no statuses        | {"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Pending"}}                                                                                       | 0/1 | Pending
            container creating          | {"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Pending","containerStatuses":[{"name":"a","ready":false,"restartCount":0,"state":{"waiting":{"reason":"ContainerCreating"}}}]}} | 0/1 | ContainerCreating
            running and ready           | {"spec":{"containers":[{"name":"a"},{"name":"b"}]},"status":{"phase":"Running","containerStatuses":[{"name":"a","ready":true,"state":{"running":{}}},{"name":"b","ready":false,"state":{"running":{}}}]}} | 1/2 | Running
            crash loop                  | {"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Running","containerStatuses":[{"name":"a","ready":false,"restartCount":4,"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}} | 0/1 | CrashLoopBackOff
            completed                   | {"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Succeeded","containerStatuses":[{"name":"a","ready":false,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}} | 0/1 | Completed
            exit code without reason    | {"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Failed","containerStatuses":[{"name":"a","state":{"terminated":{"exitCode":3}}}]}} | 0/1 | ExitCode:3
            signal without reason       | {"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Failed","containerStatuses":[{"name":"a","state":{"terminated":{"exitCode":137,"signal":9}}}]}} | 0/1 | Signal:9
            image pull error            | {"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Pending","containerStatuses":[{"name":"a","state":{"waiting":{"reason":"ErrImagePull"}}}]}} | 0/1 | ErrImagePull
            pod reason (evicted)        | {"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Failed","reason":"Evicted"}} | 0/1 | Evicted
            init 0 of 2                 | {"spec":{"initContainers":[{"name":"i1"},{"name":"i2"}],"containers":[{"name":"a"}]},"status":{"phase":"Pending","initContainerStatuses":[{"name":"i1","state":{"running":{}}},{"name":"i2","state":{"waiting":{"reason":"PodInitializing"}}}]}} | 0/1 | Init:0/2
            init 1 of 2                 | {"spec":{"initContainers":[{"name":"i1"},{"name":"i2"}],"containers":[{"name":"a"}]},"status":{"phase":"Pending","initContainerStatuses":[{"name":"i1","state":{"terminated":{"exitCode":0}}},{"name":"i2","state":{"running":{}}}]}} | 0/1 | Init:1/2
            init crash loop             | {"spec":{"initContainers":[{"name":"i1"}],"containers":[{"name":"a"}]},"status":{"phase":"Pending","initContainerStatuses":[{"name":"i1","restartCount":2,"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}} | 0/1 | Init:CrashLoopBackOff
            init failed                 | {"spec":{"initContainers":[{"name":"i1"}],"containers":[{"name":"a"}]},"status":{"phase":"Failed","initContainerStatuses":[{"name":"i1","state":{"terminated":{"exitCode":1,"reason":"Error"}}}]}} | 0/1 | Init:Error
            init exit code              | {"spec":{"initContainers":[{"name":"i1"}],"containers":[{"name":"a"}]},"status":{"phase":"Pending","initContainerStatuses":[{"name":"i1","state":{"terminated":{"exitCode":2}}}]}} | 0/1 | Init:ExitCode:2
            sidecar started counts      | {"spec":{"initContainers":[{"name":"s","restartPolicy":"Always"}],"containers":[{"name":"a"}]},"status":{"phase":"Running","conditions":[{"type":"Initialized","status":"True"}],"initContainerStatuses":[{"name":"s","started":true,"ready":true,"state":{"running":{}}}],"containerStatuses":[{"name":"a","ready":true,"state":{"running":{}}}]}} | 2/2 | Running
            terminating                 | {"metadata":{"deletionTimestamp":"2026-01-01T00:00:00Z"},"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Running","containerStatuses":[{"name":"a","ready":true,"state":{"running":{}}}]}} | 1/1 | Terminating
            terminal phase not terminating | {"metadata":{"deletionTimestamp":"2026-01-01T00:00:00Z"},"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Succeeded","containerStatuses":[{"name":"a","state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}} | 0/1 | Completed
            node lost                   | {"metadata":{"deletionTimestamp":"2026-01-01T00:00:00Z"},"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Running","reason":"NodeLost"}} | 0/1 | Unknown
            completed but one running, ready | {"spec":{"containers":[{"name":"a"},{"name":"b"}]},"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}],"containerStatuses":[{"name":"a","ready":true,"state":{"running":{}}},{"name":"b","state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}} | 1/2 | Running
            completed but one running, not ready | {"spec":{"containers":[{"name":"a"},{"name":"b"}]},"status":{"phase":"Running","containerStatuses":[{"name":"a","ready":true,"state":{"running":{}}},{"name":"b","state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}} | 1/2 | NotReady
            scheduling gated            | {"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Pending","conditions":[{"type":"PodScheduled","status":"False","reason":"SchedulingGated"}]}} | 0/1 | SchedulingGated
            """)
    void statusAndReady(String name, String json, String ready, String reason) {
        PodStatus s = of(json);
        assertThat(s.ready()).isEqualTo(ready);
        assertThat(s.reason()).isEqualTo(reason);
    }

    @Test
    void restartsShowTheLastRestartsAge() {
        PodStatus s = of("""
                {"spec":{"containers":[{"name":"a"},{"name":"b"}]},"status":{"phase":"Running","containerStatuses":[
                 {"name":"a","restartCount":2,"lastState":{"terminated":{"exitCode":1,"finishedAt":"2026-01-01T00:00:00Z"}},"state":{"running":{}}},
                 {"name":"b","restartCount":1,"lastState":{"terminated":{"exitCode":1,"finishedAt":"2026-01-01T00:01:00Z"}},"state":{"running":{}}}]}}
                """);
        assertThat(s.restarts()).isEqualTo(3);
        assertThat(s.restartsCell(Instant.parse("2026-01-01T00:01:42Z"))).isEqualTo("3 (42s ago)");
        assertThat(of("{\"spec\":{\"containers\":[{\"name\":\"a\"}]},\"status\":{}}").restartsCell(Instant.now()))
                .isEqualTo("0");
    }
}
