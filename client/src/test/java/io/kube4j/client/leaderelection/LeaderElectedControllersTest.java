package io.kube4j.client.leaderelection;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.kube4j.client.controller.Controller;
import io.kube4j.client.controller.ControllerBuilder;
import io.kube4j.client.controller.Result;
import io.kube4j.client.util.FakeClock;
import io.kube4j.client.util.InMemoryResourceClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Controllers run only while the lease is held, and are stopped before it can expire for anyone else. */
class LeaderElectedControllersTest {

    private final FakeClock clock = new FakeClock();
    private final InMemoryResourceClient<Lease> leases = new InMemoryResourceClient<>(Lease.class);

    @Test
    void controllersStartOnWinningAndStopBeforeTheLeaseCanPassToAnother() throws Exception {
        Controller controller = ControllerBuilder.controller("demo").reconciler(r -> Result.done()).workers(1)
                .clock(clock).build();
        AtomicInteger lost = new AtomicInteger();
        LeaderElectedControllers runner = new LeaderElectedControllers(leases,
                LeaderElectionConfig.of("kube-system", "demo", "a"), clock, List.of(controller), lost::incrementAndGet);

        assertThat(controller.isRunning()).isFalse();
        runner.elector().tick();
        await().atMost(Duration.ofSeconds(5)).until(controller::isRunning);
        assertThat(runner.isLeading()).isTrue();

        leases.failing(true);
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofSeconds(2));
            runner.elector().tick();
        }
        // 10 s without renewal: the renew deadline, 5 s before the lease could expire for another candidate
        assertThat(runner.isLeading()).isFalse();
        assertThat(controller.isRunning()).isFalse();
        assertThat(lost.get()).isEqualTo(1);

        // it stops campaigning too, so it never holds the lease again without running the controllers
        await().atMost(Duration.ofSeconds(5)).until(runner.elector()::isStopped);
        leases.failing(false);
        clock.advance(Duration.ofSeconds(6));
        runner.elector().tick();
        assertThat(runner.elector().isLeader()).isFalse();
        assertThat(controller.isRunning()).isFalse();
        runner.close();
    }
}
