package io.kube4j.local;

import java.net.URISyntaxException;
import java.net.URL;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.http.client.ReactorResourceFactory;

import io.kube4j.local.logging.RoleConverter;
import reactor.netty.resources.LoopResources;

/**
 * One role (apiserver, gateway, node-0, ...) as a Spring application context of its own in the local cluster's JVM,
 * started as its own jar would start it: its application class, ITS {@code application.yaml} (every role's sits at
 * the classpath root, so {@code classpath:application.yaml} would be whichever comes first), its properties as
 * command-line arguments (they win over the yaml, as the script's {@code --key=value} do), only its own
 * auto-configurations ({@link RoleAutoConfigurationFilter}) and its own Reactor Netty event loops.
 *
 * @param name       the role's name in logs: apiserver, gateway, scheduler, controller-manager, node-0, proxy-0
 * @param family     the role family, which selects auto-configurations and {@code --set} properties
 * @param app        the role's {@code @SpringBootApplication} class
 * @param properties {@code key=value} settings, as the script's {@code start_*} functions pass them
 * @param eventLoops the server's event loop threads
 */
public record RoleApplication(String name, String family, Class<?> app, List<String> properties, int eventLoops) {

    /** Set in every role's environment: the role family ({@link RoleAutoConfigurationFilter} reads it). */
    public static final String ROLE_PROPERTY = "kube4j.local.role";

    public RoleApplication {
        properties = List.copyOf(properties);
    }

    /** Starts the context on the calling thread, whose threads (and their children) log as this role. */
    public ConfigurableApplicationContext start(WebApplicationType webType) {
        RoleConverter.ROLE.set(name);
        SpringApplication application = new SpringApplication(app);
        application.setRegisterShutdownHook(false);   // the cluster closes the roles in order (LocalCluster.close)
        application.setBannerMode(Banner.Mode.OFF);
        if (webType != null) {
            application.setWebApplicationType(webType);
        }
        application.addInitializers(this::ownEventLoops);
        return application.run(arguments());
    }

    String[] arguments() {
        List<String> args = new ArrayList<>();
        String yaml = configLocation(app);
        // a jar without an application.yaml of its own (the ingress add-on: its defaults are in code) gets none
        args.add("--spring.config.location=" + (exists(yaml) ? yaml : "optional:" + yaml));
        args.add("--" + ROLE_PROPERTY + "=" + family);
        for (String p : properties) {
            args.add("--" + p);
        }
        return args.toArray(String[]::new);
    }

    /**
     * Own event loops, named after the role: Reactor Netty's global ones are disposed when any context using them
     * closes, and named threads show in thread dumps whose they are. Clients (KubeClient) keep the shared ones.
     */
    private void ownEventLoops(ConfigurableApplicationContext context) {
        ((GenericApplicationContext) context).registerBean(ReactorResourceFactory.class, () -> {
            ReactorResourceFactory f = new ReactorResourceFactory();
            f.setUseGlobalResources(false);
            f.setLoopResourcesSupplier(() -> LoopResources.create("k4j-" + name, 1, eventLoops, true));
            // the server has drained its requests (graceful shutdown) when the loops go: no 2 s quiet period each
            f.setShutdownQuietPeriod(Duration.ZERO);
            f.setShutdownTimeout(Duration.ofSeconds(2));
            return f;
        });
    }

    private static boolean exists(String url) {
        try (java.io.InputStream in = java.net.URI.create(url).toURL().openStream()) {
            return true;
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    /** The {@code application.yaml} of the jar (or classes directory) the application class was loaded from. */
    static String configLocation(Class<?> app) {
        CodeSource source = app.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            throw new IllegalStateException("cannot tell where " + app.getName() + " was loaded from");
        }
        URL url = source.getLocation();
        String s = url.toString();
        if (s.endsWith("!/") || s.endsWith("/")) {
            return s + "application.yaml";             // a nested jar (jar:nested:...!/) or a classes directory
        }
        if (s.startsWith("file:") && s.endsWith(".jar")) {
            try {
                return "jar:" + url.toURI() + "!/application.yaml";
            } catch (URISyntaxException e) {
                throw new IllegalStateException("bad code source " + s, e);
            }
        }
        throw new IllegalStateException("cannot find the application.yaml of " + app.getName() + " loaded from " + s);
    }
}
