package io.strata.broker.health;

import io.strata.broker.server.Broker;
import io.strata.broker.server.BrokerLifecycle;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
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
@Singleton
public class KafkaEventLoopsLivenessCheck extends BrokerHealthCheck {

    static final long TIMEOUT_MS = 2000;

    public KafkaEventLoopsLivenessCheck(BrokerLifecycle lifecycle) {
        super(lifecycle, "kafka-event-loops", true);
    }

    @Override
    HealthCheckResponse check(Broker broker, HealthCheckResponseBuilder response) {
        long begin = System.nanoTime();
        try {
            broker.probeKafkaEventLoops().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return down(response, "an event loop of the Kafka listener did not run a task within " + TIMEOUT_MS + " ms");
        } catch (ExecutionException e) {
            return down(response, e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return down(response, "interrupted while waiting for the event loops");
        }
        return response.up()
                .withData("answeredInMicros", TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - begin))
                .build();
    }

    private static HealthCheckResponse down(HealthCheckResponseBuilder response, String reason) {
        return response.down().withData("reason", reason).build();
    }
}
