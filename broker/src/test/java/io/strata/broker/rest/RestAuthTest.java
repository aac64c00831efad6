package io.strata.broker.rest;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/** With authentication switched on, /v3 needs the configured credentials; health and metrics stay open. */
@QuarkusTest
@TestProfile(RestAuthTest.AuthOn.class)
class RestAuthTest {

    public static class AuthOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("strata.http.auth.enabled", "true",
                    "strata.http.auth.username", "operator",
                    "strata.http.auth.password", "s3cret:with-colon");
        }
    }

    @Test
    void theApiNeedsTheConfiguredCredentials() {
        given().get("/v3/clusters").then().statusCode(401)
                .header("WWW-Authenticate", startsWith("Basic realm=\"strata\""))
                .body("error_code", equalTo(401));
        given().auth().preemptive().basic("operator", "wrong").get("/v3/clusters").then().statusCode(401);
        given().auth().preemptive().basic("someone", "s3cret:with-colon").get("/v3/clusters").then().statusCode(401);
        given().header("Authorization", "Basic not-base64!").get("/v3/clusters").then().statusCode(401);
        given().header("Authorization", "Bearer token").get("/v3/clusters").then().statusCode(401);
        given().get("/v3/no-such-path").then().statusCode(401);
        given().get("/console").then().statusCode(401);

        given().auth().preemptive().basic("operator", "s3cret:with-colon").get("/v3/clusters").then().statusCode(200)
                .body("kind", equalTo("KafkaClusterList"));
        given().auth().preemptive().basic("operator", "s3cret:with-colon").get("/v3/no-such-path").then().statusCode(404);
    }

    @Test
    void healthMetricsAndTheApiDocumentStayOpen() {
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
        given().get("/q/openapi").then().statusCode(200);
    }
}
