package io.strata.broker.cluster;

import io.strata.broker.cluster.RaftMetadataLog.Member;
import io.strata.broker.cluster.RaftMetadataLog.Settings;
import org.jgroups.protocols.FD_SOCK2;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

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

    private static List<Class<?>> protocols(Settings settings) throws Exception {
        return RaftStack.build(settings, () -> null).protocols().stream().<Class<?>>map(Object::getClass).toList();
    }
}
