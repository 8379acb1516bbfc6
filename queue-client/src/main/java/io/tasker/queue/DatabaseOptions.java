package io.tasker.queue;

import io.vertx.pgclient.PgConnectOptions;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Connection options for the dedicated LISTEN connection, taken from the service's datasource
 * settings (a CDI bean of both services: this jar carries a beans.xml).
 */
@ApplicationScoped
public class DatabaseOptions {

    @ConfigProperty(name = "quarkus.datasource.reactive.url")
    String url;

    @ConfigProperty(name = "quarkus.datasource.username")
    Optional<String> username;

    @ConfigProperty(name = "quarkus.datasource.password")
    Optional<String> password;

    public PgConnectOptions connectOptions() {
        String uri =
                url.startsWith("vertx-reactive:") ? url.substring("vertx-reactive:".length()) : url;
        PgConnectOptions options = PgConnectOptions.fromUri(uri);
        username.ifPresent(options::setUser);
        password.ifPresent(options::setPassword);
        return options;
    }
}
