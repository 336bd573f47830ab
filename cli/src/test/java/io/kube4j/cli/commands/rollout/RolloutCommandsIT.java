package io.kube4j.cli.commands.rollout;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.ControllerRevisionBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.cli.testsupport.CliHarness;
import io.kube4j.cli.testsupport.Golden;
import io.kube4j.cli.testsupport.HollowWorkloads;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ResourceClient;
import io.kube4j.controller.statefulset.StatefulSetControllerFactory;
import io.kube4j.controller.statefulset.StatefulSetControllerProperties;
import io.kube4j.controller.testsupport.ControllerTestEnv;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code rollout status|history|undo|pause|resume|restart} and {@code scale} on a real cluster: the secure apiserver
 * on etcd, the real Deployment and ReplicaSet controllers, and hollow nodes that run the pods.
 */
class RolloutCommandsIT {

    private static final Duration WAIT = HollowWorkloads.WAIT;
    private static Path kubeconfig;
    private static HollowWorkloads cluster;
    private static ResourceClient<Deployment> deployments;

    @org.junit.jupiter.api.AfterAll
    static void stop() {
        HollowWorkloads.release();
    }

    @BeforeAll
    static void start() {
        ApiServerInstance apiserver = ApiServerInstance.secureShared();
        kubeconfig = apiserver.kubeconfig(apiserver.pki().admin());
        cluster = HollowWorkloads.acquire();
        KubeClient client = ControllerTestEnv.client();
        deployments = client.resources(Deployment.class);
    }

    private static CliHarness.Result k4j(String ns, String... args) {
        String[] all = Arrays.copyOf(args, args.length + 2);
        all[args.length] = "-n";
        all[args.length + 1] = ns;
        return CliHarness.shared().run(kubeconfig, all);
    }

    private static Deployment create(String ns, String name, int replicas, String node, Integer deadline) {
        return deployments.create(new DeploymentBuilder().withNewMetadata().withName(name).withNamespace(ns)
                .addToAnnotations("kubernetes.io/change-cause", "first")
                .endMetadata().withNewSpec().withReplicas(replicas).withProgressDeadlineSeconds(deadline)
                .withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata().withNewSpec()
                .withNodeName(node).withTerminationGracePeriodSeconds(0L)
                .addNewContainer().withName("c").withImage("img:1").endContainer().endSpec().endTemplate()
                .endSpec().build()).block(WAIT);
    }

