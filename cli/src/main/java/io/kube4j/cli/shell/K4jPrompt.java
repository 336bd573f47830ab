package io.kube4j.cli.shell;

import io.kube4j.cli.session.KubeConfigs;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;
import org.springframework.shell.jline.PromptProvider;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

import java.util.Map;

/**
 * The interactive prompt, {@code k4j (CONTEXT:NAMESPACE)> }, read from the kubeconfig before every line so that
 * {@code config use-context} and {@code config set-context --current --namespace} show at once.
 */
@Component
public class K4jPrompt implements PromptProvider {

    private final Map<String, String> env;

    public K4jPrompt() {
        this(System.getenv());
    }

    K4jPrompt(Map<String, String> env) {
        this.env = env;
    }

    /** The prompt's text without colour. */
    public String text() {
        String context = "none";
        String namespace = "default";
        try {
            KubeConfigs kc = KubeConfigs.load(null, env);
            String c = kc.currentContext();
            if (c != null) {
                context = c;
                JsonNode ctx = kc.context(c);
                if (ctx != null && !ctx.path("namespace").asString("").isEmpty()) {
                    namespace = ctx.path("namespace").asString();
                }
            }
        } catch (RuntimeException e) {
            context = "invalid kubeconfig";
        }
        return context + ":" + namespace;
    }

    @Override
    public AttributedString getPrompt() {
        String t = text();
        String[] cn = {t.substring(0, t.lastIndexOf(':')), t.substring(t.lastIndexOf(':') + 1)};
        return new AttributedStringBuilder()
                .append("k4j", AttributedStyle.BOLD)
                .append(" (")
                .append(cn[0], AttributedStyle.DEFAULT.foreground(AttributedStyle.CYAN))
                .append(":")
                .append(cn[1], AttributedStyle.DEFAULT.foreground(AttributedStyle.YELLOW))
                .append(")> ")
                .toAttributedString();
    }
}
