package io.tasker.migrations;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractStringAssert;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Plain JDBC helpers for the SQL tests: one statement, positional arguments. */
final class Sql {

    /** The SQLSTATE of a statement refused for want of a privilege. */
    static final String INSUFFICIENT_PRIVILEGE = "42501";

    private Sql() {}

    static <T> T queryOne(Connection c, String sql, Class<T> type, Object... args)
            throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args);
                ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getObject(1, type) : null;
        }
    }

    static List<String> queryList(Connection c, String sql, Object... args) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (PreparedStatement ps = prepare(c, sql, args);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }

    /** The rows of a two-column query as a map from the first column to the second, in order. */
    static Map<String, String> queryMap(Connection c, String sql, Object... args)
            throws SQLException {
        Map<String, String> rows = new LinkedHashMap<>();
        try (PreparedStatement ps = prepare(c, sql, args);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.put(rs.getString(1), rs.getString(2));
            }
        }
        return rows;
    }

    static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args)) {
            return ps.executeUpdate();
        }
    }

    /** Runs a statement whose result, if any, is not needed (such as a void function call). */
    static void execute(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args)) {
            ps.execute();
        }
    }

    /** Asserts that {@code call} fails with an SQLException; the assertion goes on its SQLSTATE. */
    static AbstractStringAssert<?> sqlStateOf(ThrowingCallable call) {
        return sqlStateOf(call, "");
    }

    /**
     * Asserts that {@code call} fails with an SQLException whose message contains {@code error}
     * (the name a function raises); the assertion goes on its SQLSTATE.
     */
    static AbstractStringAssert<?> sqlStateOf(ThrowingCallable call, String error) {
        return assertThatThrownBy(call)
                .isInstanceOf(SQLException.class)
                .hasMessageContaining(error)
                .extracting(
                        e -> ((SQLException) e).getSQLState(), InstanceOfAssertFactories.STRING);
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... args)
            throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
        return ps;
    }
}
