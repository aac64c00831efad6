package io.strata.broker.cluster;

import org.jgroups.Address;
import org.jgroups.Message;
import org.jgroups.auth.AuthToken;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;

/**
 * The token JGroups' AUTH attaches to a metadata Raft member's join and merge requests, and to a coordinator's answers:
 * an HMAC-SHA256 of the sender's address under the group's join key ({@link RaftKeys#join()}). Only a member that knows
 * the group's secret can compute it, and the secret itself is never sent; bound to the sender, a proof is worth nothing
 * from another address. Public, with a public constructor, only because JGroups creates the tokens it reads
 * reflectively.
 */
public final class JoinProof extends AuthToken {

    /** The token's type on the wire, beside {@link StandingHeader#MAGIC_ID}. */
    static final short MAGIC_ID = 4123;
    private static final int LENGTH = 32;

    static {
        ClassConfigurator.add(MAGIC_ID, JoinProof.class);
    }

    /** The join key, on the member's own token; {@code null} on a token read from the wire. */
    private final byte[] key;
    /** The proof a token read from the wire carries. */
    private byte[] proof;

    /** For JGroups, which reads the proof next. */
    public JoinProof() {
        this.key = null;
    }

    JoinProof(byte[] key) {
        this.key = key.clone();
    }

    @Override
    public String getName() {
        return JoinProof.class.getName();
    }

    @Override
    public int size() {
        return LENGTH;
    }

    /** Writes this member's proof; AUTH hands the token its protocol ({@link #setAuth}) and so its address. */
    @Override
    public void writeTo(DataOutput out) throws IOException {
        out.write(proof != null ? proof : proofOf(auth.addr()));
    }

    @Override
    public void readFrom(DataInput in) throws IOException {
        proof = new byte[LENGTH];
        in.readFully(proof);
    }

    /** Whether {@code token} is the proof the sender of {@code msg} computes when it knows the secret. */
    @Override
    public boolean authenticate(AuthToken token, Message msg) {
        if (token == this) {
            // A message this member sent itself, such as a merge leader's request to its own subgroup: JGroups hands it
            // back without writing and reading it, so it carries this very token, which holds the key, not a proof.
            return auth != null && msg.src() != null && msg.src().equals(auth.addr());
        }
        if (!(token instanceof JoinProof received) || received.proof == null || !(msg.src() instanceof UUID)) {
            return false;
        }
        try {
            return MessageDigest.isEqual(received.proof, proofOf(msg.src()));
        } catch (IOException e) {
            log.warn("Cannot check the join proof of %s: %s", msg.src(), e);
            return false;
        }
    }

    private byte[] proofOf(Address address) throws IOException {
        if (key == null || !(address instanceof UUID uuid)) {
            throw new IOException("no join proof for " + address + (key == null ? ": this token was read, it has no key"
                    : ": the address is no UUID"));
        }
        try {
            Mac mac = Mac.getInstance(RaftKeys.HMAC);
            mac.init(new SecretKeySpec(key, RaftKeys.HMAC));
            return mac.doFinal(ByteBuffer.allocate(2 * Long.BYTES).putLong(uuid.getMostSignificantBits())
                    .putLong(uuid.getLeastSignificantBits()).array());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot compute the join proof for " + address + ": " + e, e);
        }
    }
}
