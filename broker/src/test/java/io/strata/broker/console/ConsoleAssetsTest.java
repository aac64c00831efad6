package io.strata.broker.console;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;

/** The console's files are served by the broker's HTTP port; the browser test drives them. */
@QuarkusTest
class ConsoleAssetsTest {

    @Test
    void theConsoleIsServedAtSlashConsole() {
        given().redirects().follow(false).get("/console").then().statusCode(301)
                .header("Location", endsWith("/console/"));
        given().get("/console/").then().statusCode(200)
                .contentType(containsString("text/html"))
                .body(containsString("<title>Strata console</title>"))
                // Before the script has fetched anything, the lists say they are loading rather than look empty.
                .body(containsString("<table id=\"topic-table\" aria-busy=\"true\">"))
                .body(containsString("<tr class=\"loading\"><td colspan=\"4\">Loading…</td></tr>"));
        given().get("/console/console.js").then().statusCode(200)
                .contentType(containsString("javascript"));
        given().get("/console/console.css").then().statusCode(200)
                .contentType(containsString("text/css"));
    }
}
