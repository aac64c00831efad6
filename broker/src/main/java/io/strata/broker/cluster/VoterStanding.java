package io.strata.broker.cluster;

import org.apache.kafka.common.Uuid;

/**
 * Where a metadata Raft member stands when it answers a vote request, judged from the metadata it holds
 * and the id of its own data directory. Raft's safety rests on every voter remembering the log it
 * acknowledged: a member that lost its data directory restarts with an empty log and a new directory id,
 * and must not be counted until it has caught up with a leader elected without it.
 *
 * <p>The order is the wire format ({@link StandingHeader}): a new standing goes last.
 */
public enum VoterStanding {

    /** Its own data directory is recorded in the metadata it holds: its log is everything it acknowledged. */
    VOTER,
    /**
     * The metadata it holds records no data directory at all: the cluster is new (or ran before directories
     * were recorded), or this member lost its directory before learning any. Counted only when every member
     * of the group answers so, as then no member can remember a log the others lack.
     */
    BOOTSTRAPPING,
    /** The metadata it holds records directories, but not its own: it is catching up and never counted. */
    CATCHING_UP;

    /** The standing of node {@code nodeId}, running on data directory {@code directoryId}, holding {@code image}. */
    public static VoterStanding of(MetadataImage image, int nodeId, Uuid directoryId) {
        if (image.directory(nodeId).filter(directoryId::equals).isPresent()) {
            return VOTER;
        }
        return image.directories().isEmpty() ? BOOTSTRAPPING : CATCHING_UP;
    }
}
