package io.strata.broker.health;

import io.strata.broker.server.Broker;
import io.strata.broker.server.BrokerLifecycle;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Alive while every network event loop of the Kafka listener runs a no-op within
 * {@value #TIMEOUT_MS} ms: a loop that is blocked or dead serves none of its connections, and only a
 * restart brings it back. Up while the broker starts, so a slow start is not mistaken for a hang.
 */
@Liveness
@ApplicationScoped
public class KafkaEventLoopsLivenessCheck implements HealthCheck {

    static final long TIMEOUT_MS = 2000;
    private static final String NAME = "kafka-event-loops";

    private final BrokerLifecycle lifecycle;

    public KafkaEventLoopsLivenessCheck(BrokerLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    @Override
    public HealthCheckResponse call() {
        Broker broker = lifecycle.broker();
        if (broker == null) {
            return HealthCheckResponse.named(NAME).up().withData("reason", "starting").build();
        }
        long begin = System.nanoTime();
        try {
            broker.probeKafkaEventLoops().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return down("an event loop of the Kafka listener did not run a task within " + TIMEOUT_MS + " ms");
        } catch (ExecutionException e) {
            return down(e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return down("interrupted while waiting for the event loops");
        }
        return HealthCheckResponse.named(NAME).up()
                .withData("answeredInMicros", TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - begin))
                .build();
    }

    private static HealthCheckResponse down(String reason) {
        return HealthCheckResponse.named(NAME).down().withData("reason", reason).build();
    }
}
