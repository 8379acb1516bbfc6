package io.tasker.orchestrator;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.tasker.testsupport.TestDatabase;
import java.util.Map;

/**
 * A fresh, empty database per test profile; the orchestrator migrates it at start like in
 * production.
 */
public class DatabaseResource implements QuarkusTestResourceLifecycleManager {

    static volatile TestDatabase.Database database;

    @Override
    public Map<String, String> start() {
        database = TestDatabase.freshEmpty("orchestrator");
        return Map.of(
                "quarkus.datasource.reactive.url", database.reactiveUrl(),
                "quarkus.datasource.jdbc.url", database.jdbcUrl(),
                "quarkus.datasource.username", database.user(),
                "quarkus.datasource.password", database.password());
    }

    @Override
    public void stop() {}
}
