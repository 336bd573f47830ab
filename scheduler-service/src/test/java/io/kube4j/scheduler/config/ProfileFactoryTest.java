package io.kube4j.scheduler.config;

import static io.kube4j.scheduler.testsupport.TestObjects.node;
import static io.kube4j.scheduler.testsupport.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.FilterPlugin;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.FrameworkHandle;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.Parallelizer;
import io.kube4j.scheduler.framework.Plugin;
import io.kube4j.scheduler.framework.PluginRegistry;
import io.kube4j.scheduler.framework.PreScorePlugin;
import io.kube4j.scheduler.framework.Profile;
import io.kube4j.scheduler.framework.QueueSortPlugin;
import io.kube4j.scheduler.framework.QueuedPodInfo;
import io.kube4j.scheduler.framework.ScorePlugin;
import io.kube4j.scheduler.framework.Snapshot;
import io.kube4j.scheduler.plugins.DefaultPlugins;
import io.kube4j.scheduler.plugins.noderesources.NodeResourcesFit;
import io.kube4j.scheduler.testplugins.NodeLabelPreference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.mock.env.MockEnvironment;

/** Profiles from KubeSchedulerConfiguration YAML: Kubernetes' merge with the defaults, validation, ServiceLoader. */
class ProfileFactoryTest {

    private static final Parallelizer PARALLELIZER = new Parallelizer(1);
    private static final FrameworkHandle HANDLE = FrameworkHandle.offline(PARALLELIZER);

    @TempDir
    Path dir;

    @AfterAll
    static void close() {
        PARALLELIZER.close();
    }

    /** The built-ins, a second queue sort for the "same queue sort" rule, and what ServiceLoader finds. */
    private static PluginRegistry registry() {
        return DefaultPlugins.registry(Duration.ofSeconds(1))
                .register("FifoSort", (a, h) -> new QueueSortPlugin() {
                    @Override
                    public String name() {
                        return "FifoSort";
                    }

                    @Override
                    public int compare(QueuedPodInfo x, QueuedPodInfo y) {
                        return 0;
                    }
                })
                .loadServices(ProfileFactoryTest.class.getClassLoader());
    }

    private static List<Profile> build(String yaml) {
        Map<?, ?> tree = new org.yaml.snakeyaml.Yaml().load(yaml);
        return new ProfileFactory(registry(), DefaultPlugins.MULTI_POINT, HANDLE)
                .build(ProfileConfig.fromTree(tree), "default-scheduler", 0);
    }

    private static List<String> names(Profile p) {
        return p.plugins().stream().map(Plugin::name).toList();
    }

    @Test
    void noConfigurationIsTheDefaultProfileInKubernetesOrder() {
        List<Profile> ps = new ProfileFactory(registry(), DefaultPlugins.MULTI_POINT, HANDLE)
                .build(new ProfileConfig(null, List.of()), "my-scheduler", 0);
        assertThat(ps).hasSize(1);
        Profile p = ps.get(0);
        assertThat(p.schedulerName()).isEqualTo("my-scheduler");
        assertThat(p.queueSort().name()).isEqualTo("PrioritySort");
        // Every default but the queue sort, in DefaultPlugins.MULTI_POINT's order, which is Kubernetes' order.
        assertThat(names(p)).containsExactlyElementsOf(DefaultPlugins.MULTI_POINT.stream()
                .map(ProfileConfig.PluginRef::name).filter(n -> !n.equals("PrioritySort")).toList());
        assertThat(names(p)).containsSubsequence("NodeUnschedulable", "NodeName", "TaintToleration", "NodeAffinity",
                "NodePorts", "NodeResourcesFit", "VolumeRestrictions", "NodeResourcesBalancedAllocation",
                "ImageLocality", "DefaultBinder");
        assertThat(p.scoreWeights()).containsAllEntriesOf(Map.of("TaintToleration", 3, "NodeAffinity", 2,
                "NodeResourcesFit", 1, "NodeResourcesBalancedAllocation", 1, "ImageLocality", 1));
        assertThat(p.plugins()).noneMatch(x -> java.lang.reflect.Proxy.isProxyClass(x.getClass()));
        // DefaultPlugins.profile is the same profile with another binder (and no preemption, which needs an
        // apiserver, where there is one).
        Profile legacy = DefaultPlugins.profile("s", ProfileFactoryTest.noopBinder(), 10);
        assertThat(names(legacy)).containsExactlyElementsOf(names(p).stream()
                .filter(n -> !n.equals("DefaultPreemption"))
                .map(n -> n.equals("DefaultBinder") ? "NoopBinder" : n).toList());
        assertThat(legacy.scoreWeights()).isEqualTo(p.scoreWeights());
        assertThat(legacy.percentageOfNodesToScore()).isEqualTo(10);
    }

