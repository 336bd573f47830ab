package io.kube4j.proxy.userspace;

import io.kube4j.proxy.model.ServicePortName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LoadBalancerRRTest {

    private static final ServicePortName SVC = new ServicePortName("ns", "web", "http", "TCP");
    private static final InetSocketAddress CLIENT_A = new InetSocketAddress("10.0.0.1", 40000);
    private static final InetSocketAddress CLIENT_A2 = new InetSocketAddress("10.0.0.1", 40001);
    private static final InetSocketAddress CLIENT_B = new InetSocketAddress("10.0.0.2", 40000);

    /** A clock the test moves by hand. */
    static final class FakeClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final FakeClock clock = new FakeClock();
    private final LoadBalancerRR lb = new LoadBalancerRR(clock, new Random(42));

    /** One step of a scenario: an action on the balancer, or a pick from a client and what it must return. */
    record Step(String what, Consumer<Ctx> run) {
        @Override
        public String toString() {
            return what;
        }
    }

    /** What a scenario step sees: the balancer, the clock, and the picks made so far. */
    record Ctx(LoadBalancerRR lb, FakeClock clock, List<String> picks) {
        String pick(InetSocketAddress client, boolean reset) {
            String e = lb.nextEndpoint(SVC, client, reset);
            picks.add(e);
            return e;
        }
    }

    static Stream<Arguments> scenarios() {
        return Stream.of(
                Arguments.of("rotation: each endpoint once per round, same order every round", false, 0,
                        List.of("a:80", "b:80", "c:80"), (Consumer<Ctx>) c -> {
                            for (int i = 0; i < 9; i++) {
                                c.pick(CLIENT_A, false);
                            }
                            List<String> first = c.picks().subList(0, 3);
                            assertThat(first).containsExactlyInAnyOrder("a:80", "b:80", "c:80");
                            assertThat(c.picks().subList(3, 6)).isEqualTo(first);
                            assertThat(c.picks().subList(6, 9)).isEqualTo(first);
                        }),
                Arguments.of("rotation is shared by every client without affinity", false, 0,
                        List.of("a:80", "b:80"), (Consumer<Ctx>) c -> {
                            String x = c.pick(CLIENT_A, false);
                            String y = c.pick(CLIENT_B, false);
                            assertThat(x).isNotEqualTo(y);
                        }),
                Arguments.of("affinity pins a client IP (any source port), other clients still rotate", true, 60,
                        List.of("a:80", "b:80", "c:80"), (Consumer<Ctx>) c -> {
                            String pinned = c.pick(CLIENT_A, false);
                            String other = c.pick(CLIENT_B, false);
                            assertThat(other).isNotEqualTo(pinned);
                            for (int i = 0; i < 5; i++) {
                                assertThat(c.pick(CLIENT_A2, false)).isEqualTo(pinned);
                            }
                            assertThat(c.lb().affinityCount(SVC)).isEqualTo(2);
                        }),
                Arguments.of("affinity kept below the timeout, and each use refreshes it", true, 10,
                        List.of("a:80", "b:80"), (Consumer<Ctx>) c -> {
                            String pinned = c.pick(CLIENT_A, false);
                            c.clock().advance(Duration.ofMillis(9_999));
                            assertThat(c.pick(CLIENT_A, false)).isEqualTo(pinned);
                            c.clock().advance(Duration.ofMillis(9_999));
                            assertThat(c.pick(CLIENT_A, false)).isEqualTo(pinned);
                        }),
                Arguments.of("affinity expires once ttl whole seconds passed: the next pick rotates", true, 10,
                        List.of("a:80", "b:80"), (Consumer<Ctx>) c -> {
                            String pinned = c.pick(CLIENT_A, false);
                            c.clock().advance(Duration.ofSeconds(10));
                            assertThat(c.pick(CLIENT_A, false)).isNotEqualTo(pinned);
                        }),
                Arguments.of("stale sticky sessions are cleaned up", true, 10,
                        List.of("a:80", "b:80"), (Consumer<Ctx>) c -> {
                            c.pick(CLIENT_A, false);
                            c.clock().advance(Duration.ofSeconds(5));
                            c.pick(CLIENT_B, false);
                            c.clock().advance(Duration.ofSeconds(6));
                            c.lb().cleanupStaleStickySessions(SVC);
                            assertThat(c.lb().affinityCount(SVC)).isEqualTo(1);
                        }),
                Arguments.of("sessionAffinityReset re-pins the client to the next endpoint", true, 60,
                        List.of("a:80", "b:80", "c:80"), (Consumer<Ctx>) c -> {
                            String pinned = c.pick(CLIENT_A, false);
                            String moved = c.pick(CLIENT_A, true);
                            assertThat(moved).isNotEqualTo(pinned);
                            assertThat(c.pick(CLIENT_A, false)).isEqualTo(moved);
                        }),
                Arguments.of("an endpoint leaving drops the clients pinned to it, others keep theirs", true, 60,
                        List.of("a:80", "b:80"), (Consumer<Ctx>) c -> {
                            String pa = c.pick(CLIENT_A, false);
                            String pb = c.pick(CLIENT_B, false);
                            assertThat(pa).isNotEqualTo(pb);
                            assertThat(c.lb().updateEndpoints(SVC, List.of(pb, "c:80"))).isTrue();
                            assertThat(c.lb().affinityCount(SVC)).isEqualTo(1);
                            assertThat(c.pick(CLIENT_B, false)).isEqualTo(pb);
                            assertThat(c.pick(CLIENT_A, false)).isIn(pb, "c:80");
                        }),
                Arguments.of("endpoint removal: the removed one is never picked again", false, 0,
                        List.of("a:80", "b:80", "c:80"), (Consumer<Ctx>) c -> {
                            c.pick(CLIENT_A, false);
                            c.lb().updateEndpoints(SVC, List.of("a:80", "c:80"));
                            for (int i = 0; i < 6; i++) {
                                assertThat(c.pick(CLIENT_A, false)).isNotEqualTo("b:80");
                            }
                        }),
                Arguments.of("the same set in another order changes nothing: the rotation continues", false, 0,
                        List.of("a:80", "b:80", "c:80"), (Consumer<Ctx>) c -> {
                            c.pick(CLIENT_A, false);
                            List<String> order = c.lb().endpoints(SVC);
                            assertThat(c.lb().updateEndpoints(SVC, List.of("c:80", "a:80", "b:80"))).isFalse();
                            assertThat(c.lb().endpoints(SVC)).isEqualTo(order);
                            assertThat(c.pick(CLIENT_A, false)).isEqualTo(order.get(1));
                        }),
                Arguments.of("turning affinity off forgets the clients", true, 60,
                        List.of("a:80", "b:80"), (Consumer<Ctx>) c -> {
                            c.pick(CLIENT_A, false);
                            c.lb().newService(SVC, false, 0);
                            assertThat(c.lb().affinityCount(SVC)).isZero();
                            String x = c.pick(CLIENT_A, false);
                            assertThat(c.pick(CLIENT_A, false)).isNotEqualTo(x);
                        }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void scenario(String name, boolean affinity, int ttl, List<String> endpoints, Consumer<Ctx> check) {
        lb.newService(SVC, affinity, ttl);
        lb.updateEndpoints(SVC, endpoints);
        check.accept(new Ctx(lb, clock, new ArrayList<>()));
    }

    @Test
    void unknownServiceOrNoEndpointsIsAnError() {
        assertThatThrownBy(() -> lb.nextEndpoint(SVC, CLIENT_A, false))
                .isInstanceOf(LoadBalancerRR.NoEndpointException.class).hasMessageContaining("ns/web:http");
        lb.newService(SVC, false, 0);
        assertThat(lb.serviceHasEndpoints(SVC)).isFalse();
        assertThatThrownBy(() -> lb.nextEndpoint(SVC, CLIENT_A, false))
                .isInstanceOf(LoadBalancerRR.NoEndpointException.class).hasMessageContaining("no endpoints");
        lb.updateEndpoints(SVC, List.of("a:80"));
        lb.updateEndpoints(SVC, List.of());
        assertThatThrownBy(() -> lb.nextEndpoint(SVC, CLIENT_A, false))
                .isInstanceOf(LoadBalancerRR.NoEndpointException.class);
        lb.deleteService(SVC);
        assertThat(lb.endpoints(SVC)).isEmpty();
        ServicePortName other = new ServicePortName("ns", "other", "", "TCP");
        lb.updateEndpoints(SVC, List.of("a:80"));
        lb.updateEndpoints(other, List.of("b:80"));
        lb.retainServices(List.of(other));
        assertThat(lb.serviceHasEndpoints(SVC)).isFalse();
        assertThat(lb.serviceHasEndpoints(other)).isTrue();
    }

    @Test
    void defaultTtlIsThreeHours() {
        lb.newService(SVC, true, 0);
        lb.updateEndpoints(SVC, List.of("a:80", "b:80"));
        String pinned = lb.nextEndpoint(SVC, CLIENT_A, false);
        clock.advance(Duration.ofSeconds(10_799));
        assertThat(lb.nextEndpoint(SVC, CLIENT_A, false)).isEqualTo(pinned);
    }
}
