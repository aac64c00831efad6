package io.strata.broker.protocol;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.strata.broker.config.KafkaTlsConfig;
import io.strata.broker.config.TlsClientAuth;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.security.ssl.SslPrincipalMapper;

import javax.net.ssl.SSLException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.strata.broker.config.SettingCheck.describe;

/**
 * TLS of the Kafka listeners that run over it, all alike: PEM files and how clients are authenticated. The
 * constructor reads the files once, so a missing or unreadable file, or a key that does not fit its certificate,
 * stops start-up with a line naming the setting. Immutable.
 *
 * @param certFile              the server certificate, optionally followed by its chain
 * @param keyFile               its PKCS#8 private key
 * @param caFile                the CA certificates client certificates must chain to; empty when none are asked for
 * @param clientAuth            whether clients present a certificate
 * @param principalMappingRules Kafka's {@code ssl.principal.mapping.rules}
 */
public record TlsSettings(Path certFile, Path keyFile, Optional<Path> caFile, TlsClientAuth clientAuth,
                          String principalMappingRules) {

    static final String CERT_FILE = "strata.kafka.tls.cert-file";
    static final String KEY_FILE = "strata.kafka.tls.key-file";
    static final String CA_FILE = "strata.kafka.tls.ca-file";
    private static final String CLIENT_AUTH = "strata.kafka.tls.client-auth";
    private static final String RULES = "strata.kafka.tls.principal-mapping-rules";
    /** TLS 1.3 and 1.2 only: older versions have known weaknesses and Kafka clients no longer offer them. */
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    public TlsSettings {
        if (clientAuth != TlsClientAuth.NONE && caFile.isEmpty()) {
            throw new IllegalArgumentException(describe(CLIENT_AUTH) + " is " + clientAuth
                    + " but " + describe(CA_FILE) + ", the CA that client certificates must chain to, is not set");
        }
        try {
            SslPrincipalMapper.fromRules(principalMappingRules);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(describe(RULES) + " is \"" + principalMappingRules + "\": "
                    + e.getMessage(), e);
        }
        requireReadable(CERT_FILE, certFile);
        requireReadable(KEY_FILE, keyFile);
        caFile.ifPresent(ca -> requireReadable(CA_FILE, ca));
        try {
            newContext(certFile, keyFile, caFile, clientAuth);
        } catch (SSLException e) {
            throw new IllegalArgumentException(describe(CERT_FILE) + " " + certFile + " and " + describe(KEY_FILE)
                    + " " + keyFile + " make no TLS context: " + e.getMessage(), e);
        }
    }

    /**
     * The TLS settings of {@code listeners}, from {@code config}: empty when no listener runs over TLS, and then the
     * TLS settings are not read.
     */
    public static Optional<TlsSettings> from(BrokerListeners listeners, KafkaTlsConfig config) {
        Optional<ListenerSettings> overTls = listeners.listeners().stream().filter(ListenerSettings::usesTls).findFirst();
        if (overTls.isEmpty()) {
            return Optional.empty();
        }
        String why = listeners.describeProtocol(overTls.get());
        Path cert = config.certFile().orElseThrow(() -> notSet(why, CERT_FILE));
        Path key = config.keyFile().orElseThrow(() -> notSet(why, KEY_FILE));
        return Optional.of(new TlsSettings(cert, key, config.caFile(), config.clientAuth(),
                config.principalMappingRules()));
    }

    /** Whether {@code protocol} runs over TLS, and so needs TLS settings. */
    public static boolean usesTls(SecurityProtocol protocol) {
        return protocol == SecurityProtocol.SSL || protocol == SecurityProtocol.SASL_SSL;
    }

    private static IllegalArgumentException notSet(String why, String property) {
        return new IllegalArgumentException(why + " but " + describe(property) + " is not set");
    }

    /** The files the server context is built from, each of which may change on disk. */
    List<Path> files() {
        List<Path> files = new ArrayList<>(List.of(certFile, keyFile));
        caFile.ifPresent(files::add);
        return files;
    }

    /**
     * A server context from the files as they are now; a file that is not what its setting needs is
     * named in an {@link IllegalArgumentException}.
     */
    SslContext newContext() throws SSLException {
        return newContext(certFile, keyFile, caFile, clientAuth);
    }

    /** OpenSSL (BoringSSL) where its native library loads, for speed; the JDK's TLS otherwise. */
    static SslProvider provider() {
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    private static SslContext newContext(Path certFile, Path keyFile, Optional<Path> caFile, TlsClientAuth clientAuth)
            throws SSLException {
        List<X509Certificate> chain = PemFiles.certificates(CERT_FILE, certFile);
        PrivateKey key = PemFiles.privateKeyOf(chain.get(0), KEY_FILE, keyFile);
        SslContextBuilder builder = SslContextBuilder.forServer(key, chain)
                .sslProvider(provider())
                .protocols(PROTOCOLS)
                .clientAuth(switch (clientAuth) {
                    case NONE -> ClientAuth.NONE;
                    case REQUESTED -> ClientAuth.OPTIONAL;
                    case REQUIRED -> ClientAuth.REQUIRE;
                });
        if (caFile.isPresent()) {
            builder.trustManager(PemFiles.certificates(CA_FILE, caFile.get()));
        }
        return builder.build();
    }

    private static void requireReadable(String property, Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException(describe(property) + " is " + file + ", which is not a readable file");
        }
    }
}