    static io.kube4j.scheduler.framework.BindPlugin noopBinder() {
        return new io.kube4j.scheduler.framework.BindPlugin() {
            @Override
            public String name() {
                return "NoopBinder";
            }

            @Override
            public io.kube4j.scheduler.framework.Status bind(CycleState s, Pod pod, String nodeName) {
                return io.kube4j.scheduler.framework.Status.success();
            }
        };
    }

    @Test
    void kubeSchedulerConfigurationFileWithTwoProfiles() throws IOException {
        Path file = dir.resolve("scheduler.yaml");
        Files.writeString(file, """
                apiVersion: kubescheduler.config.k8s.io/v1
                kind: KubeSchedulerConfiguration
                percentageOfNodesToScore: 30
                leaderElection:
                  leaderElect: false
                profiles:
                - schedulerName: default-scheduler
                - schedulerName: bin-packing
                  percentageOfNodesToScore: 100
                  plugins:
                    score:
                      disabled:
                      - name: NodeResourcesBalancedAllocation
                      enabled:
                      - name: NodeResourcesFit
                        weight: 5
                  pluginConfig:
                  - name: NodeResourcesFit
                    args:
                      apiVersion: kubescheduler.config.k8s.io/v1
                      kind: NodeResourcesFitArgs
                      scoringStrategy:
                        type: MostAllocated
                        resources:
                        - name: cpu
                          weight: 1
                """);
        List<Profile> ps = new ProfileFactory(registry(), DefaultPlugins.MULTI_POINT, HANDLE)
                .build(ProfileConfig.readFile(file), "ignored", 0);
        assertThat(ps).extracting(Profile::schedulerName).containsExactly("default-scheduler", "bin-packing");
        assertThat(ps).extracting(Profile::percentageOfNodesToScore).containsExactly(30, 100);
        Profile bp = ps.get(1);
        assertThat(bp.weight("NodeResourcesFit")).isEqualTo(5);
        assertThat(bp.scoreWeights()).doesNotContainKey("NodeResourcesBalancedAllocation");
        Plugin balanced = bp.plugins().stream().filter(p -> p.name().equals("NodeResourcesBalancedAllocation"))
                .findFirst().orElseThrow();
        // Disabled at score only: still a PreScore plugin, as Kubernetes keeps it there.
        assertThat(balanced).isInstanceOf(PreScorePlugin.class).isNotInstanceOf(ScorePlugin.class);
        NodeResourcesFit fit = (NodeResourcesFit) bp.plugins().stream()
                .filter(p -> p.name().equals("NodeResourcesFit")).findFirst().orElseThrow();
        assertThat(fit.strategy()).isEqualTo(NodeResourcesFit.Strategy.MOST_ALLOCATED);
        assertThat(((NodeResourcesFit) ps.get(0).plugins().stream().filter(p -> p.name().equals("NodeResourcesFit"))
                .findFirst().orElseThrow()).strategy()).isEqualTo(NodeResourcesFit.Strategy.LEAST_ALLOCATED);
    }

    @Test
    void disablingAllDefaultsAndEnablingAnOwnSet() {
        Profile p = build("""
                profiles:
                - schedulerName: minimal
                  plugins:
                    multiPoint:
                      disabled: [{name: "*"}]
                      enabled:
                      - name: PrioritySort
                      - name: NodeResourcesFit
                        weight: 4
                      - name: DefaultBinder
                """).get(0);
        assertThat(names(p)).containsExactly("NodeResourcesFit", "DefaultBinder");
        assertThat(p.scoreWeights()).isEqualTo(Map.of("NodeResourcesFit", 4));
    }

