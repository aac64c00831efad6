package io.strata.broker.rest;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.strata.broker.server.BrokerLifecycle;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

/**
 * What every test of the /v3 endpoints starts from: the broker the application started, its
 * cluster id, which every path names, and the REST calls and error checks those tests share.
 * Subclasses are {@code @QuarkusTest}s with {@link RestTestProfile}.
 */
abstract class RestApiTest {

    @Inject
    BrokerLifecycle lifecycle;

    String cluster;

    @BeforeEach
    void clusterId() {
        cluster = lifecycle.broker().identity().clusterId();
    }

    String bootstrapServers() {
        return lifecycle.broker().bootstrapServers();
    }

    /** POSTs a JSON body to a path whose {@code {c}} is this cluster. */
    Response postJson(String path, Object body) {
        return given().contentType(ContentType.JSON).body(body).post(path, cluster);
    }

    void createTopic(String name, int partitions) {
        postJson("/v3/clusters/{c}/topics", Map.of("topic_name", name, "partitions_count", partitions))
                .then().statusCode(201);
    }

    static void badRequest(Response response) {
        response.then().statusCode(400).contentType(ContentType.JSON).body("error_code", equalTo(400));
    }

    /** A 400 whose {@code kafka_error} names the Kafka error behind it. */
    static void badRequest(Response response, String kafkaError) {
        badRequest(response);
        if (kafkaError != null) {
            response.then().body("kafka_error", equalTo(kafkaError));
        }
    }

    static void notFound(Response response) {
        response.then().statusCode(404).contentType(ContentType.JSON).body("error_code", equalTo(404));
    }
}