    private static void setImage(String ns, String name, String image, String cause) {
        deployments.updateWithRetry(ns, name, d -> {
            d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image);
            d.getMetadata().getAnnotations().put("kubernetes.io/change-cause", cause);
            return d;
        }, false).block(WAIT);
    }

    private static String image(String ns, String name) {
        return deployments.get(ns, name).block(WAIT).getSpec().getTemplate().getSpec().getContainers().get(0)
                .getImage();
    }

    /** Every line rollout status printed is one of kubectl's, and the last one says the rollout is done. */
    private static void assertRolledOut(CliHarness.Result r, String name) {
        r.ok();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).isNotEmpty().last().isEqualTo("deployment \"" + name + "\" successfully rolled out");
        assertThat(lines.subList(0, lines.size() - 1)).allSatisfy(l -> assertThat(l).matches(
                "Waiting for deployment spec update to be observed\\.\\.\\.|Waiting for deployment \"" + name
                        + "\" rollout to finish: (\\d+ out of \\d+ new replicas have been updated|\\d+ old replicas "
                        + "are pending termination|\\d+ of \\d+ updated replicas are available)\\.\\.\\."));
        assertThat(lines).doesNotHaveDuplicates();
        assertThat(r.out()).doesNotContain("\r");
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void statusEndsWhenTheRolloutCompletesAndHistoryUndoPauseResumeRestartWork() {
        String ns = ControllerTestEnv.namespace("k4j-rollout");
        create(ns, "web", 3, cluster.node(0), null);

        // a fresh Deployment: status follows the watch until every replica is available
        CliHarness.Result first = k4j(ns, "rollout", "status", "deployment/web", "--timeout=40s");
        assertRolledOut(first, "web");
        assertThat(first.out()).contains("updated replicas are available...");
        Golden.check("rollout/status-done.txt", k4j(ns, "rollout", "status", "deploy", "web").ok().out());

        setImage(ns, "web", "img:2", "second");
        assertRolledOut(k4j(ns, "rollout", "status", "deployments.apps/web", "--timeout=40s"), "web");
        CliHarness.Result history = k4j(ns, "rollout", "history", "deployment/web").ok();
        // kubectl's tabwriter (padding 2), a trailing space after the name and a blank line at the end
        assertThat(history.out()).isEqualTo("deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         first\n"
                + "2         second\n\n");
        Golden.check("rollout/history-revision-1.txt",
                k4j(ns, "rollout", "history", "deployment/web", "--revision=1").ok().out(),
                s -> s.replaceAll("pod-template-hash=\\w+", "pod-template-hash=<hash>"));
        CliHarness.Result missing = k4j(ns, "rollout", "history", "deployment/web", "--revision=7");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("error: unable to find the specified revision\n");

        // undo: back to revision 1's template, as revision 3
        assertThat(k4j(ns, "rollout", "undo", "deployment/web").ok().out()).isEqualTo("deployment.apps/web rolled back\n");
        assertThat(image(ns, "web")).isEqualTo("img:1");
        assertRolledOut(k4j(ns, "rollout", "status", "deployment/web", "--timeout=40s"), "web");
        assertThat(k4j(ns, "rollout", "history", "deploy/web").ok().out()).isEqualTo(
                "deployment.apps/web \nREVISION  CHANGE-CAUSE\n2         second\n3         first\n\n");
        assertThat(k4j(ns, "rollout", "status", "deployment/web", "--revision=3").ok().out())
                .isEqualTo("deployment \"web\" successfully rolled out\n");
        CliHarness.Result wrongRevision = k4j(ns, "rollout", "status", "deployment/web", "--revision=2");
        assertThat(wrongRevision.code()).isEqualTo(1);
        assertThat(wrongRevision.err())
                .isEqualTo("error: desired revision (2) is different from the running revision (3)\n");
        CliHarness.Result noSuchRevision = k4j(ns, "rollout", "undo", "deployment/web", "--to-revision=9");
        assertThat(noSuchRevision.code()).isEqualTo(1);
        assertThat(noSuchRevision.err()).isEqualTo("error: unable to find specified revision 9 in history\n");
        assertThat(k4j(ns, "rollout", "undo", "deployment/web", "--to-revision=3").ok().out())
                .isEqualTo("deployment.apps/web skipped rollback (current template already matches revision 3)\n");

        // pause and resume, with kubectl's refusals
        assertThat(k4j(ns, "rollout", "pause", "deployment/web").ok().out()).isEqualTo("deployment.apps/web paused\n");
        assertThat(deployments.get(ns, "web").block(WAIT).getSpec().getPaused()).isTrue();
        CliHarness.Result again = k4j(ns, "rollout", "pause", "deployment/web");
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).isEqualTo("error: deployments.apps \"web\" is already paused\n");
        CliHarness.Result restartPaused = k4j(ns, "rollout", "restart", "deployment/web");
        assertThat(restartPaused.code()).isEqualTo(1);
        assertThat(restartPaused.err()).isEqualTo(
                "error: deployments.apps \"web\" can't restart paused deployment (run rollout resume first)\n");
        CliHarness.Result undoPaused = k4j(ns, "rollout", "undo", "deployment/web");
        assertThat(undoPaused.code()).isEqualTo(1);
        assertThat(undoPaused.err()).startsWith("error: you cannot rollback a paused deployment");
        assertThat(k4j(ns, "rollout", "resume", "deployment/web").ok().out()).isEqualTo("deployment.apps/web resumed\n");
        assertThat(deployments.get(ns, "web").block(WAIT).getSpec().getPaused()).isNotEqualTo(Boolean.TRUE);
        CliHarness.Result notPaused = k4j(ns, "rollout", "resume", "deployment/web");
        assertThat(notPaused.code()).isEqualTo(1);
        assertThat(notPaused.err()).isEqualTo("error: deployments.apps \"web\" is not paused\n");

        // restart: a new template annotation, so a new revision rolls out
        assertThat(k4j(ns, "rollout", "restart", "deployment/web").ok().out())
                .isEqualTo("deployment.apps/web restarted\n");
        assertThat(deployments.get(ns, "web").block(WAIT).getSpec().getTemplate().getMetadata().getAnnotations())
                .containsKey("kubectl.kubernetes.io/restartedAt");
        assertRolledOut(k4j(ns, "rollout", "status", "deployment/web", "--timeout=40s"), "web");
        assertThat(k4j(ns, "rollout", "history", "deployment/web").ok().out()).contains("\n4         first\n");
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void statusFailsWithKubectlsMessageWhenTheProgressDeadlineIsExceeded() {
        String ns = ControllerTestEnv.namespace("k4j-deadline");
        // its pods are bound to a node that does not exist: they never become available
        create(ns, "stuck", 1, "no-such-node", 2);
        CliHarness.Result r = k4j(ns, "rollout", "status", "deployment/stuck", "--timeout=40s");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: deployment \"stuck\" exceeded its progress deadline\n");
        assertThat(r.out().lines().toList()).allSatisfy(l -> assertThat(l).matches("Waiting for deployment spec "
                + "update to be observed\\.\\.\\.|Waiting for deployment \"stuck\" rollout to finish: (0 out of 1 new "
                + "replicas have been updated|0 of 1 updated replicas are available)\\.\\.\\."));
        // without --watch the current state is printed once. The deadline (2 s) can pass before the ReplicaSet reports
        // its replica when the controllers are busy; that report is progress and (as in Kubernetes) resets the
        // condition, so the final state is awaited first: the pod counted, and the deadline exceeded after it.
        await().atMost(WAIT).until(() -> {
            var status = deployments.get(ns, "stuck").block(WAIT).getStatus();
            return status != null && Integer.valueOf(1).equals(status.getUpdatedReplicas())
                    && status.getConditions() != null && status.getConditions().stream().anyMatch(c ->
                            "Progressing".equals(c.getType()) && "ProgressDeadlineExceeded".equals(c.getReason()));
        });
        CliHarness.Result once = k4j(ns, "rollout", "status", "deployment/stuck", "--watch=false");
        assertThat(once.code()).isEqualTo(1);
        assertThat(once.err()).isEqualTo("error: deployment \"stuck\" exceeded its progress deadline\n");
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void statusTimesOutAndRejectsWhatItCannotWatch() {
        String ns = ControllerTestEnv.namespace("k4j-timeout");
        create(ns, "slow", 1, "no-such-node", 600);
        // the controller has observed it and made its (never available) pod: the state the 2 s timeout must end in,
        // even when other tests keep the controllers busy
        await().atMost(WAIT).until(() -> {
            var status = deployments.get(ns, "slow").block(WAIT).getStatus();
            return status != null && status.getObservedGeneration() != null && status.getObservedGeneration() >= 1
                    && Integer.valueOf(1).equals(status.getUpdatedReplicas());
        });
        CliHarness.Result r = k4j(ns, "rollout", "status", "deployment/slow", "--timeout=2s");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: timed out waiting for the condition\n");
        assertThat(r.out()).endsWith("Waiting for deployment \"slow\" rollout to finish: 0 of 1 updated replicas are "
                + "available...\n");
        CliHarness.Result notFound = k4j(ns, "rollout", "status", "deployment/nope");
        assertThat(notFound.code()).isEqualTo(1);
        assertThat(notFound.err()).isEqualTo("Error from server (NotFound): deployments.apps \"nope\" not found\n");
        CliHarness.Result pod = k4j(ns, "rollout", "status", "pods/x");
        assertThat(pod.code()).isEqualTo(1);
        assertThat(pod.err()).isEqualTo("Error from server (NotFound): pods \"x\" not found\n");
        ControllerTestEnv.client().resources(io.fabric8.kubernetes.api.model.ConfigMap.class).create(
                new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata().withName("cm").withNamespace(ns)
                        .endMetadata().build()).block(WAIT);
        CliHarness.Result cm = k4j(ns, "rollout", "status", "configmap/cm");
        assertThat(cm.code()).isEqualTo(1);
        assertThat(cm.err()).isEqualTo("error: no status viewer has been implemented for ConfigMap\n");
        CliHarness.Result none = k4j(ns, "rollout", "status");
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err()).startsWith("error: required resource not specified");
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void scaleGoesThroughTheScaleSubresource() {
        String ns = ControllerTestEnv.namespace("k4j-scale");
        create(ns, "api", 1, "no-such-node", 600);
        assertThat(k4j(ns, "scale", "deployment/api", "--replicas=3").ok().out())
                .isEqualTo("deployment.apps/api scaled\n");
        assertThat(deployments.get(ns, "api").block(WAIT).getSpec().getReplicas()).isEqualTo(3);
        assertThat(k4j(ns, "scale", "--replicas=2", "--current-replicas=3", "deploy", "api").ok().out())
                .isEqualTo("deployment.apps/api scaled\n");
        CliHarness.Result precondition = k4j(ns, "scale", "deployment/api", "--current-replicas=5", "--replicas=1");
        assertThat(precondition.code()).isEqualTo(1);
        assertThat(precondition.err()).isEqualTo("error: Expected replicas to be 5, was 2\n");
        assertThat(deployments.get(ns, "api").block(WAIT).getSpec().getReplicas()).isEqualTo(2);
        CliHarness.Result noReplicas = k4j(ns, "scale", "deployment/api");
        assertThat(noReplicas.code()).isEqualTo(1);
        assertThat(noReplicas.err()).startsWith("error: required flag(s) \"replicas\" not set");
        CliHarness.Result missing = k4j(ns, "scale", "deployment/nope", "--replicas=1");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("Error from server (NotFound): deployments.apps \"nope\" not found\n");
    }

    /**
     * A StatefulSet (the real StatefulSet controller, pods on a hollow node) and a DaemonSet (its ControllerRevisions
     * written here as its controller writes them): status, history (compared with the real kubectl) and undo through
     * their ControllerRevisions.
     */
    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void statefulSetsAndDaemonSetsRollBackThroughTheirControllerRevisions(@TempDir Path dir) throws Exception {
        Path binary = Requirements.requireBinary("kubectl");
        String ns = ControllerTestEnv.namespace("k4j-sts");
        KubeClient client = ControllerTestEnv.client();
        ResourceClient<StatefulSet> sets = client.resources(StatefulSet.class);
        var manager = ControllerTestEnv.start(new StatefulSetControllerFactory(
                StatefulSetControllerProperties.defaults()));
        try {
            sets.create(new StatefulSetBuilder().withNewMetadata().withName("db").withNamespace(ns)
                    .addToAnnotations("kubernetes.io/change-cause", "first").endMetadata()
                    .withNewSpec().withReplicas(2).withServiceName("db")
                    .withNewSelector().addToMatchLabels("app", "db").endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("app", "db").endMetadata().withNewSpec()
                    .withNodeName(cluster.node(0)).withTerminationGracePeriodSeconds(0L)
                    .addNewContainer().withName("c").withImage("img:1").endContainer().endSpec().endTemplate()
                    .endSpec().build()).block(WAIT);
            assertThat(k4j(ns, "rollout", "status", "statefulset/db", "--timeout=40s").ok().out())
                    .endsWith("partitioned roll out complete: 2 new pods have been updated...\n");
            sets.updateWithRetry(ns, "db", s -> {
                s.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("img:2");
                s.getMetadata().getAnnotations().put("kubernetes.io/change-cause", "second");
                return s;
            }, false).block(WAIT);
            k4j(ns, "rollout", "status", "sts/db", "--timeout=40s").ok();
            assertThat(k4j(ns, "rollout", "history", "statefulset/db").ok().out()).isEqualTo(
                    "statefulset.apps/db \nREVISION  CHANGE-CAUSE\n1         first\n2         second\n\n");
            KubectlRunner kubectl = KubectlRunner.withKubeconfig(binary, kubeconfig, dir, Duration.ofSeconds(60));
            for (List<String> args : List.of(List.of("rollout", "history", "statefulset/db"),
                    List.of("rollout", "history", "statefulset/db", "--revision=1"))) {
                List<String> withNs = new java.util.ArrayList<>(args);
                withNs.addAll(List.of("-n", ns));
                String expected = kubectl.kubectl(withNs.toArray(String[]::new)).ok().out();
                assertThat(k4j(ns, args.toArray(String[]::new)).ok().out()).as("k4j %s", args).isEqualTo(expected);
            }
            assertThat(k4j(ns, "rollout", "undo", "statefulset/db").ok().out())
                    .isEqualTo("statefulset.apps/db rolled back\n");
            assertThat(sets.get(ns, "db").block(WAIT).getSpec().getTemplate().getSpec().getContainers().get(0)
                    .getImage()).isEqualTo("img:1");
            k4j(ns, "rollout", "status", "sts/db", "--timeout=40s").ok();
            await().atMost(WAIT).untilAsserted(() -> assertThat(k4j(ns, "rollout", "history", "sts/db").ok().out())
                    .isEqualTo("statefulset.apps/db \nREVISION  CHANGE-CAUSE\n2         second\n3         first\n\n"));
            assertThat(k4j(ns, "rollout", "undo", "statefulset/db", "--to-revision=3").ok().out()).isEqualTo(
                    "statefulset.apps/db skipped rollback (current template already matches revision 3)\n");
            CliHarness.Result missing = k4j(ns, "rollout", "undo", "statefulset/db", "--to-revision=9");
            assertThat(missing.code()).isEqualTo(1);
            assertThat(missing.err()).isEqualTo("error: unable to find specified revision 9 in history\n");
        } finally {
            manager.stop();
        }

        // a DaemonSet's revisions have the same shape; no controller runs for it here
        DaemonSet ds = client.resources(DaemonSet.class).create(new DaemonSetBuilder().withNewMetadata()
                .withName("agent").withNamespace(ns).endMetadata().withNewSpec()
                .withNewSelector().addToMatchLabels("app", "agent").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "agent").endMetadata().withNewSpec()
                .withNodeName("no-such-node")
                .addNewContainer().withName("c").withImage("agent:2").endContainer().endSpec().endTemplate()
                .endSpec().build()).block(WAIT);
        for (int rev = 1; rev <= 2; rev++) {
            client.resources(ControllerRevision.class).create(new ControllerRevisionBuilder().withNewMetadata()
                    .withName("agent-rev" + rev).withNamespace(ns).addToLabels("app", "agent")
                    .addToAnnotations("kubernetes.io/change-cause", "agent " + rev)
                    .addNewOwnerReference().withApiVersion("apps/v1").withKind("DaemonSet").withName("agent")
                    .withUid(ds.getMetadata().getUid()).withController(true).endOwnerReference().endMetadata()
                    .withRevision((long) rev)
                    .withData(io.kube4j.api.codec.Codecs.json().readTree("""
                            {"spec":{"template":{"metadata":{"labels":{"app":"agent"}},"spec":{"nodeName":"no-such-node",
                            "containers":[{"name":"c","image":"agent:REV"}]},"$patch":"replace"}}}""".replace("REV",
                            Integer.toString(rev)))).build()).block(WAIT);
        }
        assertThat(k4j(ns, "rollout", "history", "daemonset/agent").ok().out()).isEqualTo(
                "daemonset.apps/agent \nREVISION  CHANGE-CAUSE\n1         agent 1\n2         agent 2\n\n");
        assertThat(k4j(ns, "rollout", "history", "ds/agent", "--revision=1").ok().out()).contains("agent:1");
        assertThat(k4j(ns, "rollout", "undo", "daemonset/agent").ok().out())
                .isEqualTo("daemonset.apps/agent rolled back\n");
        assertThat(client.resources(DaemonSet.class).get(ns, "agent").block(WAIT).getSpec().getTemplate().getSpec()
                .getContainers().get(0).getImage()).isEqualTo("agent:1");
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void historyMatchesTheRealKubectl(@TempDir Path dir) {
        Path binary = Requirements.requireBinary("kubectl");
        String ns = ControllerTestEnv.namespace("k4j-vs-kubectl");
        create(ns, "cmp", 1, cluster.node(1), null);
        await().atMost(WAIT).until(() -> k4j(ns, "rollout", "status", "deployment/cmp", "--watch=false").out()
                .contains("successfully"));
        setImage(ns, "cmp", "img:2", "upgrade to 2");
        assertRolledOut(k4j(ns, "rollout", "status", "deployment/cmp", "--timeout=40s"), "cmp");
        KubectlRunner kubectl = KubectlRunner.withKubeconfig(binary, kubeconfig, dir, Duration.ofSeconds(60));
        for (List<String> args : List.of(List.of("rollout", "history", "deployment/cmp"),
                List.of("rollout", "history", "deployment/cmp", "--revision=2"),
                List.of("rollout", "status", "deployment/cmp"))) {
            List<String> withNs = new java.util.ArrayList<>(args);
            withNs.addAll(List.of("-n", ns));
            String expected = kubectl.kubectl(withNs.toArray(String[]::new)).ok().out();
            assertThat(k4j(ns, args.toArray(String[]::new)).ok().out()).as("k4j %s", args).isEqualTo(expected);
        }
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void onATerminalALiveProgressBarIsDrawnBelowKubectlsLines(@TempDir Path dir) throws Exception {
        Path script = Path.of("/usr/bin/script");
        Requirements.require(java.nio.file.Files.isExecutable(script), "script(1) is needed to give k4j a pty");
        String ns = ControllerTestEnv.namespace("k4j-bar");
        create(ns, "bar", 2, cluster.node(0), null);
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cmd = javaBin + " -jar " + CliHarness.execJar().toAbsolutePath() + " rollout status deployment/bar -n " + ns
                + " --timeout=90s";
        Path out = dir.resolve("out");
        ProcessBuilder pb = new ProcessBuilder(script.toString(), "-qec", cmd, "/dev/null")
                .redirectOutput(out.toFile()).redirectErrorStream(true);
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
        pb.environment().put("HOME", dir.toString());
        Process p = pb.start();
        assertThat(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).as("k4j exits").isTrue();
        String text = java.nio.file.Files.readString(out);
        assertThat(p.exitValue()).as(text).isEqualTo(0);
        // the bar is redrawn in place (carriage return, erase line), coloured, and erased before the last line
        String plain = io.kube4j.cli.output.Colors.strip(text);
        assertThat(text).contains("\r\u001b[K[").contains("\u001b[");
        assertThat(plain).containsPattern("\\[[#=.]{20}\\] \\d/2 updated  \\d/2 ready  \\d/2 available")
                .contains("deployment \"bar\" successfully rolled out");
        assertThat(plain.stripTrailing()).endsWith("\r\u001b[K");
        assertThat(plain.lastIndexOf("successfully rolled out")).isLessThan(plain.lastIndexOf("\r\u001b[K["));
    }
}
