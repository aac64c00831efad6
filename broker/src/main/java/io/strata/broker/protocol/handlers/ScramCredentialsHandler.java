package io.strata.broker.protocol.handlers;

import io.strata.broker.cluster.MetadataCommand;
import io.strata.broker.cluster.MetadataCommand.DeleteScramCredential;
import io.strata.broker.cluster.MetadataCommand.UpsertScramCredential;
import io.strata.broker.cluster.MetadataResult;
import io.strata.broker.cluster.ScramCredentialImage;
import io.strata.broker.cluster.SecurityImage;
import io.strata.broker.protocol.RequestContext;
import io.strata.broker.security.ScramCredentials;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialDeletion;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialUpsertion;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData.AlterUserScramCredentialsResult;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData.UserName;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.CredentialInfo;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.DescribeUserScramCredentialsResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterUserScramCredentialsRequest;
import org.apache.kafka.common.requests.DescribeUserScramCredentialsRequest;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * DescribeUserScramCredentials and AlterUserScramCredentials ({@code kafka-configs --entity-type users}): users'
 * SCRAM credentials in the replicated metadata. A client sends the salted password, never the password; the
 * broker keeps only the keys derived from it. A user's alterations are refused together when one of them is invalid;
 * valid ones are applied one after the other, and the user's result is the first that failed, with Kafka's error
 * codes (Kafka applies them in one step). Describing needs DESCRIBE on the cluster, altering ALTER; a client without it gets
 * {@code CLUSTER_AUTHORIZATION_FAILED} for every user it named.
 */
public final class ScramCredentialsHandler {

    private final SecurityMetadata metadata;

    public ScramCredentialsHandler(SecurityMetadata metadata) {
        this.metadata = metadata;
    }

    public CompletionStage<DescribeUserScramCredentialsResponseData> describe(RequestContext context,
                                                                             DescribeUserScramCredentialsRequest request) {
        // The error response names each user asked for, and cannot be made for a request for all (a null list).
        DescribeUserScramCredentialsRequest answerable = request.data().users() != null ? request
                : new DescribeUserScramCredentialsRequest.Builder(request.data().duplicate().setUsers(List.of()))
                        .build(request.version());
        return Authorizations.onCluster(context, AclOperation.DESCRIBE, answerable, () -> describe(answerable));
    }

    private CompletionStage<DescribeUserScramCredentialsResponseData> describe(DescribeUserScramCredentialsRequest request) {
        Map<String, Map<ScramMechanism, ScramCredentialImage>> users = metadata.current().scramCredentials();
        List<UserName> asked = request.data().users();
        List<DescribeUserScramCredentialsResult> results = new ArrayList<>();
        if (asked == null || asked.isEmpty()) {
            users.forEach((user, credentials) -> results.add(described(user, credentials)));
        } else {
            Map<String, Integer> times = new LinkedHashMap<>();
            asked.forEach(name -> times.merge(name.name(), 1, Integer::sum));
            times.forEach((user, count) -> {
                DescribeUserScramCredentialsResult result = new DescribeUserScramCredentialsResult().setUser(user);
                if (count > 1) {
                    results.add(result.setErrorCode(Errors.DUPLICATE_RESOURCE.code()).setErrorMessage(
                            "Cannot describe SCRAM credentials for the same user twice in a single request: " + user));
                } else if (!users.containsKey(user)) {
                    results.add(result.setErrorCode(Errors.RESOURCE_NOT_FOUND.code())
                            .setErrorMessage("Attempt to describe a user credential that does not exist: " + user));
                } else {
                    results.add(described(user, users.get(user)));
                }
            });
        }
        return CompletableFuture.completedFuture(new DescribeUserScramCredentialsResponseData().setResults(results));
    }

    private static DescribeUserScramCredentialsResult described(String user,
                                                                 Map<ScramMechanism, ScramCredentialImage> credentials) {
        List<CredentialInfo> infos = new ArrayList<>();
        credentials.forEach((mechanism, credential) -> infos.add(new CredentialInfo()
                .setMechanism(mechanism.type()).setIterations(credential.iterations())));
        return new DescribeUserScramCredentialsResult().setUser(user).setCredentialInfos(infos);
    }

    public CompletionStage<AlterUserScramCredentialsResponseData> alter(RequestContext context,
                                                                       AlterUserScramCredentialsRequest request) {
        return Authorizations.onCluster(context, AclOperation.ALTER, request, () -> alter(request));
    }

