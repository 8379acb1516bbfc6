package io.tasker.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceProcessTest {

    @TempDir Path dir;

    @Test
    void a_missing_jar_is_refused_with_how_to_build_it() {
        assertThatThrownBy(() -> ServiceProcess.packagedJar(dir, "worker-service"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(
                        dir.resolve("worker-service/target/quarkus-app/quarkus-run.jar").toString())
                .hasMessageContaining("mvn -B -DskipTests package");
    }

    @Test
    void a_service_that_exits_before_it_is_ready_fails_at_once_showing_its_log() {
        Path log = dir.resolve("logs/broken.log");
        ServiceProcess.Builder broken =
                ServiceProcess.builder("broken", dir.resolve("not-a.jar"))
                        .log(log)
                        .readyTimeout(Duration.ofMinutes(5));

        assertThatThrownBy(broken::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("broken(pid ")
                .hasMessageContaining(" exited:")
                .hasMessageContaining("not-a.jar");
        assertThat(log).exists();
        assertThat(Files.isDirectory(dir.resolve("logs"))).isTrue();
    }

    @Test
    void a_service_without_a_log_file_is_not_started() {
        assertThatThrownBy(() -> ServiceProcess.builder("nolog", dir.resolve("x.jar")).launch())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("no log file given for nolog");
    }

    @Test
    void the_http_and_management_ports_are_the_ones_given_or_free_ones() {
        int given = ServiceProcess.freePort();
        int givenManagement = ServiceProcess.freePort();
        ServiceProcess fixed =
                ServiceProcess.builder("fixed", dir.resolve("x.jar"))
                        .port(given)
                        .managementPort(givenManagement)
                        .log(dir.resolve("fixed.log"))
                        .launch();
        ServiceProcess picked =
                ServiceProcess.builder("picked", dir.resolve("x.jar"))
                        .log(dir.resolve("picked.log"))
                        .launch();
        try {
            assertThat(fixed.port()).isEqualTo(given);
            assertThat(fixed.baseUrl()).isEqualTo("http://localhost:" + given);
            assertThat(fixed.managementPort()).isEqualTo(givenManagement);
            assertThat(fixed.managementUrl()).isEqualTo("http://localhost:" + givenManagement);
            assertThat(picked.port()).isPositive();
            assertThat(picked.managementPort()).isPositive().isNotEqualTo(picked.port());
        } finally {
            fixed.stop(Duration.ofSeconds(10));
            picked.stop(Duration.ofSeconds(10));
        }
        assertThat(fixed.alive()).isFalse();
        assertThat(picked.alive()).isFalse();
    }
}
