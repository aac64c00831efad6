package io.strata.broker.cluster;

import io.strata.broker.cluster.RaftMetadataLog.Member;
import io.strata.broker.cluster.RaftMetadataLog.Settings;
import org.jgroups.protocols.AUTH;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.SERIALIZE;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.raft.NO_DUPES;
import org.jgroups.stack.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JGroups stack of a metadata Raft member. JGroups needs the same protocols on every member of a group: a
 * member without FD_SOCK2 is suspected by those with it, and the group splits.
 */
class RaftStackTest {

    @TempDir
    Path dir;

    @Test
    void aMemberOutsideTheVotersBuildsTheSameProtocolsAsTheVoters() throws Exception {
        List<Member> loneVoter = List.of(new Member(1, "127.0.0.1", 7801));
        assertThat(protocols(Settings.of(dir, 1, "127.0.0.1", 7801, loneVoter)))
                .doesNotContain(FD_SOCK2.class)
                .isEqualTo(protocols(Settings.of(dir, 2, "127.0.0.1", 7802, loneVoter)));

        List<Member> threeVoters = List.of(new Member(1, "127.0.0.1", 7801), new Member(2, "127.0.0.1", 7802),
                new Member(3, "127.0.0.1", 7803));
        assertThat(protocols(Settings.of(dir, 1, "127.0.0.1", 7801, threeVoters)))
                .contains(FD_SOCK2.class)
                .isEqualTo(protocols(Settings.of(dir, 4, "127.0.0.1", 7804, threeVoters)));
    }

    @Test
    void aSecretEncryptsRightAboveTheTransportAndChecksJoinsBelowTheMembership() throws Exception {
        List<Member> threeVoters = List.of(new Member(1, "127.0.0.1", 7801), new Member(2, "127.0.0.1", 7802),
                new Member(3, "127.0.0.1", 7803));
        Settings open = Settings.of(dir, 1, "127.0.0.1", 7801, threeVoters);
        List<Protocol> secured = RaftStack.build(open.withSecret(Optional.of(RaftSecret.of("0123456789abcdef"))),
                () -> null).protocols();
        List<Class<?>> classes = secured.stream().<Class<?>>map(Object::getClass).toList();

        assertThat(classes.subList(0, 3)).containsExactly(TCP.class, SYM_ENCRYPT.class, SERIALIZE.class);
        assertThat(((SYM_ENCRYPT) secured.get(1)).symAlgorithm()).isEqualTo("ChaCha20-Poly1305");
        assertThat(classes.subList(classes.indexOf(AUTH.class), classes.indexOf(GMS.class) + 1))
                .containsExactly(AUTH.class, NO_DUPES.class, GMS.class);
        assertThat(classes.stream().filter(type -> type != SYM_ENCRYPT.class && type != SERIALIZE.class
                && type != AUTH.class).toList()).as("otherwise the stack without a secret").isEqualTo(protocols(open));
    }

    private static List<Class<?>> protocols(Settings settings) throws Exception {
        return RaftStack.build(settings, () -> null).protocols().stream().<Class<?>>map(Object::getClass).toList();
    }
}
