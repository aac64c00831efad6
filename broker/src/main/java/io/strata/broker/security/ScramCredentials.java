package io.strata.broker.security;

import io.strata.broker.cluster.ScramCredentialImage;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;

/** Derives SCRAM credentials as RFC 5802 defines them, with kafka-clients' formatter. Stateless. */
public final class ScramCredentials {

    private ScramCredentials() {
    }

    /** The credential of a salted password, as {@code AlterUserScramCredentials} carries it. */
    public static ScramCredentialImage fromSaltedPassword(ScramMechanism mechanism, byte[] salt, byte[] saltedPassword,
                                                          int iterations) {
        try {
            ScramFormatter formatter = new ScramFormatter(mechanism);
            return new ScramCredentialImage(salt, formatter.storedKey(formatter.clientKey(saltedPassword)),
                    formatter.serverKey(saltedPassword), iterations);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks " + mechanism.macAlgorithm(), e);
        }
    }

    /** A credential of {@code password} with a new random salt. */
    public static ScramCredentialImage fromPassword(ScramMechanism mechanism, String password, int iterations) {
        try {
            ScramFormatter formatter = new ScramFormatter(mechanism);
            byte[] salt = formatter.secureRandomBytes();
            return fromSaltedPassword(mechanism, salt, formatter.saltedPassword(password, salt, iterations), iterations);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks " + mechanism.macAlgorithm(), e);
        }
    }

    /** Whether {@code password} is the one {@code credential} was derived from; an empty one never is. */
    public static boolean matches(ScramMechanism mechanism, ScramCredentialImage credential, String password) {
        if (password.isEmpty()) {
            // No credential can be made of it (HMAC refuses an empty key).
            return false;
        }
        try {
            ScramFormatter formatter = new ScramFormatter(mechanism);
            byte[] saltedPassword = formatter.saltedPassword(password, credential.salt(), credential.iterations());
            return MessageDigest.isEqual(formatter.storedKey(formatter.clientKey(saltedPassword)),
                    credential.storedKey());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks " + mechanism.macAlgorithm(), e);
        }
    }
}
