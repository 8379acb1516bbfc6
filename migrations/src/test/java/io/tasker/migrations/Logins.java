package io.tasker.migrations;

import io.tasker.testsupport.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The roles a test class creates, unique per run because roles are cluster-wide, and dropped (with
 * what they own) in reverse order of creation when the class ends; their connections are closed
 * first.
 */
final class Logins {

    private final TestDatabase.Database database;
    private final Connection admin;
    private final List<String> roles = new ArrayList<>();
    private final List<Connection> connections = new ArrayList<>();

    Logins(TestDatabase.Database database, Connection admin) {
        this.database = database;
        this.admin = admin;
    }

    /** A connection as a new LOGIN role in {@code group}, named {@code <prefix>_login_<random>}. */
    Connection login(String prefix, String group) throws SQLException {
        String role = prefix + "_login_" + UUID.randomUUID().toString().substring(0, 8);
        String password = UUID.randomUUID().toString();
        try (Statement st = admin.createStatement()) {
            st.execute(
                    "CREATE ROLE \""
                            + role
                            + "\" LOGIN PASSWORD '"
                            + password
                            + "' IN ROLE "
                            + group);
        }
        roles.add(role);
        Connection c = DriverManager.getConnection(database.jdbcUrl(), role, password);
        connections.add(c);
        return c;
    }

    /** Drops {@code role} with the others when the class ends. */
    void track(String role) {
        roles.add(role);
    }

    /** Closes the logins' connections and drops every role, newest first (after their groups). */
    void dropAll() throws SQLException {
        for (Connection c : connections) {
            c.close();
        }
        try (Statement st = admin.createStatement()) {
            for (int i = roles.size() - 1; i >= 0; i--) {
                st.execute("DROP OWNED BY \"" + roles.get(i) + "\"");
                st.execute("DROP ROLE IF EXISTS \"" + roles.get(i) + "\"");
            }
        }
    }
}
