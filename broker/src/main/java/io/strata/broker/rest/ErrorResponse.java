package io.strata.broker.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The body of every error answer.
 *
 * @param errorCode  the HTTP status
 * @param message    what went wrong, for a person
 * @param kafkaError the Kafka error behind it ({@code TOPIC_ALREADY_EXISTS}, ...), when there is one
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ErrorResponse(@JsonProperty("error_code") int errorCode,
                            @JsonProperty("message") String message,
                            @JsonProperty("kafka_error") String kafkaError) {
}
