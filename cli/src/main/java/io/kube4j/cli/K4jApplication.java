package io.kube4j.cli;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.WebApplicationType;

import java.util.HashMap;
import java.util.Map;

/**
 * {@code k4j}: kube4j's kubectl. With arguments it runs one command and exits with its code (for scripts); without,
 * it is an interactive Spring Shell (prompt with context and namespace, completion of live resource names, history).
 */
@SpringBootApplication
public class K4jApplication {

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(K4jApplication.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setDefaultProperties(defaultProperties(args.length > 0));
        app.setLogStartupInfo(false);
        int code = SpringApplication.exit(app.run(args));
        System.exit(code);
    }

    /** One-shot (arguments given) runs no line reader: Spring Shell's interactive runner stays off. */
    public static Map<String, Object> defaultProperties(boolean oneShot) {
        Map<String, Object> p = new HashMap<>();
        p.put("spring.main.banner-mode", "off");
        p.put("spring.shell.interactive.enabled", Boolean.toString(!oneShot));
        // in the home directory, not wherever k4j was started
        p.put("spring.shell.history.name", System.getProperty("user.home") + "/.k4j_history");
        // k4j has its own version command; scripts are what one-shot mode is for
        p.put("spring.shell.command.version.enabled", "false");
        p.put("spring.shell.command.script.enabled", "false");
        // start fast: a one-shot command needs its command beans, not the line reader and terminal
        p.put("spring.main.lazy-initialization", "true");
        p.put("spring.jmx.enabled", "false");
        p.put("logging.level.root", "WARN");
        p.put("logging.level.org.jline", "ERROR");
        p.put("logging.level.org.springframework.shell", "ERROR");
        return p;
    }
}