    @Test
    void disablingAtOnePointKeepsTheOthers() {
        Profile p = build("""
                profiles:
                - plugins:
                    score:
                      disabled: [{name: NodeResourcesFit}, {name: ImageLocality}]
                    filter:
                      disabled: [{name: NodePorts}]
                """).get(0);
        Plugin fit = p.plugins().stream().filter(x -> x.name().equals("NodeResourcesFit")).findFirst().orElseThrow();
        assertThat(fit).isInstanceOf(FilterPlugin.class).isNotInstanceOf(ScorePlugin.class);
        Plugin ports = p.plugins().stream().filter(x -> x.name().equals("NodePorts")).findFirst().orElseThrow();
        assertThat(ports).isNotInstanceOf(FilterPlugin.class);
        // ImageLocality is disabled at score but still runs its PreScore, as Kubernetes' multiPoint expansion does.
        assertThat(p.plugins()).filteredOn(x -> x.name().equals("ImageLocality")).singleElement()
                .isNotInstanceOf(ScorePlugin.class);
        assertThat(p.scoreWeights()).containsOnlyKeys("TaintToleration", "NodeAffinity", "PodTopologySpread",
                "InterPodAffinity", "NodeResourcesBalancedAllocation");
        // The proxied filter still filters: a pod too big for the node is rejected by NodeResourcesFit.
        Framework fw = new Framework(p, PARALLELIZER, new Random(1));
        Snapshot snap = Snapshot.of(List.of(NodeInfo.of(node("n1", "1", "1Gi").build())));
        assertThatThrownBy(() -> fw.schedule(new CycleState(), pod("big", "cpu", "2").build(), snap))
                .isInstanceOf(io.kube4j.scheduler.framework.FitError.class);
    }

    /** A plugin with pre-filter state that preemption would update. */
    static final class Stateful implements io.kube4j.scheduler.framework.PreFilterPlugin, FilterPlugin,
            io.kube4j.scheduler.framework.PreFilterExtensions {
        @Override
        public String name() {
            return "Stateful";
        }

        @Override
        public io.kube4j.scheduler.framework.Status preFilter(CycleState state, Pod pod) {
            return io.kube4j.scheduler.framework.Status.success();
        }

        @Override
        public io.kube4j.scheduler.framework.Status filter(CycleState state, Pod pod, NodeInfo node) {
            return io.kube4j.scheduler.framework.Status.success();
        }

        @Override
        public io.kube4j.scheduler.framework.Status addPod(CycleState s, Pod p, Pod add, NodeInfo n) {
            return io.kube4j.scheduler.framework.Status.success();
        }

        @Override
        public io.kube4j.scheduler.framework.Status removePod(CycleState s, Pod p, Pod remove, NodeInfo n) {
            return io.kube4j.scheduler.framework.Status.success();
        }
    }

    @Test
    void preFilterExtensionsGoWithPreFilter() {
        PluginRegistry reg = registry().register("Stateful", (a, h) -> new Stateful());
        ProfileFactory f = new ProfileFactory(reg, DefaultPlugins.MULTI_POINT, HANDLE);
        Map<?, ?> filterOnly = new org.yaml.snakeyaml.Yaml().load("""
                profiles:
                - plugins: {multiPoint: {enabled: [{name: Stateful}]}, preFilter: {disabled: [{name: Stateful}]}}
                """);
        Plugin restricted = f.build(ProfileConfig.fromTree(filterOnly), "s", 0).get(0).plugins().stream()
                .filter(x -> x.name().equals("Stateful")).findFirst().orElseThrow();
        assertThat(restricted).isInstanceOf(FilterPlugin.class)
                .isNotInstanceOf(io.kube4j.scheduler.framework.PreFilterPlugin.class)
                .isNotInstanceOf(io.kube4j.scheduler.framework.PreFilterExtensions.class);
        Map<?, ?> all = new org.yaml.snakeyaml.Yaml().load("""
                profiles:
                - plugins: {multiPoint: {enabled: [{name: Stateful}]}}
                """);
        Plugin whole = f.build(ProfileConfig.fromTree(all), "s", 0).get(0).plugins().stream()
                .filter(x -> x.name().equals("Stateful")).findFirst().orElseThrow();
        assertThat(whole).isInstanceOf(Stateful.class);
    }

