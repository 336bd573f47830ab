package io.kube4j.gateway.dashboard;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.apiserver.testsupport.TestPki;
import io.kube4j.controller.deployment.DeploymentControllerFactory;
import io.kube4j.controller.deployment.DeploymentControllerProperties;
import io.kube4j.controller.endpoint.EndpointControllerFactory;
import io.kube4j.controller.endpoint.EndpointControllerProperties;
import io.kube4j.controller.garbagecollector.GarbageCollectorFactory;
import io.kube4j.controller.garbagecollector.GarbageCollectorProperties;
import io.kube4j.controller.manager.ControllerManager;
import io.kube4j.controller.replicaset.ReplicaSetControllerFactory;
import io.kube4j.controller.replicaset.ReplicaSetControllerProperties;
import io.kube4j.controller.testsupport.ControllerTestEnv;
import io.kube4j.gateway.testsupport.GatewayInstance;
import io.kube4j.node.agent.NodeAgentHarness;
import io.kube4j.node.testsupport.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Wait;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in a real browser (Debian's headless Chromium driven by Selenium) against a real cluster: the
 * secure apiserver behind the gateway, the Deployment and ReplicaSet controllers, and a node agent running the
 * pods in Docker. Logs in with a static token of an admin, creates a Deployment from pasted YAML, sees its pod
 * come up Running and Ready without reloading the page (SSE watch through the gateway), scales it to 3 and sees
 * three pods, follows a pod's logs while lines arrive, and deletes the Deployment through the confirmation
 * dialog (the garbage collector then removes its pods); then scales a StatefulSet with its + button and sees its
 * status and a claim's phase change live. Screenshots of every step go to {@code target/screenshots/}.
 *
 * <p>The browser accepts the gateway's certificate with {@code --ignore-certificate-errors} (its CA is the test's
 * own, generated per run; importing it into an NSS database would need {@code certutil}, which Debian's chromium
 * does not bring). The page still runs as an HTTPS origin: the {@code Secure} session cookie is set and sent.
 */
class DashboardBrowserIT {

    static final String CHROMIUM = "/usr/bin/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    static final String ADMIN_TOKEN = "dashboard-browser-admin-0123456789";
    static final String DEPLOYMENT = "web";
    static final Duration WAIT = Duration.ofSeconds(120);
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    static GatewayInstance gateway;
    static ControllerManager controllers;
    static NodeAgentHarness node;
    static WebDriver browser;
    static Path profile;
    static ApiClient admin;
    static String ns;
    static int shot;

