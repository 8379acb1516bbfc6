package io.tasker.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Finds a PostgreSQL server for tests and hands out fresh databases with the real migrations
 * applied.
 *
 * <p>The server is chosen once per JVM, in this order: {@code TASKER_TEST_DB_URL} (a JDBC URL to a
 * database whose user may create databases; {@code TASKER_TEST_DB_USER} and {@code
 * TASKER_TEST_DB_PASSWORD} give the credentials), then Testcontainers with the pgmq image when a
 * Docker engine answers, then an embedded PostgreSQL 17 started from Maven artifacts.
 */
public final class TestDatabase {

    /** The pgmq image used when a Docker engine is available; pinned like docker-compose.yml. */
    public static final String PGMQ_IMAGE = "ghcr.io/pgmq/pg17-pgmq:v1.7.0";

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static volatile Server server;

    private TestDatabase() {}

    /** Connection details of one database. */
    public record Database(String host, int port, String name, String user, String password) {

        public String jdbcUrl() {
            return "jdbc:postgresql://" + host + ":" + port + "/" + name;
        }

        /** A URL for the Vert.x reactive client ({@code quarkus.datasource.reactive.url}). */
        public String reactiveUrl() {
            return "postgresql://" + host + ":" + port + "/" + name;
        }

        public Connection connect() throws SQLException {
            return DriverManager.getConnection(jdbcUrl(), user, password);
        }
    }

    /** What kind of server the tests run against, for reports and skips. */
    public enum Source {
        ENVIRONMENT,
        TESTCONTAINERS,
        EMBEDDED
    }

    private record Server(Source source, Database admin, AutoCloseable handle) {}

    /** Which server this JVM uses (starting it when needed). */
    public static Source source() {
        return server().source();
    }

    /** The administrative database of the server (used to create and drop test databases). */
    public static Database adminDatabase() {
        return server().admin();
    }

    /** A new empty database with every migration applied. */
    public static Database freshMigrated(String purpose) {
        Database db = freshEmpty(purpose);
        migrate(db);
        return db;
    }

    /** A new database without migrations (for tests that run Flyway themselves). */
    public static Database freshEmpty(String purpose) {
        return freshEmpty(server().admin(), purpose);
    }