    @Test
    void reconfiguredDefaultKeepsItsPlaceAndTakesTheWeight() {
        Profile p = build("""
                profiles:
                - plugins:
                    multiPoint:
                      enabled: [{name: TaintToleration, weight: 7}, {name: NodeLabelPreference, weight: 2}]
                  pluginConfig:
                  - name: NodeLabelPreference
                    args: {label: tier}
                """).get(0);
        assertThat(names(p)).containsSubsequence("NodeUnschedulable", "NodeName", "TaintToleration", "NodeAffinity",
                "NodePorts", "NodeResourcesFit", "VolumeRestrictions", "NodeResourcesBalancedAllocation",
                "ImageLocality", "DefaultBinder", "NodeLabelPreference").endsWith("NodeLabelPreference");
        assertThat(p.weight("TaintToleration")).isEqualTo(7);
        assertThat(p.weight("NodeLabelPreference")).isEqualTo(2);
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("unknown plugin", """
                        profiles:
                        - plugins: {score: {enabled: [{name: NoSuchPlugin}]}}
                        """, "profile default-scheduler: unknown scheduler plugin NoSuchPlugin"),
                Arguments.of("pluginConfig for an unknown plugin", """
                        profiles:
                        - pluginConfig: [{name: NoSuchPlugin, args: {}}]
                        """, "pluginConfig names unknown plugin NoSuchPlugin"),
                Arguments.of("negative weight", """
                        profiles:
                        - plugins: {score: {enabled: [{name: ImageLocality, weight: -1}]}}
                        """, "profiles[0].plugins.score.enabled[0].weight must not be negative, got -1"),
                Arguments.of("weight not a number", """
                        profiles:
                        - plugins: {score: {enabled: [{name: ImageLocality, weight: heavy}]}}
                        """, "profiles[0].plugins.score.enabled[0].weight must be an integer, got heavy"),
                Arguments.of("bad args", """
                        profiles:
                        - pluginConfig: [{name: NodeResourcesFit, args: {scoringStrategy: {type: Cheapest}}}]
                        """, "args.scoringStrategy.type must be LeastAllocated, MostAllocated or"),
                Arguments.of("bad args of an out-of-tree plugin", """
                        profiles:
                        - plugins: {multiPoint: {enabled: [{name: NodeLabelPreference}]}}
                        """, "plugin NodeLabelPreference: args.label is required"),
                Arguments.of("duplicate schedulerName", """
                        profiles:
                        - schedulerName: a
                        - schedulerName: a
                        """, "profiles[1]: duplicate schedulerName a"),
                Arguments.of("profiles with different queue sorts", """
                        profiles:
                        - schedulerName: a
                        - schedulerName: b
                          plugins: {queueSort: {disabled: [{name: "*"}], enabled: [{name: FifoSort}]},
                                    multiPoint: {disabled: [{name: PrioritySort}]}}
                        """, "all profiles must use the same queueSort plugin"),
                Arguments.of("plugin at a point it does not implement", """
                        profiles:
                        - plugins: {score: {enabled: [{name: NodePorts}]}}
                        """, "plugin NodePorts does not extend score"),
                Arguments.of("no bind plugin", """
                        profiles:
                        - plugins: {multiPoint: {disabled: [{name: DefaultBinder}]}}
                        """, "at least one bind plugin is required"),
                Arguments.of("two queue sorts", """
                        profiles:
                        - plugins: {queueSort: {enabled: [{name: FifoSort}]}}
                        """, "exactly one queueSort plugin is required, got [PrioritySort, FifoSort]"),
                Arguments.of("unknown extension point", """
                        profiles:
                        - plugins: {preEnqueue: {enabled: [{name: SchedulingGates}]}}
                        """, "profiles[0].plugins.preEnqueue: unknown extension point"),
                Arguments.of("unknown profile field", """
                        profiles:
                        - schedulerNmae: x
                        """, "profiles[0]: unknown field schedulerNmae"),
                Arguments.of("percentage out of range", """
                        profiles:
                        - percentageOfNodesToScore: 101
                        """, "profiles[0].percentageOfNodesToScore must be within 0..100, got 101"),
                Arguments.of("profiles not a list", """
                        profiles: {schedulerName: x}
                        """, "profiles must be a list"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void invalidConfigurationIsAClearError(String name, String yaml, String message) {
        assertThatThrownBy(() -> build(yaml)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void fileWithAnotherKindIsRejected() throws IOException {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "apiVersion: v1\nkind: ConfigMap\n");
        assertThatThrownBy(() -> ProfileConfig.readFile(file)).hasMessageContaining(
                "apiVersion must be kubescheduler.config.k8s.io/v1, got v1");
        Files.writeString(file, "profiles: [\n");
        assertThatThrownBy(() -> ProfileConfig.readFile(file)).hasMessageContaining("cannot be read");
        assertThatThrownBy(() -> ProfileConfig.readFile(dir.resolve("missing.yaml")))
                .hasMessageContaining("cannot be read");
    }

    /** The application YAML form, bound by Spring as the scheduler binds it. */
    @Test
    void inlineProfilesInApplicationYaml() throws IOException {
        String yaml = """
                kube4j:
                  scheduler:
                    scheduler-name: default-scheduler
                    profiles:
                    - schedulerName: default-scheduler
                    - schedulerName: gold-first
                      plugins:
                        multiPoint:
                          enabled:
                          - name: NodeLabelPreference
                            weight: 20
                        score:
                          disabled:
                          - name: ImageLocality
                      pluginConfig:
                      - name: NodeLabelPreference
                        args:
                          label: tier
                          value: gold
                      - name: NodeResourcesFit
                        args:
                          ignoredResources: [example.com/foo]
                          scoringStrategy:
                            type: RequestedToCapacityRatio
                            requestedToCapacityRatio:
                              shape:
                              - {utilization: 0, score: 0}
                              - {utilization: 100, score: 10}
                """;
        StandardEnvironment env = new StandardEnvironment();
        new YamlPropertySourceLoader().load("test", new ByteArrayResource(yaml.getBytes()))
                .forEach(ps -> env.getPropertySources().addFirst(ps));
        ProfileConfig cfg = ProfileLoader.load(env);
        List<Profile> ps = new ProfileFactory(registry(), DefaultPlugins.MULTI_POINT, HANDLE)
                .build(cfg, "default-scheduler", 0);
        assertThat(ps).extracting(Profile::schedulerName).containsExactly("default-scheduler", "gold-first");
        Profile gold = ps.get(1);
        assertThat(gold.weight(NodeLabelPreference.NAME)).isEqualTo(20);
        assertThat(gold.scoreWeights()).doesNotContainKey("ImageLocality");
        assertThat(((NodeResourcesFit) gold.plugins().stream().filter(p -> p.name().equals("NodeResourcesFit"))
                .findFirst().orElseThrow()).strategy()).isEqualTo(NodeResourcesFit.Strategy.REQUESTED_TO_CAPACITY_RATIO);
    }

    @Test
    void fileAndInlineTogetherIsAnError() {
        MockEnvironment env = new MockEnvironment().withProperty(ProfileLoader.CONFIG_FILE, "/x.yaml")
                .withProperty("kube4j.scheduler.profiles[0].schedulerName", "a");
        assertThatThrownBy(() -> ProfileLoader.load(env)).hasMessageContaining("not both");
    }

    /**
     * The out-of-tree plugin, found by ServiceLoader through the scheduler's own wiring and named in a profile,
     * changes where a pod goes: without it LeastAllocated picks the big empty node, with it the labelled small one.
     */
    @Test
    void serviceLoadedPluginChangesPlacement() throws IOException {
        Path file = dir.resolve("gold.yaml");
        Files.writeString(file, """
                apiVersion: kubescheduler.config.k8s.io/v1
                kind: KubeSchedulerConfiguration
                profiles:
                - schedulerName: plain
                - schedulerName: gold-first
                  plugins:
                    multiPoint:
                      enabled:
                      - name: NodeLabelPreference
                        weight: 10
                  pluginConfig:
                  - name: NodeLabelPreference
                    args: {label: tier, value: gold}
                """);
        MockEnvironment env = new MockEnvironment().withProperty(ProfileLoader.CONFIG_FILE, file.toString());
        SchedulerProperties props = new SchedulerProperties("default-scheduler", 0, 1, Duration.ofSeconds(1),
                Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ZERO);
        List<Profile> profiles = SchedulerConfiguration.profiles(env, props, HANDLE);
        Snapshot snap = Snapshot.of(List.of(
                NodeInfo.of(node("big", "16", "64Gi").build()),
                NodeInfo.of(node("small-gold", "2", "4Gi").editMetadata().addToLabels("tier", "gold").endMetadata()
                        .build())));
        Pod pod = pod("p", "cpu", "1", "memory", "1Gi").build();
        String plain = new Framework(profiles.get(0), PARALLELIZER, new Random(1))
                .schedule(new CycleState(), pod, snap).suggestedHost();
        String gold = new Framework(profiles.get(1), PARALLELIZER, new Random(1))
                .schedule(new CycleState(), pod, snap).suggestedHost();
        assertThat(plain).isEqualTo("big");
        assertThat(gold).isEqualTo("small-gold");
    }

    @Test
    void schedulerConfigurationNamesTheProblem() {
        MockEnvironment env = new MockEnvironment()
                .withProperty("kube4j.scheduler.profiles[0].plugins.score.enabled[0].name", "Nope");
        SchedulerProperties props = new SchedulerProperties("default-scheduler", 0, 1, Duration.ofSeconds(1),
                Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ZERO);
        assertThatThrownBy(() -> SchedulerConfiguration.profiles(env, props, HANDLE))
                .hasMessageStartingWith("invalid scheduler configuration: profile default-scheduler: unknown"
                        + " scheduler plugin Nope");
    }
}
