package io.kube4j.cli.commands.events;

import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.cli.output.Io;
import io.kube4j.cli.testsupport.CliHarness;
import io.kube4j.cli.testsupport.Fixtures;
import io.kube4j.cli.testsupport.Golden;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static io.kube4j.cli.testsupport.Fixtures.daysAgo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code k4j events} against a secure apiserver: the table, filters, and {@code -w} seeing a new event. */
class EventsCommandIT {

    private static final String NS = "events-it";
    /** The watch test's own namespace, so its events do not show in the other tests' lists. */
    private static final String WATCH_NS = "events-it-watch";
    private static ApiServerInstance apiserver;
    private static Path kubeconfig;
    private static Fixtures fx;

    @BeforeAll
    static void start() {
        apiserver = ApiServerInstance.secureShared();
        kubeconfig = apiserver.kubeconfig(apiserver.pki().admin());
        fx = new Fixtures(apiserver.client(apiserver.pki().admin()));
        fx.create("/api/v1/namespaces", "{metadata: {name: " + NS + "}}");
        fx.create("/api/v1/namespaces", "{metadata: {name: " + WATCH_NS + "}}");
        event(NS, "e1", "Pod", "web-1", "Normal", "Scheduled", "Successfully assigned events-it/web-1 to n1", 1, 33, 33);
        event(NS, "e2", "Pod", "web-1", "Warning", "BackOff", "Back-off restarting failed container", 4, 32, 30);
        event(NS, "e3", "Deployment", "web", "Normal", "ScalingReplicaSet", "Scaled up replica set web-1 to 1", 1, 31, 31);
    }

    private static void event(String ns, String name, String kind, String obj, String type, String reason, String message,
                              int count, int firstDays, int lastDays) {
        fx.create("/api/v1/namespaces/" + ns + "/events", """
                metadata: {name: %s}
                involvedObject: {kind: %s, name: %s, namespace: %s}
                type: %s
                reason: %s
                message: '%s'
                source: {component: test}
                count: %d
                firstTimestamp: "%s"
                lastTimestamp: "%s"
                """.formatted(name, kind, obj, ns, type, reason, message, count, daysAgo(firstDays),
                daysAgo(lastDays)));
    }

    @Test
    void listsEventsSortedByLastSeen() {
        Golden.check("events/events.txt", CliHarness.shared().run(kubeconfig, "events", "-n", NS).ok().out());
        String all = CliHarness.shared().run(kubeconfig, "events", "-A").ok().out();
        assertThat(all).startsWith("NAMESPACE").contains(NS + "   ");
    }

    @Test
    void filtersByTypeAndObject() {
        String warnings = CliHarness.shared().run(kubeconfig, "events", "-n", NS, "--types=Warning").ok().out();
        assertThat(warnings.lines()).hasSize(2).last().asString()
                .isEqualTo("30d (x4 over 32d)   Warning   BackOff   Pod/web-1   Back-off restarting failed container");
        String forDeploy = CliHarness.shared().run(kubeconfig, "events", "-n", NS, "--for", "deploy/web").ok().out();
        assertThat(forDeploy.lines()).hasSize(2);
        assertThat(forDeploy).contains("Deployment/web");
        CliHarness.Result bad = CliHarness.shared().run(kubeconfig, "events", "-n", NS, "--types=Error");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).startsWith("error: valid --types are Normal or Warning");
        CliHarness.Result none = CliHarness.shared().run(kubeconfig, "events", "-n", "default", "--for", "pod/nope");
        assertThat(none.err()).isEqualTo("No events found in default namespace.\n");
    }

    @Test
    void watchPrintsANewEventAsItHappens() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Io io = new Io(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false,
                Map.of("KUBECONFIG", kubeconfig.toString(), "HOME", System.getProperty("java.io.tmpdir")),
                Path.of("").toAbsolutePath());
        EventsCommand events = CliHarness.shared().bean(EventsCommand.class);
        AtomicInteger code = new AtomicInteger(-1);
        event(WATCH_NS, "e4", "Pod", "web-2", "Normal", "Pulling", "Pulling image nginx", 1, 0, 0);
        Thread t = new Thread(() -> code.set(events.execute(List.of("-n", WATCH_NS, "-w", "--for", "pod/web-2"), io)));
        t.start();
        try {
            // the event before the watch started (the watch's initial state) shows the watch is running
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(out.toString(StandardCharsets.UTF_8))
                    .startsWith("LAST SEEN").containsPattern("Normal\\s+Pulling\\s+Pod/web-2\\s+Pulling image nginx"));
            event(WATCH_NS, "e5", "Pod", "web-2", "Warning", "Failed", "Error: ImagePullBackOff", 1, 0, 0);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(out.toString(StandardCharsets.UTF_8))
                    .containsPattern("\n12h   Warning   Failed   Pod/web-2   Error: ImagePullBackOff\n"));
            assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("web-1");
        } finally {
            t.interrupt();
            t.join(10_000);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(code.get()).isZero();
    }
}
