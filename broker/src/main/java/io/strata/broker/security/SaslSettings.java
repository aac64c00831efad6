package io.strata.broker.security;

import io.strata.broker.config.SaslConfig;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule;
import org.apache.kafka.common.security.plain.internals.PlainSaslServer;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.strata.broker.config.SettingCheck.describe;
import static io.strata.broker.config.SettingCheck.requirePositive;
import static io.strata.broker.config.SettingCheck.requireRange;

/**
 * How the Kafka listener authenticates with SASL, checked once; see {@link SaslConfig} for each value. Immutable;
 * {@link #toString} leaves the bootstrap users' passwords out.
 *
 * @param mechanisms     the enabled mechanisms, in the order the handshake reports them
 * @param bootstrapUsers passwords by user name, for the users created at first start
 * @param oauthBearer    how OAUTHBEARER tokens are checked; present exactly when that mechanism is enabled
 */
public record SaslSettings(List<String> mechanisms, Map<String, String> bootstrapUsers, int bootstrapUsersIterations,
                           Duration handshakeTimeout, long connectionsMaxReauthMs, int failedAuthenticationDelayMs,
                           boolean scramStrictNonce, Optional<OAuthBearerSettings> oauthBearer) {

    public SaslSettings {
        mechanisms = List.copyOf(mechanisms);
        if (mechanisms.isEmpty()) {
            throw new IllegalArgumentException(describe("strata.sasl.mechanisms") + " is empty; name at least one of "
                    + supported());
        }
        for (String mechanism : mechanisms) {
            if (!supported().contains(mechanism)) {
                throw new IllegalArgumentException(describe("strata.sasl.mechanisms") + " names " + mechanism
                        + ", which is not one of " + supported());
            }
        }
        if (mechanisms.contains(OAuthBearerLoginModule.OAUTHBEARER_MECHANISM) != oauthBearer.isPresent()) {
            throw new IllegalArgumentException("OAUTHBEARER settings are given exactly when "
                    + describe("strata.sasl.mechanisms") + " names OAUTHBEARER");
        }
        bootstrapUsers = Map.copyOf(bootstrapUsers);
        ScramMechanism strongest = ScramMechanism.SCRAM_SHA_512;
        requireRange("strata.sasl.bootstrap-users-iterations", bootstrapUsersIterations, strongest.minIterations(),
                strongest.maxIterations());
        requirePositive("strata.sasl.handshake-timeout", handshakeTimeout);
        requireRange("strata.sasl.connections-max-reauth-ms", connectionsMaxReauthMs, 0, Long.MAX_VALUE);
        requireRange("strata.sasl.failed-authentication-delay-ms", failedAuthenticationDelayMs, 0, 60_000);
    }

    /** The mechanisms this broker can serve. */
    public static List<String> supported() {
        List<String> names = new ArrayList<>(ScramMechanism.mechanismNames());
        names.add(PlainSaslServer.PLAIN_MECHANISM);
        names.add(OAuthBearerLoginModule.OAUTHBEARER_MECHANISM);
        return names;
    }

    public static SaslSettings from(SaslConfig config) {
        Map<String, String> users = new LinkedHashMap<>();
        config.bootstrapUsers().ifPresent(list -> parseUsers("strata.sasl.bootstrap-users", List.of(list.split(",")), users));
        config.bootstrapUsersFile().ifPresent(file ->
                parseUsers("strata.sasl.bootstrap-users-file", lines(Path.of(file)), users));
        // The OAUTHBEARER settings are read only when it is enabled: their key set must then be there.
        Optional<OAuthBearerSettings> oauthBearer = config.mechanisms().contains(OAuthBearerLoginModule.OAUTHBEARER_MECHANISM)
                ? Optional.of(OAuthBearerSettings.from(config.oauthbearer())) : Optional.empty();
        return new SaslSettings(config.mechanisms(), users, config.bootstrapUsersIterations(), config.handshakeTimeout(),
                config.connectionsMaxReauthMs(), config.failedAuthenticationDelayMs(), config.scramStrictNonce(),
                oauthBearer);
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(describe("strata.sasl.bootstrap-users-file") + " " + file
                    + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** Adds each {@code name:password} entry; blank entries are skipped; the message never shows a password. */
    private static void parseUsers(String property, List<String> entries, Map<String, String> users) {
        int number = 0;
        for (String entry : entries) {
            number++;
            if (entry.isBlank()) {
                continue;
            }
            int colon = entry.indexOf(':');
            String name = colon < 0 ? "" : entry.substring(0, colon).trim();
            if (name.isEmpty() || colon == entry.length() - 1) {
                throw new IllegalArgumentException(describe(property) + ": entry " + number
                        + " is not name:password with a non-empty name and password");
            }
            users.put(name, entry.substring(colon + 1));
        }
    }

    @Override
    public String toString() {
        return "SaslSettings(mechanisms=" + mechanisms + ", bootstrapUsers=" + bootstrapUsers.keySet()
                + ", handshakeTimeout=" + handshakeTimeout + ", connectionsMaxReauthMs=" + connectionsMaxReauthMs
                + oauthBearer.map(settings -> ", oauthBearer=" + settings).orElse("") + ")";
    }
}
