package io.strata.broker.cluster;

import io.strata.broker.cluster.RaftMetadataLog.Settings;
import org.jgroups.Address;
import org.jgroups.EmptyMessage;
import org.jgroups.protocols.AUTH;
import org.jgroups.util.ByteArrayDataInputStream;
import org.jgroups.util.ByteArrayDataOutputStream;
import org.jgroups.util.UUID;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The secret of a metadata Raft group, the keys derived from it and the proof a joining member gives of it. */
class RaftSecretTest {

    private static final String VALUE = "the secret of one metadata group";

    @Test
    void theSecretIsNeverShownAndATooShortOneIsRefused() {
        RaftSecret secret = RaftSecret.of(VALUE);
        Settings settings = Settings.alone(Path.of("data"), 1, "127.0.0.1", 7800).withSecret(Optional.of(secret));
        assertThat(secret.toString()).doesNotContain(VALUE);
        assertThat(settings.toString()).doesNotContain(VALUE).contains("secret=Optional[RaftSecret(hidden)]");
        assertThat(RaftSecret.of("0123456789abcdef")).isNotNull();
        assertThatThrownBy(() -> RaftSecret.of("0123456789abcde"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the Raft secret is shorter than 16 characters");
    }

    @Test
    void everyMemberDerivesTheSameKeysFromTheSameSecretOnly() {
        RaftKeys keys = RaftKeys.derive(RaftSecret.of(VALUE));
        RaftKeys again = RaftKeys.derive(RaftSecret.of(VALUE));
        RaftKeys other = RaftKeys.derive(RaftSecret.of(VALUE + "!"));
        assertThat(again.encryption().getEncoded()).isEqualTo(keys.encryption().getEncoded()).hasSize(32);
        assertThat(again.join()).isEqualTo(keys.join()).hasSize(32);
        assertThat(keys.join()).isNotEqualTo(keys.encryption().getEncoded());
        assertThat(other.encryption().getEncoded()).isNotEqualTo(keys.encryption().getEncoded());
        assertThat(other.join()).isNotEqualTo(keys.join());
    }

    @Test
    void aJoinProofHoldsOnlyForItsSenderAndTheSameSecret() throws Exception {
        RaftKeys keys = RaftKeys.derive(RaftSecret.of(VALUE));
        Address joiner = UUID.randomUUID();
        JoinProof sent = proofOf(keys, joiner);
        JoinProof coordinator = new JoinProof(keys.join());

        assertThat(coordinator.authenticate(sent, new EmptyMessage().setSrc(joiner))).isTrue();
        assertThat(coordinator.authenticate(sent, new EmptyMessage().setSrc(UUID.randomUUID())))
                .as("a proof replayed from another address").isFalse();
        assertThat(coordinator.authenticate(proofOf(RaftKeys.derive(RaftSecret.of(VALUE + "!")), joiner),
                new EmptyMessage().setSrc(joiner))).as("a proof under another secret").isFalse();
        assertThat(coordinator.authenticate(new JoinProof(), new EmptyMessage().setSrc(joiner)))
                .as("no proof").isFalse();
    }

    @Test
    void aMembersOwnMessageHandedBackUnreadHoldsOnlyFromItself() {
        Address member = UUID.randomUUID();
        JoinProof own = new JoinProof(RaftKeys.derive(RaftSecret.of(VALUE)).join());
        own.setAuth(new AUTH().setAddress(member));

        assertThat(own.authenticate(own, new EmptyMessage().setSrc(member))).isTrue();
        assertThat(own.authenticate(own, new EmptyMessage().setSrc(UUID.randomUUID()))).isFalse();
    }

    /** The proof {@code sender} sends, as the coordinator reads it. */
    private static JoinProof proofOf(RaftKeys keys, Address sender) throws Exception {
        JoinProof own = new JoinProof(keys.join());
        own.setAuth(new AUTH().setAddress(sender));
        ByteArrayDataOutputStream out = new ByteArrayDataOutputStream();
        own.writeTo(out);
        assertThat(out.position()).isEqualTo(own.size());
        JoinProof read = new JoinProof();
        read.readFrom(new ByteArrayDataInputStream(out.buffer(), 0, out.position()));
        return read;
    }
}
