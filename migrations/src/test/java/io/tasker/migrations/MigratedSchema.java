package io.tasker.migrations;

import io.tasker.testsupport.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The set-up the SQL test classes share, registered as a static {@code @RegisterExtension} field:
 * before the class's tests a fresh migrated database, an admin connection, namespace {@code
 * <namespace>} with its worker queue and one template; after them the login roles the class made
 * are dropped and the connections closed.
 */
final class MigratedSchema implements BeforeAllCallback, AfterAllCallback {

    private final String purpose;
    private final String namespace;
    private final String templateName;
    private final String templateJson;

    /** What {@link #beforeAll} made for the class. */
    private record Made(
            TestDatabase.Database database,
            Connection admin,
            Logins logins,
            String queue,
            UUID template) {}

    private Made made;

    /**
     * @param purpose names the test database
     * @param namespace the namespace registered, whose queue is {@code worker_<namespace>_queue}
     * @param templateName the template stored (version 1.0.0) in that namespace
     * @param templateJson the template's configuration JSON
     */
    MigratedSchema(String purpose, String namespace, String templateName, String templateJson) {
        this.purpose = purpose;
        this.namespace = namespace;
        this.templateName = templateName;
        this.templateJson = templateJson;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws SQLException {
        TestDatabase.Database database = TestDatabase.freshMigrated(purpose);
        Connection admin = database.connect();
        try {
            made =
                    new Made(
                            database,
                            admin,
                            new Logins(database, admin),
                            Workflows.namespace(admin, namespace),
                            Workflows.template(admin, namespace, templateName, templateJson));
        } catch (SQLException | RuntimeException e) {
            admin.close();
            throw e;
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws SQLException {
        if (made != null) {
            try {
                made.logins().dropAll();
            } finally {
                made.admin().close();
            }
        }
    }

    /** A new connection as the database's owner; the caller closes it. */
    Connection connect() throws SQLException {
        return made.database().connect();
    }

    /** The connection as the database's owner (a superuser). */
    Connection admin() {
        return made.admin();
    }

    /** The logins of this class: closed and dropped after its tests. */
    Logins logins() {
        return made.logins();
    }

    /** The worker queue of the namespace. */
    String queue() {
        return made.queue();
    }

    /** The template stored before the tests. */
    UUID template() {
        return made.template();
    }

    /** A new task of the template, created by the admin, with an empty context. */
    UUID createTask() throws SQLException {
        return Workflows.createTask(made.admin(), made.template());
    }

    /** The step of {@code task} named {@code name}, looked up by the admin. */
    UUID step(UUID task, String name) throws SQLException {
        return Workflows.step(made.admin(), task, name);
    }
}
