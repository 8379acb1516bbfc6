package io.tasker.orchestrator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Health and metrics are served by the management interface, on its own port and without
 * credentials, and never on the API port; the API's description stays on the API port.
 */
@QuarkusTest
@QuarkusTestResource(value = DatabaseResource.class, restrictToAnnotatedClass = true)
class ManagementInterfaceTest {

    /** A bare client: no RestAssured defaults, so certainly no credentials. */
    private static final HttpClient BARE =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TestHTTPResource(value = "health", management = true)
    URL health;

    @TestHTTPResource(value = "health/ready", management = true)
    URL ready;

    @TestHTTPResource(value = "health/live", management = true)
    URL live;

    @TestHTTPResource(value = "metrics", management = true)
    URL metrics;

    @TestHTTPResource(value = "openapi", management = true)
    URL openapiOnManagement;

    @TestHTTPResource("/")
    URL api;

    @Test
    void health_and_metrics_answer_on_the_management_port_without_credentials() throws Exception {
        assertThat(ready.getPort()).isPositive().isNotEqualTo(api.getPort());
        for (URL url : List.of(health, ready, live)) {
            HttpResponse<String> answer = bareGet(url);
            assertThat(answer.statusCode()).as("GET %s", url).isEqualTo(200);
            assertThat(JsonPath.from(answer.body()).getString("status"))
                    .as("GET %s", url)
                    .isEqualTo("UP");
        }
        HttpResponse<String> scrape = bareGet(metrics);
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body()).contains("jvm_memory_used_bytes");
    }

    @Test
    void the_api_port_serves_neither_health_nor_metrics() {
        for (String path :
                List.of("/q/health", "/q/health/ready", "/q/health/live", "/q/metrics")) {
            given().get(path).then().statusCode(404);
        }
    }

    @Test
    void the_api_description_stays_on_the_api_port() throws Exception {
        given().get("/q/openapi").then().statusCode(200);
        assertThat(bareGet(openapiOnManagement).statusCode()).isEqualTo(404);
    }

    private static HttpResponse<String> bareGet(URL url) throws IOException, InterruptedException {
        try {
            return BARE.send(
                    HttpRequest.newBuilder(url.toURI()).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(url.toString(), e);
        }
    }
}
