package io.tasker.orchestrator;

import io.tasker.testsupport.TestDatabase;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads of the test database, to prove what was (not) written: plain JDBC, or the application's own
 * pool.
 */
public final class Sql {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private Sql() {}

    /** The first row of {@code sql} with these arguments, run on the application's pool. */
    public static Row firstRow(Pool pool, String sql, Tuple args) {
        return pool.preparedQuery(sql)
                .execute(args)
                .map(rows -> rows.iterator().next())
                .await()
                .atMost(WAIT);
    }

    static long count(String sql) {
        try (Connection c = DatabaseResource.database.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs a statement on a connection of its own (as another orchestrator would). */
    static void execute(String sql) {
        try (Connection c = DatabaseResource.database.connect();
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Row count and an md5 of the rows of every table in schemas {@code tasker} and {@code pgmq}:
     * two equal fingerprints mean no row was inserted, changed or deleted.
     */
    static synchronized Map<String, String> fingerprint() {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            // One connection per database: property tests take a fingerprint per request. The
            // table list is read each time, so that a table created by a request shows up.
            if (fingerprintConnection == null
                    || !fingerprintConnection.isValid(5)
                    || fingerprintDatabase != DatabaseResource.database) {
                fingerprintDatabase = DatabaseResource.database;
                fingerprintConnection = fingerprintDatabase.connect();
            }
            try (Statement s = fingerprintConnection.createStatement();
                    ResultSet rs = s.executeQuery(fingerprintQuery(s))) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static Connection fingerprintConnection;
    private static TestDatabase.Database fingerprintDatabase;

    private static String fingerprintQuery(Statement s) throws SQLException {
        StringBuilder query = new StringBuilder();
        try (ResultSet rs =
                s.executeQuery(
                        "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name)"
                                + " FROM information_schema.tables WHERE table_schema IN"
                                + " ('tasker', 'pgmq') AND table_type = 'BASE TABLE'"
                                + " ORDER BY 1")) {
            while (rs.next()) {
                String table = rs.getString(1);
                if (query.length() > 0) {
                    query.append(" UNION ALL ");
                }
                // Sorted by the row text so that the physical order does not matter.
                query.append("SELECT '")
                        .append(table)
                        .append("', count(*) || ':' || coalesce(md5(string_agg(t::text, '|'")
                        .append(" ORDER BY t::text)), '') FROM ")
                        .append(table)
                        .append(" t");
            }
        }
        return query.toString();
    }
}
