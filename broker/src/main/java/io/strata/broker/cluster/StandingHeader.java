package io.strata.broker.cluster;

import org.jgroups.Header;
import org.jgroups.conf.ClassConfigurator;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.function.Supplier;

/**
 * The {@link VoterStanding} a member attaches to its vote response, one byte on the wire. Public only because
 * JGroups instantiates headers reflectively.
 */
public final class StandingHeader extends Header {

    /** The header's type on the wire; JGroups keeps ids below 1024 for itself, jgroups-raft uses 2000-3007. */
    static final short MAGIC_ID = 4120;

    static {
        ClassConfigurator.add(MAGIC_ID, StandingHeader.class);
    }

    private VoterStanding standing;

    /** For JGroups, which reads the fields next. */
    public StandingHeader() {
    }

    StandingHeader(VoterStanding standing) {
        this.standing = standing;
    }

    VoterStanding standing() {
        return standing;
    }

    @Override
    public short getMagicId() {
        return MAGIC_ID;
    }

    @Override
    public Supplier<? extends Header> create() {
        return StandingHeader::new;
    }

    @Override
    public int serializedSize() {
        return Byte.BYTES;
    }

    @Override
    public void writeTo(DataOutput out) throws IOException {
        out.writeByte(standing.ordinal());
    }

    @Override
    public void readFrom(DataInput in) throws IOException {
        int ordinal = in.readByte();
        if (ordinal < 0 || ordinal >= VoterStanding.values().length) {
            throw new IOException("unknown voter standing " + ordinal + " in a vote response");
        }
        standing = VoterStanding.values()[ordinal];
    }

    @Override
    public String toString() {
        return "standing=" + standing;
    }
}
