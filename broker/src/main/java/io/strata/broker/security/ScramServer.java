package io.strata.broker.security;

import io.strata.broker.cluster.ScramCredentialImage;
import io.strata.broker.cluster.SecurityImage;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ClientFinalMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ClientFirstMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ServerFinalMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ServerFirstMessage;

import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.function.Supplier;

/**
 * The server side of one SCRAM exchange (RFC 5802, RFC 7677) against the credentials in the replicated metadata:
 * client-first → server-first, client-final → server-final. The client proof is verified over the client-final
 * message exactly as received.
 *
 * <p>The client-final nonce must be this exchange's server nonce, which holds a fresh random part, so a recorded
 * exchange cannot be replayed. Unless {@code strictNonce}, the client nonce followed by the server nonce is accepted
 * too: librdkafka before 2.6.1 (kcat and the clients built on it) sends its client nonce once more in front, which
 * Kafka 3.x accepted and Kafka 4.x refuses. Not thread-safe: one exchange belongs to one connection.
 */
final class ScramServer implements SaslServer {

    private enum State { RECEIVE_CLIENT_FIRST, RECEIVE_CLIENT_FINAL, COMPLETE, FAILED }

    private final ScramMechanism mechanism;
    private final Supplier<SecurityImage> security;
    private final boolean strictNonce;
    private final ScramFormatter formatter;
    private State state = State.RECEIVE_CLIENT_FIRST;
    private String user;
    private ScramCredentialImage credential;
    private ClientFirstMessage clientFirst;
    private ServerFirstMessage serverFirst;

    ScramServer(ScramMechanism mechanism, Supplier<SecurityImage> security, boolean strictNonce) {
        this.mechanism = mechanism;
        this.security = security;
        this.strictNonce = strictNonce;
        try {
            this.formatter = new ScramFormatter(mechanism);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks " + mechanism.hashAlgorithm(), e);
        }
    }

    @Override
    public byte[] evaluateResponse(byte[] response) {
        try {
            return switch (state) {
                case RECEIVE_CLIENT_FIRST -> receiveClientFirst(response);
                case RECEIVE_CLIENT_FINAL -> receiveClientFinal(response);
                case COMPLETE, FAILED -> throw new SaslAuthenticationException(
                        "Unexpected SCRAM message after the exchange " + (state == State.COMPLETE ? "completed" : "failed"));
            };
        } catch (SaslAuthenticationException e) {
            state = State.FAILED;
            throw e;
        } catch (SaslException | GeneralSecurityException | RuntimeException e) {
            state = State.FAILED;
            throw new SaslAuthenticationException("Authentication failed: invalid " + mechanism.mechanismName()
                    + " message: " + e.getMessage(), e);
        }
    }

    private byte[] receiveClientFirst(byte[] response) throws SaslException {
        clientFirst = new ClientFirstMessage(response);
        if ("true".equalsIgnoreCase(clientFirst.extensions().map().get("tokenauth"))) {
            throw new SaslAuthenticationException("Authentication failed: delegation tokens are not supported");
        }
        user = ScramFormatter.username(clientFirst.saslName());
        String authorizationId = clientFirst.authorizationId();
        if (!authorizationId.isEmpty() && !authorizationId.equals(user)) {
            throw new SaslAuthenticationException("Authentication failed: the authorization id " + authorizationId
                    + " is not the user name " + user);
        }
        credential = security.get().scramCredential(user, mechanism).orElseThrow(() ->
                new SaslAuthenticationException("Authentication failed during authentication due to invalid credentials"
                        + " with SASL mechanism " + mechanism.mechanismName()));
        serverFirst = new ServerFirstMessage(clientFirst.nonce(), formatter.secureRandomString(), credential.salt(),
                credential.iterations());
        state = State.RECEIVE_CLIENT_FINAL;
        return serverFirst.toBytes();
    }

    private byte[] receiveClientFinal(byte[] response) throws SaslException, GeneralSecurityException {
        ClientFinalMessage clientFinal = new ClientFinalMessage(response);
        String nonce = clientFinal.nonce();
        if (!nonce.equals(serverFirst.nonce())
                && (strictNonce || !nonce.equals(clientFirst.nonce() + serverFirst.nonce()))) {
            throw new SaslAuthenticationException("Authentication failed: the client-final nonce is not this exchange's");
        }
        String received = new String(response, StandardCharsets.UTF_8);
        String withoutProof = received.substring(0, received.lastIndexOf(",p="));
        byte[] authMessage = ScramFormatter.toBytes(ScramFormatter.authMessage(clientFirst.clientFirstMessageBare(),
                new String(serverFirst.toBytes(), StandardCharsets.UTF_8), withoutProof));
        byte[] clientSignature = formatter.hmac(credential.storedKey(), authMessage);
        if (!MessageDigest.isEqual(formatter.storedKey(clientSignature, clientFinal.proof()), credential.storedKey())) {
            throw new SaslAuthenticationException("Authentication failed during authentication due to invalid credentials"
                    + " with SASL mechanism " + mechanism.mechanismName());
        }
        state = State.COMPLETE;
        return new ServerFinalMessage(null, formatter.hmac(credential.serverKey(), authMessage)).toBytes();
    }

    @Override
    public String getMechanismName() {
        return mechanism.mechanismName();
    }

    @Override
    public boolean isComplete() {
        return state == State.COMPLETE;
    }

    @Override
    public String getAuthorizationID() {
        if (!isComplete()) {
            throw new IllegalStateException("Authentication exchange has not completed");
        }
        return user;
    }

    @Override
    public byte[] unwrap(byte[] incoming, int offset, int len) {
        throw new IllegalStateException("SCRAM supports neither integrity nor privacy");
    }

    @Override
    public byte[] wrap(byte[] outgoing, int offset, int len) {
        throw new IllegalStateException("SCRAM supports neither integrity nor privacy");
    }

    @Override
    public Object getNegotiatedProperty(String propName) {
        return null;
    }

    @Override
    public void dispose() {
        credential = null;
    }
}
