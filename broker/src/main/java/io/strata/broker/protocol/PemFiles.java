package io.strata.broker.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.strata.broker.config.SettingCheck.describe;

/**
 * Reads the PEM files of TLS settings, failing with a line that names the setting, its file and what is
 * wrong with it. Stateless.
 */
final class PemFiles {

    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private PemFiles() {
    }

    /** The X.509 certificates in {@code file}, in order: at least one. */
    static List<X509Certificate> certificates(String property, Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> certificates = new ArrayList<>();
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                certificates.add((X509Certificate) certificate);
            }
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException(problem(property, file, "it holds no PEM certificate"));
            }
            return certificates;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(problem(property, file, "it holds no PEM X.509 certificate: "
                    + e.getMessage()), e);
        }
    }

    /**
     * The unencrypted PKCS#8 private key in {@code file}, which must be the key of {@code certificate}:
     * a certificate renewed without its key would otherwise fail every handshake.
     */
    static PrivateKey privateKeyOf(X509Certificate certificate, String property, Path file) {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException(problem(property, file, "it cannot be read: " + e.getMessage()), e);
        }
        Matcher matcher = PKCS8.matcher(pem);
        if (!matcher.find()) {
            throw new IllegalArgumentException(problem(property, file,
                    "it holds no unencrypted PKCS#8 key (-----BEGIN PRIVATE KEY-----)"));
        }
        String algorithm = certificate.getPublicKey().getAlgorithm();
        PrivateKey key;
        boolean matches;
        try {
            key = KeyFactory.getInstance(algorithm).generatePrivate(
                    new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(matcher.group(1))));
            matches = signsFor(key, certificate);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException(problem(property, file, "it holds no " + algorithm
                    + " key for the certificate: " + e.getMessage()), e);
        }
        if (!matches) {
            throw new IllegalArgumentException(problem(property, file, "it is not the key of the certificate "
                    + certificate.getSubjectX500Principal().getName() + " (serial " + certificate.getSerialNumber()
                    + ")"));
        }
        return key;
    }

    /** Whether what {@code key} signs, the certificate's public key verifies. */
    private static boolean signsFor(PrivateKey key, X509Certificate certificate) throws GeneralSecurityException {
        Signature signature = Signature.getInstance(switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "DSA" -> "SHA256withDSA";
            default -> key.getAlgorithm();
        });
        byte[] probe = "strata".getBytes(StandardCharsets.US_ASCII);
        signature.initSign(key);
        signature.update(probe);
        byte[] signed = signature.sign();
        signature.initVerify(certificate.getPublicKey());
        signature.update(probe);
        return signature.verify(signed);
    }

    private static String problem(String property, Path file, String what) {
        return describe(property) + " is " + file + ", but " + what;
    }
}
