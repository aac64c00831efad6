package io.strata.broker.server;

import io.quarkus.runtime.annotations.RegisterForReflection;
import org.apache.kafka.common.security.authenticator.DefaultLogin;
import org.apache.kafka.common.security.authenticator.SaslClientCallbackHandler;
import org.apache.kafka.common.security.plain.PlainLoginModule;
import org.apache.kafka.common.security.scram.ScramLoginModule;
import org.jgroups.protocols.raft.FileBasedLog;

/**
 * Classes a native executable must be able to instantiate by name, which the native image's analysis cannot
 * see because the broker never names them in a {@code new}. Only the JVM build is tested; the native build
 * ({@code -Dnative}) relies on these and on {@code META-INF/native-image/io.strata/strata-broker/reflect-config.json},
 * which registers every class JGroups' {@code jg-magic-map.xml} and {@code jg-protocol-ids.xml} name (JGroups
 * loads and constructs them all by name when its first channel starts; {@code NativeImageRegistrationsTest}
 * keeps that file in step with the JGroups on the classpath).
 */
@RegisterForReflection(targets = {
        // The inter-broker clients' JAAS configuration names its login module as text (InterBrokerClients),
        // and JAAS instantiates it by that name.
        PlainLoginModule.class,
        ScramLoginModule.class,
        // kafka-clients' SASL channel builder makes its login and client callback handler from Class objects
        // held in its configuration, through their no-argument constructors.
        DefaultLogin.class,
        SaslClientCallbackHandler.class,
        // RAFT instantiates its log by class name (RaftStack sets it as a name).
        FileBasedLog.class
}, classNames = {
        // Protocols are configured through reflection on their @Property fields, ours as JGroups' own.
        "io.strata.broker.cluster.StandingElection",
        // ScramLoginModule installs a java.security provider that names this factory as text; javax.security.sasl
        // instantiates it when the inter-broker client authenticates with SCRAM.
        "org.apache.kafka.common.security.scram.internals.ScramSaslClient$ScramSaslClientFactory"
})
public final class NativeImageRegistrations {

    private NativeImageRegistrations() {
    }
}
