package io.strata.broker.cluster;

import java.util.Arrays;
import java.util.Objects;

/**
 * One user's credential for one SCRAM mechanism, as RFC 5802 has a server keep it: the salt, the iteration
 * count, and the keys derived from the salted password, never the password itself. {@link #toString} leaves
 * the keys out, so a credential never reaches a log. Immutable: the arrays are copied in and out.
 */
public record ScramCredentialImage(byte[] salt, byte[] storedKey, byte[] serverKey, int iterations) {

    public ScramCredentialImage {
        salt = salt.clone();
        storedKey = storedKey.clone();
        serverKey = serverKey.clone();
    }

    @Override
    public byte[] salt() {
        return salt.clone();
    }

    @Override
    public byte[] storedKey() {
        return storedKey.clone();
    }

    @Override
    public byte[] serverKey() {
        return serverKey.clone();
    }

    // A record compares arrays by identity; credentials are compared by content.
    @Override
    public boolean equals(Object o) {
        return o instanceof ScramCredentialImage other && iterations == other.iterations
                && Arrays.equals(salt, other.salt) && Arrays.equals(storedKey, other.storedKey)
                && Arrays.equals(serverKey, other.serverKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(salt), Arrays.hashCode(storedKey), Arrays.hashCode(serverKey), iterations);
    }

    @Override
    public String toString() {
        return "ScramCredential(iterations=" + iterations + ")";
    }
}
