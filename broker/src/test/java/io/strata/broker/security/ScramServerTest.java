package io.strata.broker.security;

import io.strata.broker.cluster.SecurityImage;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ClientFinalMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ClientFirstMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ServerFinalMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ServerFirstMessage;
import org.apache.kafka.common.security.scram.internals.ScramSaslClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.sasl.SaslException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link ScramServer} against kafka-clients' own SCRAM client, and against librdkafka's older client-final form. */
class ScramServerTest {

    private static final String USER = "alice";
    private static final String PASSWORD = "alice-secret";

    private static SecurityImage withAlice(ScramMechanism mechanism) {
        return SecurityImage.EMPTY.withScramCredential(USER, mechanism,
                ScramCredentials.fromPassword(mechanism, PASSWORD, 4096));
    }

    /** Runs kafka-clients' client against the server to the end; returns the user the server authenticated. */
    private static String exchange(ScramServer server, ScramMechanism mechanism, String user, String password)
            throws Exception {
        ScramSaslClient client = new ScramSaslClient(mechanism, callbacks -> {
            for (Callback callback : callbacks) {
                if (callback instanceof NameCallback name) {
                    name.setName(user);
                } else if (callback instanceof PasswordCallback secret) {
                    secret.setPassword(password.toCharArray());
                }
            }
        });
        byte[] challenge = server.evaluateResponse(client.evaluateChallenge(new byte[0]));
        byte[] serverFinal = server.evaluateResponse(client.evaluateChallenge(challenge));
        client.evaluateChallenge(serverFinal); // verifies the server's signature
        assertThat(client.isComplete()).isTrue();
        return server.getAuthorizationID();
    }

    @ParameterizedTest
    @EnumSource(ScramMechanism.class)
    void kafkaClientsAuthenticateWithTheRightPassword(ScramMechanism mechanism) throws Exception {
        ScramServer server = new ScramServer(mechanism, () -> withAlice(mechanism), true);
        assertThat(exchange(server, mechanism, USER, PASSWORD)).isEqualTo(USER);
        assertThat(server.isComplete()).isTrue();
    }

    @Test
    void aWrongPasswordOrAnUnknownUserFails() {
        ScramMechanism mechanism = ScramMechanism.SCRAM_SHA_512;
        ScramServer wrongPassword = new ScramServer(mechanism, () -> withAlice(mechanism), false);
        assertThatThrownBy(() -> exchange(wrongPassword, mechanism, USER, "guess"))
                .isInstanceOf(SaslAuthenticationException.class).hasMessageContaining("invalid credentials");
        assertThat(wrongPassword.isComplete()).isFalse();

        ScramServer unknownUser = new ScramServer(mechanism, () -> withAlice(mechanism), false);
        assertThatThrownBy(() -> exchange(unknownUser, mechanism, "mallory", PASSWORD))
                .isInstanceOf(SaslAuthenticationException.class).hasMessageContaining("invalid credentials");
    }

    @Test
    void aCredentialOfTheOtherMechanismDoesNotAuthenticate() {
        ScramServer server = new ScramServer(ScramMechanism.SCRAM_SHA_256,
                () -> withAlice(ScramMechanism.SCRAM_SHA_512), false);
        assertThatThrownBy(() -> exchange(server, ScramMechanism.SCRAM_SHA_256, USER, PASSWORD))
                .isInstanceOf(SaslAuthenticationException.class);
    }

    /** A client-final message with {@code nonce}, proven with the right password, as librdkafka builds it. */
    private static byte[] librdkafkaClientFinal(ScramMechanism mechanism, ClientFirstMessage clientFirst,
                                                ServerFirstMessage serverFirst, String nonce) throws Exception {
        ScramFormatter formatter = new ScramFormatter(mechanism);
        byte[] saltedPassword = formatter.saltedPassword(PASSWORD, serverFirst.salt(), serverFirst.iterations());
        ClientFinalMessage clientFinal = new ClientFinalMessage("n,,".getBytes(StandardCharsets.UTF_8), nonce);
        clientFinal.proof(formatter.clientProof(saltedPassword, clientFirst, serverFirst, clientFinal));
        return clientFinal.toBytes();
    }

