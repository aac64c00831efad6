package io.strata.broker.protocol.handlers;

import io.strata.broker.cluster.MetadataCommand.CreateAcl;
import io.strata.broker.cluster.MetadataCommand.DeleteAcls;
import io.strata.broker.cluster.SecurityImage;
import io.strata.broker.protocol.RequestContext;
import io.strata.broker.security.Authorizer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.message.CreateAclsRequestData.AclCreation;
import org.apache.kafka.common.message.CreateAclsResponseData;
import org.apache.kafka.common.message.CreateAclsResponseData.AclCreationResult;
import org.apache.kafka.common.message.DeleteAclsResponseData;
import org.apache.kafka.common.message.DeleteAclsResponseData.DeleteAclsFilterResult;
import org.apache.kafka.common.message.DescribeAclsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.CreateAclsRequest;
import org.apache.kafka.common.requests.DeleteAclsRequest;
import org.apache.kafka.common.requests.DeleteAclsResponse;
import org.apache.kafka.common.requests.DescribeAclsRequest;
import org.apache.kafka.common.requests.DescribeAclsResponse;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.utils.SecurityUtils;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * CreateAcls, DescribeAcls and DeleteAcls ({@code kafka-acls}): the ACLs of the replicated metadata, validated as
 * Kafka validates them. Creating and deleting needs ALTER on the cluster, describing DESCRIBE on it. With the
 * authorizer off, each is answered {@code SECURITY_DISABLED}, as Kafka answers without an authorizer: ACLs that would
 * not be enforced are not stored.
 */
public final class AclsHandler {

    private final SecurityMetadata metadata;
    private final boolean authorizerEnabled;

    public AclsHandler(SecurityMetadata metadata, boolean authorizerEnabled) {
        this.metadata = metadata;
        this.authorizerEnabled = authorizerEnabled;
    }

    /** @throws SecurityDisabledException while the authorizer is off, which the router answers for every ACL */
    private void requireAuthorizer() {
        if (!authorizerEnabled) {
            throw new SecurityDisabledException("No authorizer is configured: set STRATA_AUTHORIZER_ENABLED=true.");
        }
    }

    public CompletionStage<CreateAclsResponseData> create(RequestContext context, CreateAclsRequest request) {
        requireAuthorizer();
        List<CompletableFuture<AclCreationResult>> results = new ArrayList<>();
        for (AclCreation creation : request.data().creations()) {
            if (!context.allowedOnCluster(AclOperation.ALTER)) {
                results.add(CompletableFuture.completedFuture(failed(Errors.CLUSTER_AUTHORIZATION_FAILED, null)));
                continue;
            }
            String invalid;
            AclBinding acl = null;
            try {
                acl = CreateAclsRequest.aclBinding(creation);
                invalid = invalidity(acl);
            } catch (RuntimeException e) {
                invalid = "Invalid ACL: " + e.getMessage();
            }
            results.add(invalid != null ? CompletableFuture.completedFuture(failed(Errors.INVALID_REQUEST, invalid))
                    : metadata.change(new CreateAcl(Uuid.randomUuid(), acl)).handle((result, error) ->
                    error != null ? failed(Errors.forException(Futures.cause(error)), Futures.cause(error).getMessage())
                            : result.isError() ? failed(result.error(), result.message()) : new AclCreationResult()));
        }
        return Futures.all(results).thenApply(all -> new CreateAclsResponseData().setResults(all));
    }

    private static AclCreationResult failed(Errors error, String message) {
        return new AclCreationResult().setErrorCode(error.code()).setErrorMessage(message == null ? error.message() : message);
    }

    /** Why Kafka would refuse to store {@code acl}; null if it would not. */
    private static String invalidity(AclBinding acl) {
        if (acl.isUnknown()) {
            return "ACL has an unknown resource type, pattern type, operation or permission: " + acl;
        }
        ResourceType type = acl.pattern().resourceType();
        PatternType pattern = acl.pattern().patternType();
        if (type == ResourceType.ANY || pattern != PatternType.LITERAL && pattern != PatternType.PREFIXED
                || acl.entry().operation() == AclOperation.ANY
                || acl.entry().permissionType() == AclPermissionType.ANY) {
            return "ACL must name a resource type, a LITERAL or PREFIXED pattern, an operation and a permission: " + acl;
        }
        if (acl.pattern().name().isEmpty()) {
            return "Resource name must not be empty";
        }
        if (type == ResourceType.CLUSTER && !acl.pattern().name().equals(Authorizer.CLUSTER)) {
            return "The only valid name for the CLUSTER resource is " + Authorizer.CLUSTER;
        }
        try {
            SecurityUtils.parseKafkaPrincipal(acl.entry().principal());
        } catch (IllegalArgumentException e) {
            return "Invalid principal '" + acl.entry().principal() + "': " + e.getMessage();
        }
        return acl.entry().host() == null || acl.entry().host().isEmpty() ? "Host must not be empty (* for any)" : null;
    }

    public CompletionStage<DescribeAclsResponseData> describe(RequestContext context, DescribeAclsRequest request) {
        requireAuthorizer();
        DescribeAclsResponseData response = new DescribeAclsResponseData();
        if (!context.allowedOnCluster(AclOperation.DESCRIBE)) {
            return CompletableFuture.completedFuture(response.setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code())
                    .setErrorMessage(Errors.CLUSTER_AUTHORIZATION_FAILED.message()));
        }
        AclBindingFilter filter = request.filter();
        if (filter.isUnknown()) {
            return CompletableFuture.completedFuture(response.setErrorCode(Errors.INVALID_REQUEST.code())
                    .setErrorMessage("The filter has an unknown field: " + filter));
        }
        List<AclBinding> matching = metadata.current().acls().values().stream().filter(filter::matches).toList();
        return CompletableFuture.completedFuture(response.setResources(DescribeAclsResponse.aclsResources(matching)));
    }

    public CompletionStage<DeleteAclsResponseData> delete(RequestContext context, DeleteAclsRequest request) {
        requireAuthorizer();
        List<CompletableFuture<DeleteAclsFilterResult>> results = new ArrayList<>();
        SecurityImage image = metadata.current();
        for (AclBindingFilter filter : request.filters()) {
            if (!context.allowedOnCluster(AclOperation.ALTER)) {
                results.add(CompletableFuture.completedFuture(new DeleteAclsFilterResult()
                        .setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code())
                        .setErrorMessage(Errors.CLUSTER_AUTHORIZATION_FAILED.message())));
                continue;
            }
            if (filter.isUnknown()) {
                results.add(CompletableFuture.completedFuture(new DeleteAclsFilterResult()
                        .setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("The filter has an unknown field")));
                continue;
            }
            List<Uuid> ids = new ArrayList<>();
            List<AclBinding> matching = new ArrayList<>();
            image.acls().forEach((id, acl) -> {
                if (filter.matches(acl)) {
                    ids.add(id);
                    matching.add(acl);
                }
            });
            results.add(ids.isEmpty() ? CompletableFuture.completedFuture(new DeleteAclsFilterResult())
                    : metadata.change(new DeleteAcls(ids)).handle((result, error) -> {
                        ApiError outcome = error != null ? ApiError.fromThrowable(Futures.cause(error))
                                : result.isError() ? new ApiError(result.error(), result.message()) : ApiError.NONE;
                        return new DeleteAclsFilterResult().setMatchingAcls(matching.stream()
                                .map(acl -> DeleteAclsResponse.matchingAcl(acl, outcome)).toList());
                    }));
        }
        return Futures.all(results).thenApply(all -> new DeleteAclsResponseData().setFilterResults(all));
    }
}
