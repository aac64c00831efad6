package io.strata.broker.cluster;

import org.jboss.logging.Logger;
import org.jgroups.protocols.AUTH;
import org.jgroups.protocols.Bundler;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.FRAG4;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.MFC;
import org.jgroups.protocols.SERIALIZE;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.TP;
import org.jgroups.protocols.UFC;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.protocols.raft.FileBasedLog;
import org.jgroups.protocols.raft.NO_DUPES;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.protocols.raft.REDIRECT;
import org.jgroups.stack.Protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The JGroups protocol stack of a metadata Raft member, built in code: TCP on the configured bind address
 * and port, TCPPING with the members as initial hosts, MERGE3, FD_SOCK2 (with several voters), FD_ALL3,
 * VERIFY_SUSPECT2, NAKACK2, UNICAST3, STABLE, NO_DUPES, GMS (short join timeout when alone), UFC, MFC, FRAG4
 * with 1 MB fragments, ELECTION counting only trusted voters ({@link StandingElection}), RAFT
 * ({@code raft_id} = the node id, log in {@code <dataDir>/meta},
 * {@link FileBasedLog}) and REDIRECT, which forwards a follower's submissions to the leader.
 *
 * <p>With a {@link RaftSecret}, SYM_ENCRYPT and SERIALIZE sit right above the transport and AUTH below NO_DUPES
 * and GMS, with keys derived from the secret ({@link RaftKeys}): every message is encrypted and authenticated, and
 * only members that prove they know the secret ({@link JoinProof}) join. Without one, anything that reaches the port
 * may join, and a warning says so.
 *
 * @param protocols the stack, transport first
 * @param port      the port the transport binds
 */
record RaftStack(List<Protocol> protocols, int port) {

    private static final Logger LOG = Logger.getLogger(RaftStack.class);

    /** FRAG4's fragment size: the stock 60 KB makes large appends far slower. */
    static final int FRAG_SIZE = 1_000_000;
    /** The transport's largest batch, which must exceed {@link #FRAG_SIZE}. */
    static final int BUNDLER_MAX_SIZE = 1_100_000;
    /** UFC/MFC credits: 40% of them (the replenish threshold) must exceed {@link #FRAG_SIZE}. */
    static final long FLOW_CONTROL_CREDITS = 4_000_000;
    /** GMS join timeout of a lone member, which has nobody to find. */
    static final long SINGLE_MEMBER_JOIN_TIMEOUT_MS = 10;
    /** GMS join timeout when there are other members to find. */
    static final long CLUSTER_JOIN_TIMEOUT_MS = 1000;
    /**
     * How often the leader resends what a follower lacks, commit notices included: the most a follower's
     * image trails the leader's when nothing else is sent.
     */
    static final long RESEND_INTERVAL_MS = 100;
    /** How long a suspected member has to answer before it is excluded from the view. */
    static final long VERIFY_SUSPECT_MS = 500;
    /** How long the coordinator waits for votes in one election round. */
    static final long VOTE_TIMEOUT_MS = 300;
    /**
     * The cipher of every message: an AEAD, so that a message not encrypted with the group's key is dropped rather than
     * handed on as garbage, and the one the JDK offers that SYM_ENCRYPT can drive (AES-GCM needs parameters it cannot
     * pass).
     */
    static final String CIPHER = "ChaCha20-Poly1305";
    /** ChaCha20-Poly1305's nonce length; SYM_ENCRYPT draws a random one per message. */
    static final int NONCE_LENGTH = 12;

