package io.kube4j.local;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code java -jar local-cluster-exec.jar [--nodes N] [--store embedded|etcd] ...}: the whole cluster in this JVM
 * until TERM ({@link LocalClusterSettings} lists the flags); {@code --cleanup}: the proxy agents' cleanup of this
 * host (what {@code ./kube4j down} runs), then exit. Bad flags exit 2 with one line naming the fix.
 */
public final class LocalClusterApplication {

    /** Spring's logging system is off in every role context: logback is configured once, by logback.xml. */
    private static final String LOGGING_SYSTEM = "org.springframework.boot.logging.LoggingSystem";

    private LocalClusterApplication() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.setProperty(LOGGING_SYSTEM, "none");
        List<String> argv = Arrays.asList(args);
        if (argv.contains("--cleanup")) {
            ConfigurableApplicationContext ctx = LocalCluster.proxyCleanup().start(WebApplicationType.NONE);
            System.exit(SpringApplication.exit(ctx));
        }
        LocalClusterSettings settings;
        try {
            settings = LocalClusterSettings.parse(argv, System::getenv);
        } catch (IllegalArgumentException e) {
            System.err.println("kube4j local cluster: " + e.getMessage());
            System.exit(2);
            return;
        }
        Logger log = LoggerFactory.getLogger(LocalClusterApplication.class);
        LocalCluster cluster = new LocalCluster(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("stopping the local cluster");
            cluster.close();
            stopped.countDown();
        }, "local-cluster-shutdown"));
        try {
            cluster.start();
        } catch (RuntimeException e) {
            log.error("the local cluster did not start: {}", LocalCluster.rootMessage(e), e);
            System.exit(1);   // the shutdown hook closes what did start
        }
        stopped.await();
    }
}
