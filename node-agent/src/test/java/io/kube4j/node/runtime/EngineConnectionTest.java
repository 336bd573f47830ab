package io.kube4j.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.kube4j.client.util.FakeClock;
import io.kube4j.node.runtime.hollow.HollowRuntime;
import org.junit.jupiter.api.Test;

/** The waiting, backoff and recovery of a runtime whose engine is not there (a fake engine; no threads). */
class EngineConnectionTest {

    private static final String DOWN = "Docker engine at unix:///nowhere does not answer: No such file or directory"
            + " (start dockerd or install docker.io)";

    private final FakeClock clock = new FakeClock();
    private final FakeEngine engine = new FakeEngine();
    private final AtomicInteger onConnect = new AtomicInteger();

    /** An engine that answers when {@code up}, and fails connects with {@code connectError} when set. */
    private static final class FakeEngine {
        volatile boolean up;
        volatile RuntimeException connectError;
        final AtomicInteger connects = new AtomicInteger();

        void connect() {
            connects.incrementAndGet();
            ping();
            if (connectError != null) {
                throw connectError;
            }
        }

        void ping() {
            if (!up) {
                throw new EngineUnavailableException(DOWN, null);
            }
        }
    }

    private EngineConnection connection() {
        HollowRuntime hollow = new HollowRuntime("n1", "10.0.0.1", "10.244.1.0/24", Duration.ZERO, clock,
                HollowRuntime.Resources.DEFAULT);
        return new EngineConnection("n1", hollow, new EngineConnection.Engine(engine::connect, engine::ping),
                onConnect::incrementAndGet, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(5),
                clock);
    }

    @Test
    void anEngineThatDoesNotAnswerIsRetriedWithACappedDoublingBackoff() {
        EngineConnection c = connection();
        List<Duration> delays = new ArrayList<>();
        delays.add(c.connectFirst());
        for (int i = 0; i < 6; i++) {
            clock.advance(delays.get(delays.size() - 1));
            delays.add(c.checkOnce());
        }
        assertThat(delays).extracting(Duration::toSeconds).containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L);
        assertThat(engine.connects).hasValue(7);
        assertThat(c.health().up()).isFalse();
        assertThat(c.health().error()).isEqualTo(DOWN);
        assertThat(c.whenUp()).isNotDone();
        assertThat(onConnect).hasValue(0);
    }

    @Test
    void whileDownEveryOperationFailsAtOnceWithTheReason() {
        EngineConnection c = connection();
        c.connectFirst();
        assertThatThrownBy(c::info).isInstanceOf(RuntimeOperationException.class).hasMessage(DOWN);
        assertThatThrownBy(c::listContainers).isInstanceOf(RuntimeOperationException.class).hasMessage(DOWN);
        assertThatThrownBy(() -> c.pullImage("busybox")).hasMessage(DOWN);
    }

    @Test
    void theEngineComingUpConnectsResetsTheBackoffAndReleasesTheWaiters() {
        EngineConnection c = connection();
        c.connectFirst();
        c.checkOnce();
        c.checkOnce();
        engine.up = true;
        clock.advance(Duration.ofSeconds(4));
        assertThat(c.checkOnce()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.health().up()).isTrue();
        assertThat(c.health().since()).isEqualTo(clock.now());
        assertThat(c.whenUp()).isDone();
        assertThat(onConnect).hasValue(1);
        assertThat(c.info().runtimeName()).isEqualTo(HollowRuntime.RUNTIME_NAME);
        // while up: pings only, no new connect
        assertThat(c.checkOnce()).isEqualTo(Duration.ofSeconds(5));
        assertThat(engine.connects).hasValue(4);
    }

    @Test
    void anEngineGoingAwayIsDownWithTheReasonAndIsSetUpAgainWhenItReturns() {
        engine.up = true;
        EngineConnection c = connection();
        assertThat(c.connectFirst()).isEqualTo(Duration.ofSeconds(5));
        engine.up = false;
        clock.advance(Duration.ofSeconds(5));
        assertThat(c.checkOnce()).isEqualTo(Duration.ofSeconds(1)); // the backoff starts over
        assertThat(c.health()).isEqualTo(RuntimeHealth.down(DOWN, clock.now()));
        clock.advance(Duration.ofSeconds(1));
        assertThat(c.checkOnce()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.health().since()).as("down since the first failure").isEqualTo(clock.now().minusSeconds(1));
        engine.up = true;
        c.checkOnce();
        assertThat(c.health().up()).isTrue();
        assertThat(engine.connects).as("a returning engine is set up again (network, pause image)").hasValue(3);
        assertThat(onConnect).hasValue(2);
    }

    @Test
    void aFailedInfoBetweenTwoChecksFindsTheEngineGoneAtOnce() {
        engine.up = true;
        HollowRuntime hollow = new HollowRuntime("n1", "10.0.0.1", "10.244.1.0/24", Duration.ZERO, clock,
                HollowRuntime.Resources.DEFAULT);
        // docker-java fails info() with its own words (or a bare I/O error) when the engine is gone
        ContainerRuntime failingInfo = (ContainerRuntime) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {ContainerRuntime.class}, (proxy, method, args) -> {
                    if (method.getName().equals("info") && !engine.up) {
                        throw new RuntimeException(new java.io.IOException("Broken pipe")); // unwrapped, as docker-java
                    }
                    try {
                        return method.invoke(hollow, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        EngineConnection c = new EngineConnection("n1", failingInfo,
                new EngineConnection.Engine(engine::connect, engine::ping), null, Duration.ofSeconds(1),
                Duration.ofSeconds(30), Duration.ofSeconds(5), clock);
        c.connectFirst();
        engine.up = false;
        assertThatThrownBy(c::info).hasMessage(DOWN);
        assertThat(c.health().up()).isFalse();
    }

    @Test
    void anEngineThatAnswersButCannotBeUsedFailsTheStart() {
        engine.up = true;
        engine.connectError = new RuntimeOperationException("pod CIDR 10.244.1.0/24 of node n1 overlaps Docker network"
                + " other (10.244.0.0/16); choose another kube4j.node.pod-cidr");
        EngineConnection c = connection();
        assertThatThrownBy(c::connectFirst).hasMessageContaining("overlaps");
    }

    @Test
    void aLaterConfigurationErrorIsReportedAndRetriedLikeAnOutage() {
        EngineConnection c = connection();
        c.connectFirst();
        engine.up = true;
        engine.connectError = new RuntimeOperationException("cannot create Docker network kube4j-n1: boom");
        assertThat(c.checkOnce()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.health().error()).isEqualTo("cannot create Docker network kube4j-n1: boom");
        engine.connectError = null;
        c.checkOnce();
        assertThat(c.health().up()).isTrue();
    }

    @Test
    void retryPeriodsMustBePositive() {
        assertThatThrownBy(() -> new EngineConnection("n1", new HollowRuntime("n1", "10.0.0.1", "10.244.1.0/24",
                Duration.ZERO, clock, HollowRuntime.Resources.DEFAULT), new EngineConnection.Engine(() -> { },
                () -> { }), null, Duration.ZERO, Duration.ofSeconds(30), Duration.ofSeconds(5), clock))
                .hasMessageContaining("kube4j.node.docker.retry-initial");
    }

}
