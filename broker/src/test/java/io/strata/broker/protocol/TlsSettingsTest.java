package io.strata.broker.protocol;

import io.strata.broker.config.TlsClientAuth;
import io.strata.broker.testing.TestCertificates;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TLS settings are read once at start-up, and each kind of bad file or value is named as its setting. */
class TlsSettingsTest {

    @TempDir
    Path dir;
    Path cert;
    Path key;
    Path ca;

    @BeforeEach
    void writeFiles() throws Exception {
        TestCertificates.Issued authority = TestCertificates.authority("Test CA");
        cert = dir.resolve("server.pem");
        key = dir.resolve("server.key");
        ca = dir.resolve("ca.pem");
        authority.issueServer("broker").write(cert, key);
        Files.writeString(ca, authority.certificatePem());
    }

    private TlsSettings settings(Path certFile, Path keyFile, Optional<Path> caFile, TlsClientAuth clientAuth,
                                 String rules) {
        return new TlsSettings(certFile, keyFile, caFile, clientAuth, rules);
    }

    @Test
    void goodFilesAreTaken() {
        TlsSettings settings = settings(cert, key, Optional.of(ca), TlsClientAuth.REQUIRED, "DEFAULT");
        assertThat(settings.files()).containsExactly(cert, key, ca);
    }

    @Test
    void aMissingKeyFileIsNamed() {
        Path missing = dir.resolve("missing.key");
        assertThatThrownBy(() -> settings(cert, missing, Optional.empty(), TlsClientAuth.NONE, "DEFAULT"))
                .hasMessage("strata.kafka.tls.key-file (STRATA_KAFKA_TLS_KEY_FILE) is " + missing
                        + ", which is not a readable file");
    }

    @Test
    void clientCertificatesNeedACaFile() {
        assertThatThrownBy(() -> settings(cert, key, Optional.empty(), TlsClientAuth.REQUIRED, "DEFAULT"))
                .hasMessage("strata.kafka.tls.client-auth (STRATA_KAFKA_TLS_CLIENT_AUTH) is REQUIRED but "
                        + "strata.kafka.tls.ca-file (STRATA_KAFKA_TLS_CA_FILE), the CA that client certificates must "
                        + "chain to, is not set");
    }

    @Test
    void aCertificateFileWithoutACertificateIsNamed() throws Exception {
        Path notPem = Files.writeString(dir.resolve("notes.txt"), "not a certificate");
        assertThatThrownBy(() -> settings(notPem, key, Optional.empty(), TlsClientAuth.NONE, "DEFAULT"))
                .hasMessageStartingWith("strata.kafka.tls.cert-file (STRATA_KAFKA_TLS_CERT_FILE) is " + notPem
                        + ", but it holds no PEM");
    }

    @Test
    void aKeyOfAnotherCertificateIsRefused() throws Exception {
        Path otherKey = dir.resolve("other.key");
        Files.writeString(otherKey, TestCertificates.authority("Other").keyPem());
        assertThatThrownBy(() -> settings(cert, otherKey, Optional.empty(), TlsClientAuth.NONE, "DEFAULT"))
                .hasMessageStartingWith("strata.kafka.tls.key-file (STRATA_KAFKA_TLS_KEY_FILE) is " + otherKey
                        + ", but it is not the key of the certificate CN=broker");
    }

    @Test
    void badMappingRulesAreNamed() {
        assertThatThrownBy(() -> settings(cert, key, Optional.empty(), TlsClientAuth.NONE, "RULE:no-slashes"))
                .hasMessageStartingWith("strata.kafka.tls.principal-mapping-rules "
                        + "(STRATA_KAFKA_TLS_PRINCIPAL_MAPPING_RULES) is \"RULE:no-slashes\": ");
    }
}