    /**
     * The stack of the member {@code settings} describe, bound to its port, or to a free one when that is 0,
     * answering vote requests with {@code standing}.
     *
     * @throws Exception when the bind address cannot be resolved or a protocol refuses its settings
     */
    static RaftStack build(RaftMetadataLog.Settings settings, Supplier<VoterStanding> standing) throws Exception {
        boolean alone = settings.members().size() == 1 && settings.voter();
        // Every member of a group builds the same stack, as JGroups requires: a member without FD_SOCK2 is suspected
        // by those with it. So this depends on the voters, which all members know alike, and not on whether this
        // one votes: a lone voter's brokers outside the quorum leave it out too, and FD_ALL3 watches them.
        boolean severalVoters = settings.members().size() > 1;
        InetAddress bindAddress = InetAddress.getByName(settings.bindHost());

        TCP tcp = new TCP();
        tcp.setBindAddr(bindAddress);
        // JGroups refuses port 0 with static discovery; a lone member just takes a free port.
        int port = settings.bindPort() != 0 ? settings.bindPort() : freePort(bindAddress);
        tcp.setValue("bind_port", port);
        tcp.setValue("port_range", 0);
        // FRAG4 requires fragments smaller than the bundler's batches.
        Bundler bundler = TP.createBundler(tcp.getBundlerType(), TCP.class);
        bundler.setMaxSize(BUNDLER_MAX_SIZE);
        tcp.setBundler(bundler);

        List<InetSocketAddress> initialHosts = new ArrayList<>();
        for (RaftMetadataLog.Member member : settings.members()) {
            if (member.port() != 0) {
                initialHosts.add(new InetSocketAddress(member.host(), member.port()));
            }
        }
        TCPPING ping = new TCPPING();
        ping.initialHosts(initialHosts);
        ping.portRange(0);

        FD_ALL3 failureDetection = new FD_ALL3();
        failureDetection.setTimeout(10_000);
        failureDetection.setInterval(2_000);
        // A process that dies closes its sockets: FD_SOCK2 suspects it at once, where FD_ALL3 (for a member
        // that hangs) waits for its timeout. It listens above the Raft port (RaftMetadataLog's offset and range).
        FD_SOCK2 crashDetection = new FD_SOCK2().setOffset(RaftMetadataLog.FAILURE_DETECTION_PORT_OFFSET)
                .setPortRange(RaftMetadataLog.FAILURE_DETECTION_PORT_RANGE);

        GMS gms = new GMS()
                .setJoinTimeout(alone ? SINGLE_MEMBER_JOIN_TIMEOUT_MS : CLUSTER_JOIN_TIMEOUT_MS)
                .printLocalAddress(false);

        FRAG4 frag = new FRAG4();
        frag.setFragSize(FRAG_SIZE);

        // Flow control must let a whole fragment through before it replenishes credits (JGRP-1659).
        UFC unicastFlowControl = new UFC();
        unicastFlowControl.setMaxCredits(FLOW_CONTROL_CREDITS);
        unicastFlowControl.setMinThreshold(0.4);
        MFC multicastFlowControl = new MFC();
        multicastFlowControl.setMaxCredits(FLOW_CONTROL_CREDITS);
        multicastFlowControl.setMinThreshold(0.4);

        List<String> raftIds = settings.members().stream().map(RaftMetadataLog.Member::raftId).toList();
        StandingElection election = new StandingElection(standing, raftIds);
        election.voteTimeout(VOTE_TIMEOUT_MS);

        RAFT raft = new RAFT()
                .raftId(settings.raftId())
                .members(raftIds)
                .logClass(FileBasedLog.class.getName())
                .logDir(settings.logDir().toString())
                .logUseFsync(settings.fsync())
                // Followers learn of a commit with the next append or resend: resending often keeps them
                // a moment behind the leader, as brokers act on leadership changes and clients ask any
                // broker right after a change. (send_commits_immediately answers every acknowledgement with
                // another commit message, which never ends while a follower is behind.)
                .resendInterval(RESEND_INTERVAL_MS);

        Optional<RaftKeys> keys = settings.secret().map(RaftKeys::derive);
        if (keys.isEmpty()) {
            LOG.warnf("The metadata Raft port %s:%d is open to any JGroups member that reaches it: set strata.raft.secret "
                    + "(STRATA_RAFT_SECRET), the same on every broker, to encrypt the group's traffic and admit only the "
                    + "brokers that know it", settings.bindHost(), port);
        }
        List<Protocol> stack = new ArrayList<>();
        stack.add(tcp);
        keys.ifPresent(groupKeys -> stack.addAll(encryption(groupKeys)));
        stack.addAll(List.of(
                ping,
                new MERGE3().setMinInterval(2_000).setMaxInterval(5_000)));
        if (severalVoters) {
            stack.add(crashDetection);
        }
        stack.addAll(List.of(
                failureDetection,
                new VERIFY_SUSPECT2().setTimeout(VERIFY_SUSPECT_MS),
                new NAKACK2().useMcastXmit(false),
                new UNICAST3(),
                new STABLE()));
        keys.ifPresent(groupKeys -> stack.add(authentication(groupKeys)));
        stack.addAll(List.of(
                new NO_DUPES(),
                gms,
                unicastFlowControl,
                multicastFlowControl,
                frag,
                election,
                raft,
                new REDIRECT()));
        return new RaftStack(stack, port);
    }

    /**
     * SYM_ENCRYPT right above the transport, so that everything the group sends is encrypted, discovery and failure
     * detection included, and SERIALIZE above it, which makes each whole message, headers and all, the payload
     * SYM_ENCRYPT encrypts: on its own SYM_ENCRYPT encrypts payloads only, and passes a message without one as it is.
     */
    private static List<Protocol> encryption(RaftKeys keys) {
        SYM_ENCRYPT encrypt = new SYM_ENCRYPT().setSecretKey(keys.encryption());
        // After the key, whose algorithm SYM_ENCRYPT takes as its cipher: plain ChaCha20, which authenticates nothing.
        encrypt.symAlgorithm(CIPHER);
        encrypt.symIvLength(NONCE_LENGTH);
        return List.of(encrypt, new SERIALIZE());
    }

    /**
     * AUTH with this member's {@link JoinProof}. Below NO_DUPES, which otherwise would answer a join it refuses,
     * naming the view, before AUTH has checked who asks.
     */
    private static AUTH authentication(RaftKeys keys) {
        JoinProof proof = new JoinProof(keys.join());
        AUTH auth = new AUTH().setAuthToken(proof);
        // Unlike AUTH's auth_class, setAuthToken leaves the token without its protocol, whose address it proves.
        proof.setAuth(auth);
        return auth;
    }

    private static int freePort(InetAddress address) {
        try (ServerSocket socket = new ServerSocket(0, 1, address)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + address, e);
        }
    }
}