    @BeforeAll
    static void start() throws IOException {
        Requirements.require(Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(CHROMEDRIVER)),
                "no " + CHROMIUM + " and " + CHROMEDRIVER + " (apt-get install chromium chromium-driver)");
        Requirements.requireDocker();
        TestImages.busybox();
        ApiServerInstance apiserver = ApiServerInstance.secureShared();
        TestPki pki = apiserver.pki();
        Path tokens = pki.tokenFile(new TestPki.StaticToken(ADMIN_TOKEN, "dash-admin", "u-admin",
                List.of("system:masters")));
        gateway = GatewayInstance.start(pki, List.of(apiserver.url()),
                "kube4j.gateway.authentication.token-file=" + tokens);
        admin = gateway.client(pki.admin());
        // the node agent and the controllers talk to the development apiserver on the same etcd; the node first:
        // the garbage collector's initial list of every type is the heaviest moment of the start
        node = NodeAgentHarness.docker("dashboard");
        ns = node.namespace();
        controllers = ControllerTestEnv.start(
                new ReplicaSetControllerFactory(bind("kube4j.controller.replicaset", ReplicaSetControllerProperties.class)),
                new DeploymentControllerFactory(bind("kube4j.controller.deployment", DeploymentControllerProperties.class)),
                new EndpointControllerFactory(bind("kube4j.controller.endpoint", EndpointControllerProperties.class)),
                new GarbageCollectorFactory(bind("kube4j.controller.garbage-collector", GarbageCollectorProperties.class)));

        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        profile = Files.createTempDirectory("kube4j-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--ignore-certificate-errors", "--window-size=1400,1000",
                "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of(CHROMEDRIVER).toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        Files.createDirectories(SCREENSHOTS);
        try (var old = Files.newDirectoryStream(SCREENSHOTS, "dashboard-*.png")) {
            for (Path f : old) {
                Files.delete(f); // a previous run's screenshots
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (admin != null && ns != null) {
            admin.delete("/apis/apps/v1/namespaces/" + ns + "/deployments/" + DEPLOYMENT);
            admin.delete("/apis/apps/v1/namespaces/" + ns + "/replicasets?labelSelector=app%3D" + DEPLOYMENT);
            admin.delete("/api/v1/namespaces/" + ns + "/pods?labelSelector=app%3D" + DEPLOYMENT);
            admin.delete("/apis/apps/v1/namespaces/" + ns + "/statefulsets/db");
            admin.delete("/api/v1/namespaces/" + ns + "/persistentvolumeclaims/data-db-0");
        }
        if (controllers != null) {
            controllers.stop();
        }
        if (node != null) {
            node.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (profile != null) {
            try (var s = Files.walk(profile)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static <T> T bind(String prefix, Class<T> type) {
        return new Binder(new MapConfigurationPropertySource(Map.of())).bindOrCreate(prefix, type);
    }

    @Test
    void logInCreateWatchScaleReadLogsAndDelete() {
        // the tables re-render rows as events arrive: an element found a moment ago may be replaced
        var wait = new WebDriverWait(browser, WAIT, Duration.ofMillis(200))
                .ignoring(StaleElementReferenceException.class);

        // log in with the admin's static token
        browser.get(gateway.url() + "/dashboard/");
        WebElement token = wait.until(d -> visible(d, "login-token"));
        screenshot("login");
        token.sendKeys(ADMIN_TOKEN);
        byTestId("login-submit").click();
        wait.until(d -> text(d, "current-user").equals("dash-admin"));
        // a marker that survives only as long as the page is not reloaded: everything below is live updates
        js("window.__kube4jNoReload = 'still-here';");

        // a bad document first: the API's Status message is shown
        js("location.hash = '#/ns/" + ns + "/create';");
        paste("""
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: Broken_Name
                data: {a: b}
                """);
        byTestId("create-submit").click();
        WebElement failed = wait.until(d -> visible(d, "create-result"));
        assertThat(failed.getAttribute("data-ok")).isEqualTo("false");
        assertThat(failed.getText()).startsWith("ConfigMap Broken_Name: ").containsIgnoringCase("invalid");
        screenshot("create-error");

        // create the Deployment from pasted YAML (two documents: a Service too)
        paste("""
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: %1$s
                  labels: {app: %1$s}
                spec:
                  replicas: 1
                  selector:
                    matchLabels: {app: %1$s}
                  template:
                    metadata:
                      labels: {app: %1$s}
                    spec:
                      nodeName: %2$s
                      terminationGracePeriodSeconds: 1
                      containers:
                      - name: app
                        image: %3$s
                        command: ["sh", "-c", "i=0; while true; do echo line-$i; i=$((i+1)); sleep 1; done"]
                        resources:
                          requests: {cpu: 50m, memory: 16Mi}
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: %1$s
                spec:
                  selector: {app: %1$s}
                  ports: [{port: 80}]
                """.formatted(DEPLOYMENT, node.nodeName(), TestImages.busybox()));
        screenshot("create-yaml");
        byTestId("create-submit").click();
        wait.until(d -> d.findElements(testId("create-result")).size() == 2);
        for (WebElement r : browser.findElements(testId("create-result"))) {
            assertThat(r.getAttribute("data-ok")).as(r.getText()).isEqualTo("true");
        }
        screenshot("created");

        // its pod appears and turns Running and Ready live
        byTestId("nav-pods").click();
        wait.until(d -> readyPods(d) == 1);
        assertThat(podRows().size()).isEqualTo(1);
        screenshot("pod-running");

        // scale to 3 with the replicas input: three pods, live
        byTestId("nav-deployments").click();
        WebElement replicas = wait.until(d -> visible(d, "replicas-input-" + DEPLOYMENT));
        wait.until(d -> "1".equals(replicas.getDomProperty("value")));
        replicas.clear();
        replicas.sendKeys("3");
        click(wait, "scale-set-" + DEPLOYMENT);
        wait.until(d -> text(d, "deployment-ready-" + DEPLOYMENT).equals("3/3"));
        screenshot("scaled-to-3");
        assertThat(admin.get("/apis/apps/v1/namespaces/" + ns + "/deployments/" + DEPLOYMENT).json()
                .at("/spec/replicas").asInt()).isEqualTo(3);
        byTestId("nav-pods").click();
        wait.until(d -> readyPods(d) == 3);
        assertThat(podRows().size()).isEqualTo(3);
        screenshot("three-pods");

        // the Service's endpoints list the three pods
        byTestId("nav-services").click();
        wait.until(d -> Pattern.compile("\\d+\\.\\d+\\.\\d+\\.\\d+:80").matcher(text(d, "service-endpoints-" + DEPLOYMENT))
                .results().count() == 3);
        screenshot("service");

        // the node's bars count the pods' requests
        byTestId("nav-nodes").click();
        wait.until(d -> text(d, "node-pods-" + node.nodeName()).startsWith("3 /"));
        assertThat(byTestId("node-cpu-" + node.nodeName()).getText()).startsWith("150m /");
        screenshot("nodes");

        // a pod's logs, following: lines keep arriving while we watch
        byTestId("nav-pods").click();
        wait.until(d -> readyPods(d) == 3);
        String pod = podRows().get(0).getAttribute("data-name");
        click(wait, "logs-" + pod);
        wait.until(d -> lastLine(text(d, "log-output")) >= 0);
        int first = lastLine(text(browser, "log-output"));
        wait.until(d -> lastLine(text(d, "log-output")) >= first + 3);
        assertThat(text(browser, "log-status")).isEqualTo("following");
        screenshot("logs-following");

        // events arrived live too
        byTestId("nav-events").click();
        wait.until(d -> !d.findElements(testId("event-row")).isEmpty());
        screenshot("events");

        // rollout restart: the template's restartedAt annotation is set (a new ReplicaSet rolls out)
        byTestId("nav-deployments").click();
        click(wait, "restart-" + DEPLOYMENT);
        wait.until(d -> !admin.get("/apis/apps/v1/namespaces/" + ns + "/deployments/" + DEPLOYMENT).json()
                .at("/spec/template/metadata/annotations/kubectl.kubernetes.io~1restartedAt").asString("").isEmpty());
        screenshot("restarted");

        // delete with confirmation: cancel keeps it, confirm deletes it
        click(wait, "delete-deployment-" + DEPLOYMENT);
        WebElement dialog = wait.until(d -> visible(d, "confirm-dialog"));
        assertThat(dialog.getText()).contains("Delete deployment " + DEPLOYMENT + "?");
        screenshot("confirm-delete");
        byTestId("confirm-cancel").click();
        assertThat(admin.get("/apis/apps/v1/namespaces/" + ns + "/deployments/" + DEPLOYMENT).code()).isEqualTo(200);
        click(wait, "delete-deployment-" + DEPLOYMENT);
        click(wait, "confirm-ok");
        wait.until(d -> d.findElements(testId("deployment-row-" + DEPLOYMENT)).isEmpty());
        assertThat(admin.get("/apis/apps/v1/namespaces/" + ns + "/deployments/" + DEPLOYMENT).code()).isEqualTo(404);
        screenshot("deleted");
        // the garbage collector takes its ReplicaSet and pods with it: the pods view empties live
        byTestId("nav-pods").click();
        wait.until(d -> d.findElements(By.cssSelector("[data-testid^='pod-row-']")).isEmpty());
        screenshot("pods-gone");

        // issue 13's views: a StatefulSet scaled with the + button (its /scale subresource), its status arriving
        // live; a claim turning Bound live in the storage view. No StatefulSet controller runs here: the test writes
        // the status a controller would write, so only the dashboard is under test.
        admin.post("/apis/apps/v1/namespaces/" + ns + "/statefulsets", """
                {"metadata":{"name":"db"},"spec":{"replicas":1,"serviceName":"db",
                 "selector":{"matchLabels":{"app":"db"}},"template":{"metadata":{"labels":{"app":"db"}},
                 "spec":{"schedulerName":"dashboard-none","containers":[{"name":"db","image":"busybox"}]}}}}""");
        byTestId("nav-statefulsets").click();
        wait.until(d -> text(d, "statefulset-ready-db").equals("0/1"));
        click(wait, "scale-up-db");
        wait.until(d -> admin.get("/apis/apps/v1/namespaces/" + ns + "/statefulsets/db").json()
                .at("/spec/replicas").asInt() == 2);
        wait.until(d -> text(d, "statefulset-ready-db").equals("0/2"));
        admin.mergePatch("/apis/apps/v1/namespaces/" + ns + "/statefulsets/db/status",
                "{\"status\":{\"replicas\":2,\"readyReplicas\":2}}");
        wait.until(d -> text(d, "statefulset-ready-db").equals("2/2"));
        screenshot("statefulsets");
        admin.post("/api/v1/namespaces/" + ns + "/persistentvolumeclaims", """
                {"metadata":{"name":"data-db-0"},"spec":{"accessModes":["ReadWriteOnce"],
                 "resources":{"requests":{"storage":"1Gi"}}}}""");
        byTestId("nav-storage").click();
        wait.until(d -> text(d, "pvc-status-data-db-0").equals("Pending"));
        admin.mergePatch("/api/v1/namespaces/" + ns + "/persistentvolumeclaims/data-db-0/status",
                "{\"status\":{\"phase\":\"Bound\"}}");
        wait.until(d -> text(d, "pvc-status-data-db-0").equals("Bound"));
        screenshot("storage");

        assertThat(noReload()).as("every change above arrived without reloading the page").isTrue();
    }

    // ---------- helpers ----------

    static By testId(String id) {
        return By.cssSelector("[data-testid='" + id + "']");
    }

    static WebElement byTestId(String id) {
        return browser.findElement(testId(id));
    }

    /** Clicks the element once it is visible, finding it again when a live update replaced it meanwhile. */
    static void click(Wait<WebDriver> wait, String id) {
        wait.until(d -> {
            WebElement e = visible(d, id);
            if (e == null) {
                return false;
            }
            e.click();
            return true;
        });
    }

    static WebElement visible(WebDriver d, String id) {
        List<WebElement> l = d.findElements(testId(id));
        return !l.isEmpty() && l.get(0).isDisplayed() ? l.get(0) : null;
    }

    static String text(WebDriver d, String id) {
        List<WebElement> l = d.findElements(testId(id));
        return l.isEmpty() ? "" : l.get(0).getText().trim();
    }

    static List<WebElement> podRows() {
        return browser.findElements(By.cssSelector("[data-testid^='pod-row-']"));
    }

    static long readyPods(WebDriver d) {
        List<WebElement> rows = d.findElements(By.cssSelector("[data-testid^='pod-row-']"));
        if (rows.stream().anyMatch(r -> !"Running".equals(r.getAttribute("data-phase"))
                || !"true".equals(r.getAttribute("data-ready")))) {
            return -1;
        }
        return rows.size();
    }

    /** The number of the last complete {@code line-N} in the log text, or -1. */
    static int lastLine(String log) {
        Matcher m = Pattern.compile("line-(\\d+)").matcher(log);
        int last = -1;
        while (m.find()) {
            last = Integer.parseInt(m.group(1));
        }
        return last;
    }

    /** Puts YAML into the create form as a paste would (setting the value, then an input event). */
    static void paste(String yaml) {
        WebElement area = new WebDriverWait(browser, WAIT).until(d -> visible(d, "create-yaml"));
        ((JavascriptExecutor) browser).executeScript(
                "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'));", area, yaml);
    }

    static Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    static boolean noReload() {
        return "still-here".equals(js("return window.__kube4jNoReload || null;"));
    }

    static void screenshot(String step) {
        try {
            Path f = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
            Files.copy(f, SCREENSHOTS.resolve(String.format("dashboard-%02d-%s.png", ++shot, step)),
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