    /** A new empty database on the server of {@code admin}. */
    public static Database freshEmpty(Database admin, String purpose) {
        String label = purpose.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "_");
        if (label.length() > 40) {
            label = label.substring(0, 40);
        }
        String name =
                "t_"
                        + label
                        + "_"
                        + COUNTER.incrementAndGet()
                        + "_"
                        + UUID.randomUUID().toString().substring(0, 8);
        try (Connection c = admin.connect();
                Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE \"" + name + "\"");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        return new Database(admin.host(), admin.port(), name, admin.user(), admin.password());
    }

    /** Applies the project's migrations (classpath {@code db/migration}) to a database. */
    public static void migrate(Database db) {
        Flyway.configure()
                .dataSource(db.jdbcUrl(), db.user(), db.password())
                .locations("classpath:db/migration")
                .load()
                .migrate();
    }

    private static Server server() {
        Server s = server;
        if (s == null) {
            synchronized (TestDatabase.class) {
                s = server;
                if (s == null) {
                    s = startServer();
                    server = s;
                    Server started = s;
                    Runtime.getRuntime()
                            .addShutdownHook(
                                    new Thread(
                                            () -> {
                                                try {
                                                    if (started.handle() != null) {
                                                        started.handle().close();
                                                    }
                                                } catch (Exception ignored) {
                                                    // the JVM is exiting
                                                }
                                            }));
                }
            }
        }
        return s;
    }

    private static Server startServer() {
        String url = System.getenv("TASKER_TEST_DB_URL");
        if (url != null && !url.isBlank()) {
            return fromUrl(url);
        }
        if (dockerLikelyPresent()) {
            Server s = tryTestcontainers();
            if (s != null) {
                return s;
            }
        }
        return embedded();
    }

    private static Server fromUrl(String url) {
        String jdbc = url.startsWith("jdbc:") ? url : "jdbc:" + url;
        java.net.URI uri = java.net.URI.create(jdbc.substring("jdbc:".length()));
        String user = envOr("TASKER_TEST_DB_USER", "postgres");
        String password = envOr("TASKER_TEST_DB_PASSWORD", "postgres");
        String db =
                uri.getPath() == null || uri.getPath().length() <= 1
                        ? "postgres"
                        : uri.getPath().substring(1);
        int port = uri.getPort() < 0 ? 5432 : uri.getPort();
        return new Server(
                Source.ENVIRONMENT, new Database(uri.getHost(), port, db, user, password), null);
    }

    private static boolean dockerLikelyPresent() {
        return System.getenv("DOCKER_HOST") != null
                || Files.exists(Path.of("/var/run/docker.sock"))
                || Files.exists(
                        Path.of(System.getProperty("user.home"), ".docker", "run", "docker.sock"));
    }

    private static Server tryTestcontainers() {
        try {
            if (!org.testcontainers.DockerClientFactory.instance().isDockerAvailable()) {
                return null;
            }
            PostgreSQLContainer<?> container =
                    new PostgreSQLContainer<>(
                            DockerImageName.parse(PGMQ_IMAGE)
                                    .asCompatibleSubstituteFor("postgres"));
            container.start();
            Database admin =
                    new Database(
                            container.getHost(),
                            container.getMappedPort(5432),
                            container.getDatabaseName(),
                            container.getUsername(),
                            container.getPassword());
            return new Server(Source.TESTCONTAINERS, admin, container::stop);
        } catch (RuntimeException | Error e) {
            return null;
        }
    }

    private static Server embedded() {
        try {
            Path dir = Files.createTempDirectory("tasker-embedded-pg");
            EmbeddedPostgres pg =
                    EmbeddedPostgres.builder()
                            .setDataDirectory(dir.resolve("data"))
                            .setCleanDataDirectory(true)
                            .setServerConfig("max_connections", "300")
                            .setServerConfig("fsync", "off")
                            .setServerConfig("synchronous_commit", "off")
                            .setServerConfig("full_page_writes", "off")
                            .start();
            Database admin =
                    new Database("localhost", pg.getPort(), "postgres", "postgres", "postgres");
            return new Server(Source.EMBEDDED, admin, pg);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start embedded PostgreSQL", e);
        }
    }

    /**
     * An embedded PostgreSQL of its own that a test may stop and start again on the same port and
     * data directory, to prove the services ride out a database restart.
     */
    public static final class RestartableServer implements AutoCloseable {
        private final Path dataDir;
        private final int port;
        private EmbeddedPostgres pg;

        private RestartableServer(Path dataDir, int port) {
            this.dataDir = dataDir;
            this.port = port;
        }

        public static RestartableServer startNew() {
            try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
                RestartableServer server =
                        new RestartableServer(
                                Files.createTempDirectory("tasker-restartable-pg"),
                                s.getLocalPort());
                s.close();
                server.start();
                return server;
            } catch (IOException e) {
                throw new IllegalStateException("cannot start a restartable PostgreSQL", e);
            }
        }

        public synchronized void start() {
            try {
                pg =
                        EmbeddedPostgres.builder()
                                .setPort(port)
                                .setDataDirectory(dataDir.resolve("data"))
                                .setCleanDataDirectory(false)
                                .setServerConfig("max_connections", "200")
                                .setServerConfig("fsync", "off")
                                .start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot start PostgreSQL on port " + port, e);
            }
        }

        /** A fast shutdown: connections are dropped, as in a database restart. */
        public synchronized void stop() {
            try {
                if (pg != null) {
                    pg.close();
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } finally {
                pg = null;
            }
        }

        public Database admin() {
            return new Database("localhost", port, "postgres", "postgres", "postgres");
        }

        @Override
        public void close() {
            stop();
        }
    }

    private static String envOr(String key, String fallback) {
        String v = System.getenv(key);
        return v == null || v.isBlank() ? fallback : v;
    }
}
