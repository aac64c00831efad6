package io.strata.broker.rest;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.apache.kafka.common.KafkaException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.concurrent.CompletionException;

/**
 * Turns every failure of a REST call into a JSON {@link ErrorResponse}: the API's own failures, Kafka
 * errors (through {@link KafkaErrors}), unreadable JSON (400), and JAX-RS' own (unknown path 404,
 * wrong method 405, a body not declared JSON 415, see {@link JsonBodyFilter}). Only a failure of the
 * broker itself is a 500.
 */
public final class RestExceptionMappers {

    private static final Logger LOG = Logger.getLogger(RestExceptionMappers.class);

    @ServerExceptionMapper
    public Response restException(RestException e) {
        return respond(e);
    }

    @ServerExceptionMapper
    public Response kafkaException(KafkaException e) {
        return respond(KafkaErrors.toRest(e));
    }

    @ServerExceptionMapper
    public Response completionException(CompletionException e) {
        Throwable cause = KafkaErrors.unwrap(e);
        if (cause instanceof WebApplicationException web) {
            return webApplicationException(web);
        }
        if (cause instanceof JsonProcessingException json) {
            return unreadableJson(json);
        }
        return respond(KafkaErrors.toRest(cause));
    }

    // Declared for the subclasses too: quarkus-rest-jackson maps some of them itself, with another body.
    @ServerExceptionMapper({JsonProcessingException.class, JsonParseException.class, JsonMappingException.class,
            MismatchedInputException.class, InvalidFormatException.class})
    public Response unreadableJson(JsonProcessingException e) {
        return respond(RestException.badRequest("The request body is not valid JSON for this endpoint: "
                + e.getOriginalMessage()));
    }

    @ServerExceptionMapper
    public Response unsupportedMediaType(NotSupportedException e, HttpHeaders headers) {
        return respond(RestException.unsupportedMediaType(headers.getHeaderString(HttpHeaders.CONTENT_TYPE)));
    }

    @ServerExceptionMapper
    public Response webApplicationException(WebApplicationException e) {
        Throwable cause = e.getCause();
        if (cause instanceof JsonProcessingException json) {
            return unreadableJson(json);
        }
        int status = e.getResponse().getStatus();
        String message = e.getMessage() == null ? Response.Status.fromStatusCode(status).getReasonPhrase() : e.getMessage();
        return respond(new RestException(status, message));
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        return respond(KafkaErrors.toRest(e));
    }

    private static Response respond(RestException e) {
        if (e.status() >= 500) {
            LOG.warnf(e, "REST call failed: %s", e.getMessage());
        }
        return Response.status(e.status())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorResponse(e.status(), e.getMessage(), e.kafkaError()))
                .build();
    }
}
