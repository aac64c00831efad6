package io.strata.broker.protocol;

import io.strata.broker.config.InterBrokerConfig;
import io.strata.broker.config.TlsClientAuth;
import io.strata.broker.security.SaslSettings;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.security.plain.internals.PlainSaslServer;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.strata.broker.config.SettingCheck.describe;

/**
 * How this broker connects to the other brokers' Kafka listeners, checked once; see {@link InterBrokerConfig}. The
 * brokers reach each other on the inter-broker listener, in its security protocol; a missing credential or unreadable
 * file stops start-up with a line naming the setting. Immutable; {@link #toString} leaves the password out.
 *
 * @param listener         the name of the inter-broker listener, whose endpoints the brokers connect to
 * @param securityProtocol that listener's {@code security.protocol}, which the brokers speak to each other
 * @param sasl             the broker's SASL login; present exactly when the protocol uses SASL
 * @param tls              the broker's TLS as a client; present exactly when the protocol runs over TLS
 */
public record InterBrokerSettings(String listener, SecurityProtocol securityProtocol, Optional<Sasl> sasl,
                                  Optional<Tls> tls) {

    /** Between brokers whose inter-broker listener is {@code PLAINTEXT}, named so: no credentials. */
    public static final InterBrokerSettings PLAINTEXT = new InterBrokerSettings(SecurityProtocol.PLAINTEXT.name,
            SecurityProtocol.PLAINTEXT, Optional.empty(), Optional.empty());

    private static final String MECHANISMS = "strata.sasl.mechanisms";
    private static final String MECHANISM = "strata.inter-broker.sasl-mechanism";
    private static final String USERNAME = "strata.inter-broker.username";
    private static final String PASSWORD = "strata.inter-broker.password";
    private static final String PASSWORD_FILE = "strata.inter-broker.password-file";
    private static final String CA_FILE = "strata.inter-broker.tls.ca-file";
    private static final String CERT_FILE = "strata.inter-broker.tls.cert-file";
    private static final String KEY_FILE = "strata.inter-broker.tls.key-file";

    public InterBrokerSettings {
        if (usesSasl(securityProtocol) != sasl.isPresent()) {
            throw new IllegalArgumentException("the inter-broker listener " + listener + " is " + securityProtocol
                    + (sasl.isPresent() ? ", which has no SASL, but a SASL login is given" : " but no SASL login is given"));
        }
        if (TlsSettings.usesTls(securityProtocol) != tls.isPresent()) {
            throw new IllegalArgumentException("the inter-broker listener " + listener + " is " + securityProtocol
                    + (tls.isPresent() ? ", which has no TLS, but TLS settings are given" : " but no TLS settings are given"));
        }
    }

    /**
     * A broker's SASL login towards the others.
     *
     * @param mechanism one that authenticates with a password: {@link #mechanisms()}
     */
    public record Sasl(String mechanism, String username, String password) {

        public Sasl {
            if (!mechanisms().contains(mechanism)) {
                throw new IllegalArgumentException(describe(MECHANISM) + " is " + mechanism
                        + "; brokers authenticate to each other with a password, by one of " + mechanisms());
            }
            if (username.isEmpty() || password.isEmpty()) {
                throw new IllegalArgumentException(describe(USERNAME) + " and its password must not be empty");
            }
        }

        /** The mechanisms a broker can log in with: those that take a user name and a password. */
        public static List<String> mechanisms() {
            List<String> names = new ArrayList<>(ScramMechanism.mechanismNames());
            names.add(PlainSaslServer.PLAIN_MECHANISM);
            return names;
        }

        @Override
        public String toString() {
            return "Sasl(mechanism=" + mechanism + ", username=" + username + ")";
        }
    }

    /**
     * A broker's TLS towards the others; the constructor reads the files once, so one that is not what its setting
     * needs stops start-up.
     *
     * @param caFile   the CA certificates (PEM) the other brokers' listener certificates must chain to
     * @param certFile the certificate (PEM) presented to a listener that asks for one; empty when it asks for none
     * @param keyFile  its PKCS#8 private key; present exactly with {@code certFile}
     */
    public record Tls(Path caFile, Optional<Path> certFile, Optional<Path> keyFile) {

        public Tls {
            if (certFile.isPresent() != keyFile.isPresent()) {
                throw new IllegalArgumentException(describe(CERT_FILE) + " and " + describe(KEY_FILE)
                        + " go together: set both or neither");
            }
            PemFiles.certificates(CA_FILE, caFile);
            if (certFile.isPresent()) {
                PemFiles.privateKeyOf(PemFiles.certificates(CERT_FILE, certFile.get()).get(0), KEY_FILE, keyFile.get());
            }
        }
    }

    /**
     * The settings of {@code config} for the inter-broker listener of {@code listeners}, whose SASL and TLS are
     * {@code listenerSasl} and {@code listenerTls}: the inter-broker settings its protocol does not use are not read.
     */
    public static InterBrokerSettings from(InterBrokerConfig config, BrokerListeners listeners,
                                           SaslSettings listenerSasl, Optional<TlsSettings> listenerTls) {
        ListenerSettings listener = listeners.interBroker();
        Optional<Sasl> sasl = listener.usesSasl()
                ? Optional.of(sasl(config, listeners.describeProtocol(listener), listenerSasl)) : Optional.empty();
        Optional<Tls> tls = listener.usesTls() ? listenerTls.map(shared -> tls(config.tls(), shared)) : Optional.empty();
        return new InterBrokerSettings(listener.name(), listener.securityProtocol(), sasl, tls);
    }

    /** Whether {@code protocol} authenticates with SASL, and so needs a login. */
    public static boolean usesSasl(SecurityProtocol protocol) {
        return protocol == SecurityProtocol.SASL_PLAINTEXT || protocol == SecurityProtocol.SASL_SSL;
    }

    /** {@code why} says the inter-broker listener's protocol uses SASL, for the message of a missing login. */
    private static Sasl sasl(InterBrokerConfig config, String why, SaslSettings listener) {
        if (config.username().isEmpty() || config.password().isEmpty() && config.passwordFile().isEmpty()) {
            throw new IllegalArgumentException(why + ", so the brokers authenticate to each other: set "
                    + describe(USERNAME) + " and " + describe(PASSWORD) + " (or " + describe(PASSWORD_FILE)
                    + ") to a user every broker shares");
        }
        if (config.password().isPresent() && config.passwordFile().isPresent()) {
            throw new IllegalArgumentException(describe(PASSWORD) + " and " + describe(PASSWORD_FILE)
                    + " are both set; set one of them");
        }
        String password = config.password().orElseGet(() -> read(config.passwordFile().get()));
        return new Sasl(mechanism(config, listener), config.username().get(), password);
    }

    /** The configured mechanism, which the listener must enable, or the first enabled one a broker can log in with. */
    private static String mechanism(InterBrokerConfig config, SaslSettings listener) {
        if (config.saslMechanism().isPresent()) {
            String mechanism = config.saslMechanism().get();
            if (!listener.mechanisms().contains(mechanism)) {
                throw new IllegalArgumentException(describe(MECHANISM) + " is " + mechanism + ", which "
                        + describe(MECHANISMS) + " does not enable: the listeners would refuse it");
            }
            return mechanism;
        }
        return listener.mechanisms().stream().filter(Sasl.mechanisms()::contains).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(describe(MECHANISMS) + " is " + listener.mechanisms()
                        + ", none of which brokers can authenticate to each other with; enable one of "
                        + Sasl.mechanisms()));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new IllegalArgumentException(describe(PASSWORD_FILE) + " " + file + " cannot be read: " + e, e);
        }
    }

    /**
     * The trusted CAs default to the listener's CA file, else its certificate file; the broker presents a certificate
     * only to a listener that asks for one, by default the listener's own.
     */
    private static Tls tls(InterBrokerConfig.Tls config, TlsSettings listener) {
        Path ca = config.caFile().or(listener::caFile).orElse(listener.certFile());
        if (listener.clientAuth() == TlsClientAuth.NONE) {
            return new Tls(ca, Optional.empty(), Optional.empty());
        }
        if (config.certFile().isPresent() || config.keyFile().isPresent()) {
            return new Tls(ca, config.certFile(), config.keyFile());
        }
        return new Tls(ca, Optional.of(listener.certFile()), Optional.of(listener.keyFile()));
    }
}
