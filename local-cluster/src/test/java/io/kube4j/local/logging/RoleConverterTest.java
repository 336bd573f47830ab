package io.kube4j.local.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;

class RoleConverterTest {

    @ParameterizedTest
    @CsvSource(nullValues = "-", value = {
            // thread's role, logger, column
            "node-1,    io.kube4j.node.pod.PodWorkers,               node-1",
            "apiserver, io.kube4j.node.pod.PodWorkers,               node",
            "node-1,    org.springframework.boot.SpringApplication,  node-1",
            "-,         reactor.netty.http.server.HttpServer,        cluster",
            "gateway,   io.kube4j.client.KubeClient,                 gateway",
            "proxy-0,   io.kube4j.controller.replicaset.Foo,         controller-manager",
            "-,         io.kube4j.apiserver.watch.WatchCacheManager, apiserver"})
    void roleColumn(String threadRole, String logger, String column) throws Exception {
        Thread t = new Thread(() -> {
            if (threadRole != null) {
                RoleConverter.ROLE.set(threadRole);
            }
            LoggingEvent e = new LoggingEvent();
            e.setLoggerName(logger);
            e.setLevel(Level.INFO);
            e.setLoggerContext(new LoggerContext());
            assertThat(new RoleConverter().convert(e)).isEqualTo(column);
        });
        Throwable[] failure = new Throwable[1];
        t.setUncaughtExceptionHandler((th, ex) -> failure[0] = ex);
        t.start();
        t.join();
        assertThat(failure[0]).isNull();
    }
}