    @Test
    void librdkafkasRepeatedClientNonceIsAcceptedUnlessStrict() throws Exception {
        ScramMechanism mechanism = ScramMechanism.SCRAM_SHA_256;
        for (boolean strict : new boolean[] {false, true}) {
            ScramServer server = new ScramServer(mechanism, () -> withAlice(mechanism), strict);
            ClientFirstMessage clientFirst = new ClientFirstMessage(USER, "clientnonce123", Map.of());
            ServerFirstMessage serverFirst = new ServerFirstMessage(server.evaluateResponse(clientFirst.toBytes()));
            // librdkafka before 2.6.1 puts its client nonce once more in front of the server nonce.
            byte[] clientFinal = librdkafkaClientFinal(mechanism, clientFirst, serverFirst,
                    clientFirst.nonce() + serverFirst.nonce());
            if (strict) {
                assertThatThrownBy(() -> server.evaluateResponse(clientFinal))
                        .isInstanceOf(SaslAuthenticationException.class).hasMessageContaining("nonce");
            } else {
                ServerFinalMessage serverFinal = new ServerFinalMessage(server.evaluateResponse(clientFinal));
                assertThat(serverFinal.error()).isNull();
                assertThat(server.getAuthorizationID()).isEqualTo(USER);
            }
        }
    }

    @Test
    void anyOtherNonceIsRefusedEvenWithAValidProof() throws Exception {
        ScramMechanism mechanism = ScramMechanism.SCRAM_SHA_256;
        ClientFirstMessage clientFirst = new ClientFirstMessage(USER, "clientnonce123", Map.of());
        String clientNonce = clientFirst.nonce();
        // A replay carries an older server nonce; the server nonce is never accepted in any other place.
        for (UnaryOperator<String> nonce : List.<UnaryOperator<String>>of(
                serverNonce -> clientNonce + "oldrandompart",
                serverNonce -> clientNonce + clientNonce + "oldrandompart",
                serverNonce -> serverNonce + clientNonce,
                serverNonce -> "x" + serverNonce)) {
            ScramServer server = new ScramServer(mechanism, () -> withAlice(mechanism), false);
            ServerFirstMessage serverFirst = new ServerFirstMessage(server.evaluateResponse(clientFirst.toBytes()));
            String sent = nonce.apply(serverFirst.nonce());
            byte[] clientFinal = librdkafkaClientFinal(mechanism, clientFirst, serverFirst, sent);
            assertThatThrownBy(() -> server.evaluateResponse(clientFinal)).as(sent)
                    .isInstanceOf(SaslAuthenticationException.class).hasMessageContaining("nonce");
        }
    }

    @Test
    void garbageAndMessagesAfterTheEndFailCleanly() throws Exception {
        ScramMechanism mechanism = ScramMechanism.SCRAM_SHA_512;
        ScramServer garbage = new ScramServer(mechanism, () -> withAlice(mechanism), false);
        assertThatThrownBy(() -> garbage.evaluateResponse(new byte[] {0, 1, 2, (byte) 0xff}))
                .isInstanceOf(SaslAuthenticationException.class);
        assertThatThrownBy(() -> garbage.evaluateResponse("n,,n=alice,r=abc".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SaslAuthenticationException.class).hasMessageContaining("failed");

        ScramServer done = new ScramServer(mechanism, () -> withAlice(mechanism), false);
        exchange(done, mechanism, USER, PASSWORD);
        assertThatThrownBy(() -> done.evaluateResponse(new byte[0])).isInstanceOf(SaslAuthenticationException.class);
    }

    @Test
    void anAuthorizationIdOtherThanTheUserIsRefused() throws SaslException {
        ScramMechanism mechanism = ScramMechanism.SCRAM_SHA_512;
        ScramServer server = new ScramServer(mechanism, () -> withAlice(mechanism), false);
        byte[] clientFirst = "n,a=admin,n=alice,r=nonce".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> server.evaluateResponse(clientFirst))
                .isInstanceOf(SaslAuthenticationException.class).hasMessageContaining("authorization id admin");
    }
}
