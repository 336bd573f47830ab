package io.kube4j.deploy.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The chart {@code helm/kube4j} rendered by Helm's own template engine (helm-java: Helm's Go code through JNI, as
 * {@code helm template} renders it, hooks included), parsed into one map per Kubernetes object.
 */
record RenderedChart(String yaml, List<Map<String, Object>> objects) {

    static final String RELEASE = "kube4j";
    static final String NAMESPACE = "kube4j-system";

    /** The chart's directory, from the module directory the tests run in. */
    static Path chartDir() {
        Path dir = Path.of("..", "helm", "kube4j").toAbsolutePath().normalize();
        if (!Files.isRegularFile(dir.resolve("Chart.yaml"))) {
            throw new IllegalStateException("no chart at " + dir + " (run the tests from the deploy-tests module)");
        }
        return dir;
    }

    /** Renders with the values file {@code helm/<name>} of the test resources (null: the chart's defaults). */
    static RenderedChart render(String valuesResource) {
        TemplateCommand cmd = template();
        if (valuesResource != null) {
            cmd = cmd.withValuesFile(valuesFile(valuesResource));
        }
        return parse(cmd.call());
    }

    /**
     * {@code helm template} of the chart as release {@link #RELEASE} in {@link #NAMESPACE}, for the Kubernetes version
     * kube4j serves (Helm's offline default, 1.20, is below the chart's kubeVersion).
     */
    static TemplateCommand template() {
        return new Helm(chartDir()).template().withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion("1.31.0");
    }

    static Path valuesFile(String name) {
        try {
            return Path.of(Objects.requireNonNull(RenderedChart.class.getResource("/helm/" + name),
                    "no test resource helm/" + name).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static RenderedChart parse(String yaml) {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
            if (doc != null) {
                objects.add((Map<String, Object>) doc);
            }
        }
        return new RenderedChart(yaml, List.copyOf(objects));
    }

    List<Map<String, Object>> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
    }

    Map<String, Object> get(String kind, String name) {
        return objects.stream().filter(o -> kind.equals(o.get("kind")) && name.equals(name(o))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in the rendered chart; kinds: "
                        + objects.stream().map(o -> o.get("kind") + "/" + name(o)).toList()));
    }

    @SuppressWarnings("unchecked")
    static String name(Map<String, Object> o) {
        return (String) ((Map<String, Object>) o.get("metadata")).get("name");
    }

    /** The first container of a workload's pod template. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> container(Map<String, Object> workload) {
        Map<String, Object> spec = (Map<String, Object>) workload.get("spec");
        Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) spec.get("template")).get("spec");
        return ((List<Map<String, Object>>) pod.get("containers")).get(0);
    }

    @SuppressWarnings("unchecked")
    static List<String> args(Map<String, Object> workload) {
        return (List<String>) container(workload).get("args");
    }
}
