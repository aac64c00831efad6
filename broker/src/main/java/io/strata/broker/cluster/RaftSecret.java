package io.strata.broker.cluster;

import io.strata.broker.config.RaftConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static io.strata.broker.config.SettingCheck.describe;

/**
 * The secret every member of a metadata Raft group shares ({@code strata.raft.secret}): the group's stack encrypts its
 * traffic with a key derived from it and admits only members that prove they know it ({@link RaftStack},
 * {@link RaftKeys}). At least {@value #MIN_LENGTH} characters. {@link #toString} never shows it, so the settings that
 * hold it may be logged. Immutable.
 */
public final class RaftSecret {

    /** The fewest characters a secret may have: shorter ones are quickly guessed from captured traffic. */
    public static final int MIN_LENGTH = 16;

    private static final String SECRET = "strata.raft.secret";
    private static final String SECRET_FILE = "strata.raft.secret-file";

    private final String value;

    private RaftSecret(String value) {
        this.value = value;
    }

    /**
     * @throws IllegalArgumentException when {@code value} is shorter than {@value #MIN_LENGTH} characters; the message
     *                                  never shows it
     */
    public static RaftSecret of(String value) {
        if (value.length() < MIN_LENGTH) {
            throw new IllegalArgumentException("the Raft secret is shorter than " + MIN_LENGTH + " characters");
        }
        return new RaftSecret(value);
    }

    /**
     * The secret the configuration gives: {@code strata.raft.secret}, or the trimmed content of the file
     * {@code strata.raft.secret-file}; empty when neither is set.
     *
     * @throws IllegalArgumentException naming the setting, when both are set, the file cannot be read or the secret is
     *                                  too short
     */
    public static Optional<RaftSecret> from(RaftConfig config) {
        if (config.secret().isPresent() && config.secretFile().isPresent()) {
            throw new IllegalArgumentException(describe(SECRET) + " and " + describe(SECRET_FILE)
                    + " are both set; set one of them");
        }
        if (config.secret().isPresent()) {
            return Optional.of(named(SECRET, config.secret().get()));
        }
        return config.secretFile().map(file -> named(SECRET_FILE, read(Path.of(file))));
    }

    /** {@link #of}, failing with the name of the setting {@code value} comes from. */
    private static RaftSecret named(String property, String value) {
        try {
            return of(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(describe(property) + ": " + e.getMessage(), e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new IllegalArgumentException(describe(SECRET_FILE) + " " + file + " cannot be read: " + e, e);
        }
    }

    /** The secret's characters, for deriving keys from it. */
    char[] chars() {
        return value.toCharArray();
    }

    @Override
    public String toString() {
        return "RaftSecret(hidden)";
    }
}
