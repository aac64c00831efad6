package io.strata.broker.rest;

import io.strata.broker.cluster.ScramCredentialImage;
import io.strata.broker.cluster.SecurityImage;
import io.strata.broker.security.ScramCredentials;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checks a user's password against the user's SCRAM credentials in the replicated metadata, with any mechanism the
 * user has one for, as SASL PLAIN does. Deriving the salted password takes thousands of HMAC rounds, too slow for
 * every HTTP request, so a successful check is remembered with the credential it matched, under a SHA-256 digest of
 * a salt of this instance, the user and the password: the password itself is never kept. A remembered check holds
 * only while that credential is still the user's, so a changed or deleted credential is checked anew. At most
 * {@code capacity} checks are remembered, the least recently used leaving first. Thread-safe.
 */
final class ScramPasswordCheck {

    private final byte[] salt = new byte[16];
    private final Map<String, ScramCredentialImage> remembered;
    /** Derived for a user without credentials, so an unknown user takes as long to refuse as a wrong password. */
    private final ScramCredentialImage decoy;

    ScramPasswordCheck(int capacity) {
        new SecureRandom().nextBytes(salt);
        decoy = ScramCredentials.fromPassword(ScramMechanism.SCRAM_SHA_512, HexFormat.of().formatHex(salt), 4096);
        remembered = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, ScramCredentialImage> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Whether {@code password} was found to be the user's before, for a credential the user still has. Fast. */
    boolean remembered(SecurityImage security, String user, String password) {
        String key = key(user, password);
        synchronized (remembered) {
            ScramCredentialImage matched = remembered.get(key);
            if (matched == null) {
                return false;
            }
            if (credentials(security, user).containsValue(matched)) {
                return true;
            }
            remembered.remove(key);
            return false;
        }
    }

    /** Whether {@code password} is the user's, by deriving it for each of the user's credentials. Slow: blocks. */
    boolean verify(SecurityImage security, String user, String password) {
        Map<ScramMechanism, ScramCredentialImage> credentials = credentials(security, user);
        if (credentials.isEmpty()) {
            ScramCredentials.matches(ScramMechanism.SCRAM_SHA_512, decoy, password);
            return false;
        }
        for (Map.Entry<ScramMechanism, ScramCredentialImage> credential : credentials.entrySet()) {
            if (ScramCredentials.matches(credential.getKey(), credential.getValue(), password)) {
                String key = key(user, password);
                synchronized (remembered) {
                    remembered.put(key, credential.getValue());
                }
                return true;
            }
        }
        return false;
    }

    private static Map<ScramMechanism, ScramCredentialImage> credentials(SecurityImage security, String user) {
        return security.scramCredentials().getOrDefault(user, Map.of());
    }

    private String key(String user, String password) {
        byte[] name = user.getBytes(StandardCharsets.UTF_8);
        byte[] secret = password.getBytes(StandardCharsets.UTF_8);
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(salt);
            // The name's length first, so that no other user and password run together into the same bytes.
            sha256.update(ByteBuffer.allocate(Integer.BYTES).putInt(name.length).array());
            sha256.update(name);
            sha256.update(secret);
            return HexFormat.of().formatHex(sha256.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
