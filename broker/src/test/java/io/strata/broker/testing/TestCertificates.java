package io.strata.broker.testing;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Certificate authorities and the certificates they issue, made in the test (EC P-256, valid for a
 * day), written as the PEM files a broker reads and given as the PEM strings a Kafka client takes.
 * Serials count up per JVM, so every certificate has its own.
 */
public final class TestCertificates {

    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

    private TestCertificates() {
    }

    /** A certificate and its private key. */
    public record Issued(X509Certificate certificate, PrivateKey key) {

        /** The certificate as PEM. */
        public String certificatePem() {
            try {
                return pem("CERTIFICATE", certificate.getEncoded());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The private key as unencrypted PKCS#8 PEM. */
        public String keyPem() {
            return pem("PRIVATE KEY", key.getEncoded());
        }

        /** Writes the certificate and the key to these files, each replaced at once (by a rename). */
        public void write(Path certFile, Path keyFile) throws IOException {
            replace(certFile, certificatePem());
            replace(keyFile, keyPem());
        }

        /** Issues a certificate for a server at {@code 127.0.0.1} and {@code localhost}. */
        public Issued issueServer(String commonName) {
            return issue(this, "CN=" + commonName, false, KeyPurposeId.id_kp_serverAuth);
        }

        /**
         * Issues a server certificate for {@code broker} and writes it to {@code broker.pem} and its key to
         * {@code broker.key} in {@code dir}, the files a listener's TLS settings name.
         */
        public ServerFiles writeServerFiles(Path dir) throws IOException {
            ServerFiles files = new ServerFiles(dir.resolve("broker.pem"), dir.resolve("broker.key"));
            issueServer("broker").write(files.cert(), files.key());
            return files;
        }

        /** Issues a certificate for a client whose subject is {@code subject}, such as {@code CN=alice,O=Strata}. */
        public Issued issueClient(String subject) {
            return issue(this, subject, false, KeyPurposeId.id_kp_clientAuth);
        }
    }

    /** A server's certificate file and its key file, both PEM. */
    public record ServerFiles(Path cert, Path key) {
    }

    /** A new self-signed certificate authority. */
    public static Issued authority(String commonName) {
        return issue(null, "CN=" + commonName, true, null);
    }

    private static Issued issue(Issued issuer, String subject, boolean authority, KeyPurposeId purpose) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            KeyPair keys = generator.generateKeyPair();
            Instant now = Instant.now();
            // Through the JDK's reading of the name, so that its subject prints as it was written here.
            X500Name subjectName = X500Name.getInstance(new X500Principal(subject).getEncoded());
            X500Name issuerName = issuer == null ? subjectName
                    : X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName,
                    BigInteger.valueOf(SERIALS.incrementAndGet()), Date.from(now.minus(Duration.ofMinutes(5))),
                    Date.from(now.plus(Duration.ofDays(1))), subjectName, keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(authority));
            if (authority) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
                if (purpose == KeyPurposeId.id_kp_serverAuth) {
                    builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                            new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                            new GeneralName(GeneralName.dNSName, "localhost")}));
                }
            }
            PrivateKey signingKey = issuer == null ? keys.getPrivate() : issuer.key();
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signingKey)));
            return new Issued(certificate, keys.getPrivate());
        } catch (Exception e) {
            throw new IllegalStateException("cannot issue a certificate for " + subject, e);
        }
    }

    /**
     * A client's TLS context that trusts {@code authority} and presents {@code client}'s certificate, or
     * none when {@code client} is null.
     */
    public static SSLContext clientContext(Issued authority, Issued client) {
        try {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("ca", authority.certificate());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            KeyStore own = KeyStore.getInstance("PKCS12");
            own.load(null, null);
            if (client != null) {
                own.setKeyEntry("client", client.key(), new char[0], new Certificate[] {client.certificate()});
            }
            keys.init(own, new char[0]);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void replace(Path file, String content) throws IOException {
        Path written = Files.writeString(file.resolveSibling(file.getFileName() + ".new"), content);
        Files.move(written, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
