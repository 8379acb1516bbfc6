package io.tasker.local;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A database login for workers other than the stack's JVM worker (e.g. {@code
 * clients/node-worker}), scoped to the namespaces {@code TASKER_LOCAL_EXTRA_WORKER_NAMESPACES}
 * lists with {@code tasker.grant_worker_namespaces} (decision 004), so that they connect as a
 * worker and not as the owner. {@code ./tasker up} prints its connection URL as {@code
 * TASKER_WORKER_DB_URL=postgresql://...}.
 */
final class ExtraWorkerLogin {

    /** The login's role name. */
    static final String ROLE = "tasker_local_extra_worker";

    private final int pgPort;
    private final List<String> namespaces;
    private final String password;

    private ExtraWorkerLogin(int pgPort, List<String> namespaces, String password) {
        this.pgPort = pgPort;
        this.namespaces = namespaces;
        this.password = password;
    }

    /** The login the environment asks for; empty when no extra namespace is listed. */
    static Optional<ExtraWorkerLogin> fromEnvironment(int pgPort) {
        String list = System.getenv("TASKER_LOCAL_EXTRA_WORKER_NAMESPACES");
        List<String> namespaces =
                list == null
                        ? List.of()
                        : Arrays.stream(list.split(","))
                                .map(String::trim)
                                .filter(n -> !n.isEmpty())
                                .toList();
        if (namespaces.isEmpty()) {
            return Optional.empty();
        }
        String password = System.getenv("TASKER_LOCAL_EXTRA_WORKER_PASSWORD");
        return Optional.of(
                new ExtraWorkerLogin(
                        pgPort,
                        namespaces,
                        password == null || password.isBlank() ? "tasker-local-worker" : password));
    }

    /** Creates (or updates) the login and prints the URL a worker connects with. */
    void createAndPrint() {
        try {
            create();
        } catch (SQLException e) {
            System.out.println(
                    "[tasker] cannot create the worker login "
                            + ROLE
                            + " for "
                            + namespaces
                            + ": "
                            + e.getMessage());
            System.out.flush();
            return;
        }
        System.out.println(
                "  Worker login "
                        + ROLE
                        + " for namespaces "
                        + String.join(",", namespaces)
                        + " (other workers, e.g. clients/node-worker):");
        System.out.println("    TASKER_WORKER_DB_URL=" + url());
        System.out.flush();
    }

    String url() {
        return "postgresql://"
                + ROLE
                + ":"
                + URLEncoder.encode(password, StandardCharsets.UTF_8)
                + "@localhost:"
                + pgPort
                + "/tasker";
    }

    private void create() throws SQLException {
        String jdbc = "jdbc:postgresql://localhost:" + pgPort + "/tasker";
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", "postgres");
                PreparedStatement grant =
                        c.prepareStatement(
                                "SELECT tasker.grant_worker_namespaces(?::name, ?::text[])");
                PreparedStatement login =
                        c.prepareStatement(
                                "SELECT pg_catalog.format('ALTER ROLE %I LOGIN PASSWORD %L', ?, ?)")) {
            grant.setString(1, ROLE);
            grant.setArray(2, c.createArrayOf("text", namespaces.toArray()));
            grant.execute();
            login.setString(1, ROLE);
            login.setString(2, password);
            try (ResultSet rs = login.executeQuery();
                    Statement st = c.createStatement()) {
                rs.next();
                st.execute(rs.getString(1));
            }
        }
    }
}