    private CompletionStage<AlterUserScramCredentialsResponseData> alter(AlterUserScramCredentialsRequest request) {
        Map<String, List<Alteration>> byUser = new LinkedHashMap<>();
        request.data().deletions().forEach(deletion ->
                byUser.computeIfAbsent(deletion.name(), user -> new ArrayList<>()).add(deletion(deletion)));
        request.data().upsertions().forEach(upsertion ->
                byUser.computeIfAbsent(upsertion.name(), user -> new ArrayList<>()).add(upsertion(upsertion)));
        List<CompletableFuture<AlterUserScramCredentialsResult>> results = new ArrayList<>();
        byUser.forEach((user, alterations) -> {
            Alteration refused = refusal(alterations);
            results.add(refused != null ? CompletableFuture.completedFuture(new AlterUserScramCredentialsResult()
                    .setUser(user).setErrorCode(refused.error().code()).setErrorMessage(refused.message()))
                    : applied(user, alterations.stream().map(Alteration::command).toList()));
        });
        return Futures.all(results).thenApply(all -> new AlterUserScramCredentialsResponseData().setResults(all));
    }

    /** One alteration a request asks for: the command that makes it, or the error that refuses it. */
    private record Alteration(byte mechanism, MetadataCommand command, Errors error, String message) {

        static Alteration refused(byte mechanism, Errors error, String message) {
            return new Alteration(mechanism, null, error, message);
        }
    }

    /** The error that refuses all of a user's alterations, when one is refused or alters a mechanism twice. */
    private static Alteration refusal(List<Alteration> alterations) {
        Set<Byte> mechanisms = new HashSet<>();
        for (Alteration alteration : alterations) {
            if (!mechanisms.add(alteration.mechanism())) {
                return Alteration.refused(alteration.mechanism(), Errors.DUPLICATE_RESOURCE,
                        "A user credential cannot be altered twice in the same request");
            }
        }
        return alterations.stream().filter(alteration -> alteration.error() != null).findFirst().orElse(null);
    }

    private static Alteration deletion(ScramCredentialDeletion deletion) {
        ScramMechanism mechanism = SecurityImage.scramMechanism(deletion.mechanism()).orElse(null);
        Alteration refused = refusal(deletion.name(), deletion.mechanism(), mechanism);
        return refused != null ? refused
                : new Alteration(deletion.mechanism(), new DeleteScramCredential(deletion.name(), mechanism), null, null);
    }

    private static Alteration upsertion(ScramCredentialUpsertion upsertion) {
        byte type = upsertion.mechanism();
        ScramMechanism mechanism = SecurityImage.scramMechanism(type).orElse(null);
        Alteration refused = refusal(upsertion.name(), type, mechanism);
        if (refused != null) {
            return refused;
        }
        if (upsertion.iterations() < mechanism.minIterations()) {
            return Alteration.refused(type, Errors.UNACCEPTABLE_CREDENTIAL, "Too few iterations");
        }
        if (upsertion.iterations() > mechanism.maxIterations()) {
            return Alteration.refused(type, Errors.UNACCEPTABLE_CREDENTIAL, "Too many iterations");
        }
        if (upsertion.salt().length == 0 || upsertion.saltedPassword().length == 0) {
            return Alteration.refused(type, Errors.UNACCEPTABLE_CREDENTIAL, "Salt and salted password must not be empty");
        }
        return new Alteration(type, new UpsertScramCredential(upsertion.name(), mechanism,
                ScramCredentials.fromSaltedPassword(mechanism, upsertion.salt(), upsertion.saltedPassword(),
                        upsertion.iterations()), true), null, null);
    }

    private static Alteration refusal(String user, byte type, ScramMechanism mechanism) {
        if (user.isEmpty()) {
            return Alteration.refused(type, Errors.UNACCEPTABLE_CREDENTIAL, "Username must not be empty");
        }
        return mechanism == null ? Alteration.refused(type, Errors.UNSUPPORTED_SASL_MECHANISM, "Unknown SCRAM mechanism")
                : null;
    }

    /** Submits a user's commands in order; the result is the first failure, or success. */
    private CompletableFuture<AlterUserScramCredentialsResult> applied(String user, List<MetadataCommand> userCommands) {
        CompletableFuture<MetadataResult> chain = CompletableFuture.completedFuture(MetadataResult.ok());
        for (MetadataCommand command : userCommands) {
            chain = chain.thenCompose(previous -> previous.isError() ? CompletableFuture.completedFuture(previous)
                    : metadata.change(command));
        }
        return chain.handle((result, error) -> {
            AlterUserScramCredentialsResult answer = new AlterUserScramCredentialsResult().setUser(user);
            if (error != null) {
                Errors code = Errors.forException(Futures.cause(error));
                return answer.setErrorCode(code.code()).setErrorMessage(code.message());
            }
            return result.isError() ? answer.setErrorCode(result.error().code()).setErrorMessage(result.message())
                    : answer;
        });
    }

}
