package io.strata.broker.cluster;

import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * The keys of a metadata Raft group, which every member derives alike from the group's {@link RaftSecret}, without
 * exchanging anything. PBKDF2 with HMAC-SHA256 ({@value #ITERATIONS} iterations, the fixed salt {@value #SALT}) stretches
 * the secret into a 256-bit master key; HKDF-Expand (RFC 5869, SHA-256, one block) derives from it one key per use,
 * labelled {@value #ENCRYPTION_LABEL} and {@value #JOIN_LABEL}, so neither key tells anything of the other. The salt is
 * fixed rather than random because every member must come to the same keys; the iterations slow down guessing the
 * secret from captured traffic. Changing the salt, the iterations or a label changes the keys: every member of a group
 * must derive them the same way. Immutable.
 */
final class RaftKeys {

    static final String SALT = "io.strata.raft-secret.v1";
    static final int ITERATIONS = 210_000;
    static final String ENCRYPTION_LABEL = "strata raft message encryption";
    static final String JOIN_LABEL = "strata raft join proof";
    /** The algorithm of the encryption key: the stack encrypts with ChaCha20-Poly1305. */
    static final String ENCRYPTION_ALGORITHM = "ChaCha20";
    static final String HMAC = "HmacSHA256";

    private final SecretKey encryption;
    private final byte[] join;

    private RaftKeys(SecretKey encryption, byte[] join) {
        this.encryption = encryption;
        this.join = join;
    }

    static RaftKeys derive(RaftSecret secret) {
        PBEKeySpec spec = new PBEKeySpec(secret.chars(), SALT.getBytes(StandardCharsets.US_ASCII), ITERATIONS, 256);
        try {
            byte[] master = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
            return new RaftKeys(new SecretKeySpec(expand(master, ENCRYPTION_LABEL), ENCRYPTION_ALGORITHM),
                    expand(master, JOIN_LABEL));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot derive the metadata Raft keys: this JVM lacks PBKDF2WithHmacSHA256 or "
                    + HMAC + ": " + e, e);
        } finally {
            spec.clearPassword();
        }
    }

    /** HKDF-Expand of one SHA-256 block: HMAC(master, label || 0x01). */
    private static byte[] expand(byte[] master, String label) throws GeneralSecurityException {
        Mac mac = Mac.getInstance(HMAC);
        mac.init(new SecretKeySpec(master, HMAC));
        mac.update(label.getBytes(StandardCharsets.US_ASCII));
        mac.update((byte) 1);
        return mac.doFinal();
    }

    /** The key every message is encrypted with. */
    SecretKey encryption() {
        return encryption;
    }

    /** The key of the members' join proofs ({@link JoinProof}). */
    byte[] join() {
        return join.clone();
    }
}
