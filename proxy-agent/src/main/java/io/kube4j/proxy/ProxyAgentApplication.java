package io.kube4j.proxy;

import io.kube4j.proxy.config.ProxyCleanup;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;

import java.util.ArrayList;
import java.util.List;

/**
 * The proxy agent (kube-proxy): one per node, programs the node so that Services reach their endpoints.
 * {@code --cleanup} (kube-proxy's flag; also {@code --kube4j.proxy.cleanup=true} or {@code KUBE4J_PROXY_CLEANUP=true})
 * removes what any mode left on the node and exits instead, without a web server.
 */
// No Spring Security here: these endpoints are local (127.0.0.1) and the API's security is the apiserver's. The
// names only matter where Spring Security is on the classpath anyway (the test JVMs, which also run an apiserver);
// there its auto-configuration would put the actuator behind a generated password.
@SpringBootApplication(excludeName = {
        "org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration"})
public class ProxyAgentApplication {

    public static void main(String[] args) {
        List<String> argv = new ArrayList<>();
        boolean cleanup = "true".equalsIgnoreCase(System.getenv("KUBE4J_PROXY_CLEANUP"));
        for (String a : args) {
            if (a.equals("--cleanup") || a.equals("--cleanup=true")) {
                argv.add("--kube4j.proxy.cleanup=true");
                cleanup = true;
            } else {
                cleanup |= a.equals("--kube4j.proxy.cleanup=true");
                argv.add(a);
            }
        }
        SpringApplication app = new SpringApplication(ProxyAgentApplication.class);
        if (cleanup) {
            app.setWebApplicationType(WebApplicationType.NONE); // nothing to serve: clean up and exit
        }
        ConfigurableApplicationContext ctx = app.run(argv.toArray(String[]::new));
        if (ctx.getBeanProvider(ProxyCleanup.class).getIfAvailable() != null) {
            System.exit(SpringApplication.exit(ctx));
        }
    }
}
