package io.strata.broker.quota;

import io.strata.broker.cluster.SecurityImage;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import io.strata.broker.log.ManualTime;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link ClientQuotaManager}: Kafka's precedence of quota entities and its throttle time over a sampled rate. */
class ClientQuotaManagerTest {

    private static final KafkaPrincipal ALICE = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "alice");
    private static final KafkaPrincipal BOB = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "bob");
    private static final String PRODUCE = "producer_byte_rate";

    private final AtomicReference<SecurityImage> image = new AtomicReference<>(SecurityImage.EMPTY);
    private final ManualTime time = new ManualTime(1_000_000);
    private final ClientQuotaManager quotas = new ClientQuotaManager(image::get, 11, 1000, time);

    private void quota(String user, boolean defaultUser, String clientId, boolean defaultClient, double bytesPerSecond) {
        Map<String, String> entries = new HashMap<>();
        if (user != null || defaultUser) {
            entries.put(ClientQuotaEntity.USER, user);
        }
        if (clientId != null || defaultClient) {
            entries.put(ClientQuotaEntity.CLIENT_ID, clientId);
        }
        image.set(image.get().withQuotas(new ClientQuotaEntity(entries), Map.of(PRODUCE, bytesPerSecond)));
    }

    @Test
    void withoutQuotasNothingIsThrottled() {
        assertThat(quotas.record(ClientQuotaManager.Type.PRODUCE, ALICE, "app", 1L << 40)).isZero();
    }

    @Test
    void theMostSpecificEntityWinsAsInKafka() {
        SecurityImage empty = image.get();
        quota(null, false, null, true, 1);           // default client id
        quota(null, false, "app", false, 2);         // client id
        quota(null, true, null, false, 3);           // default user
        quota(null, true, null, true, 4);            // default user, default client id
        quota(null, true, "app", false, 5);          // default user, client id
        quota("alice", false, null, false, 6);       // user
        quota("alice", false, null, true, 7);        // user, default client id
        quota("alice", false, "app", false, 8);      // user and client id
        assertThat(ClientQuotas.find(image.get(), PRODUCE, "alice", "app")).get()
                .isEqualTo(new ClientQuotas.Applied(8, "alice", "app"));
        assertThat(ClientQuotas.find(image.get(), PRODUCE, "alice", "other")).get()
                .isEqualTo(new ClientQuotas.Applied(7, "alice", "other"));
        assertThat(ClientQuotas.find(image.get(), PRODUCE, "bob", "app")).get()
                .isEqualTo(new ClientQuotas.Applied(5, "bob", "app"));
        assertThat(ClientQuotas.find(image.get(), PRODUCE, "bob", "other")).get()
                .isEqualTo(new ClientQuotas.Applied(4, "bob", "other"));
        image.set(empty);
        quota(null, false, "app", false, 2);
        quota("alice", false, null, false, 6);
        assertThat(ClientQuotas.find(image.get(), PRODUCE, "alice", "app")).as("a user quota, shared by its clients")
                .get().isEqualTo(new ClientQuotas.Applied(6, "alice", ""));
        assertThat(ClientQuotas.find(image.get(), PRODUCE, "bob", "app")).as("a client id quota, shared by its users")
                .get().isEqualTo(new ClientQuotas.Applied(2, "", "app"));
        assertThat(ClientQuotas.find(image.get(), "consumer_byte_rate", "bob", "app")).isEmpty();
    }

    @Test
    void aClientWaitsUntilWhatItTookBeyondItsAllowanceIsPaidBackAtItsQuota() {
        quota("alice", false, null, false, 1000);
        // The first allowance, samples - 1 = 10 windows of the quota: 10,000 bytes at once pass.
        assertThat(quotas.record(ClientQuotaManager.Type.PRODUCE, ALICE, "app", 10_000)).isZero();
        // 2,000 bytes more at 1,000 a second: 2 s.
        assertThat(quotas.record(ClientQuotaManager.Type.PRODUCE, ALICE, "app", 2_000)).isEqualTo(2_000);
        assertThat(quotas.record(ClientQuotaManager.Type.PRODUCE, BOB, "app", 10_000)).as("another user").isZero();
        time.sleep(2_000);
        assertThat(quotas.record(ClientQuotaManager.Type.PRODUCE, ALICE, "app", 500)).as("paid back, 500 short")
                .isEqualTo(500);
        time.sleep(60_000);
        assertThat(quotas.record(ClientQuotaManager.Type.PRODUCE, ALICE, "app", 10_000)).as("the allowance, refilled")
                .isZero();
    }

    @Test
    void theThrottleIsCappedAtTheWholeMeasuredSpan() {
        quota("alice", false, null, false, 1);
        assertThat(quotas.record(ClientQuotaManager.Type.PRODUCE, ALICE, "app", 1_000_000)).isEqualTo(11_000);
        time.sleep(11_000);
        assertThat(quotas.record(ClientQuotaManager.Type.PRODUCE, ALICE, "app", 0)).as("still paying back").isPositive();
    }

    @Test
    void aRequestPercentageIsAShareOfOneThreadsTime() {
        image.set(image.get().withQuotas(new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, "alice")),
                Map.of("request_percentage", 50.0)));
        // Half a thread: 0.5 s of handling a second, 5 s of it up front over Kafka's ten windows after the first.
        assertThat(quotas.record(ClientQuotaManager.Type.REQUEST, ALICE, "app", 5_000_000_000L)).isZero();
        // One more second of handling is two seconds of half a thread.
        assertThat(quotas.record(ClientQuotaManager.Type.REQUEST, ALICE, "app", 1_000_000_000L)).isEqualTo(2000);
        assertThat(quotas.record(ClientQuotaManager.Type.PRODUCE, ALICE, "app", 1L << 40)).as("no byte rate").isZero();
    }
}
