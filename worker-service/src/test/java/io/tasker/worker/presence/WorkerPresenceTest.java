package io.tasker.worker.presence;

import static org.assertj.core.api.Assertions.assertThat;

import io.tasker.worker.LogCapture;
import io.tasker.worker.WorkerTestBed;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The worker's presence in the registry, against the real migrations: heartbeats record and refresh
 * its row, another handler set on a shared namespace is warned about naming both workers, a stop
 * marks it stopped for good, and a failing heartbeat is logged and retried.
 */
class WorkerPresenceTest {

    private static final String HEARTBEAT_FUNCTION =
            "tasker.worker_heartbeat(text, text, text[], text[], text, timestamptz, integer)";
    private static final OffsetDateTime STARTED =
            OffsetDateTime.of(2026, 12, 2, 10, 0, 0, 0, ZoneOffset.UTC);

    private static WorkerTestBed bed;

    @BeforeAll
    static void setUp() {
        bed = new WorkerTestBed("presence");
    }

    @AfterAll
    static void tearDown() {
        bed.close();
    }

    @Test
    void a_heartbeat_records_the_worker_with_its_namespaces_handlers_and_version() {
        WorkerPresence presence =
                presence("recorder", List.of("rec_b", "rec_a"), List.of("rec.two", "rec.one"));

        presence.beat().await().atMost(WorkerTestBed.TIMEOUT);

        assertThat(
                        bed.string(
                                "SELECT host || ' ' || array_to_string(namespaces, ',') || ' '"
                                        + " || array_to_string(handlers, ',') || ' ' || sdk_version"
                                        + " || ' ' || (started_at = ?::timestamptz)"
                                        + " FROM tasker.workers WHERE worker_id = 'recorder'",
                                STARTED.toString()))
                .isEqualTo("host-recorder rec_a,rec_b rec.one,rec.two 9.9.9 true");
        String firstSeen = lastSeen("recorder");
        presence.beat().await().atMost(WorkerTestBed.TIMEOUT);
        assertThat(
                        bed.string(
                                "SELECT last_seen_at > ?::timestamptz FROM tasker.workers"
                                        + " WHERE worker_id = 'recorder'",
                                firstSeen))
                .isEqualTo("t");
    }

    @Test
    void another_handler_set_on_a_shared_namespace_is_warned_about_once_naming_both_workers() {
        WorkerPresence billing =
                presence("billing-1", List.of("shared_ns"), List.of("pay.charge", "pay.refund"));
        WorkerPresence legacy =
                presence("legacy-1", List.of("shared_ns", "legacy_ns"), List.of("pay.charge"));
        WorkerPresence twin =
                presence("billing-2", List.of("shared_ns"), List.of("pay.refund", "pay.charge"));
        billing.beat().await().atMost(WorkerTestBed.TIMEOUT);

        try (LogCapture log = LogCapture.of(WorkerPresence.class)) {
            legacy.beat().await().atMost(WorkerTestBed.TIMEOUT);
            legacy.beat().await().atMost(WorkerTestBed.TIMEOUT);
            twin.beat().await().atMost(WorkerTestBed.TIMEOUT);

            List<String> warnings =
                    log.lines().stream().filter(l -> l.contains("different handler sets")).toList();
            // legacy-1 warns once about billing-1, not again on its next heartbeat; billing-2
            // warns about legacy-1 only: billing-1 runs the same handlers.
            assertThat(warnings).hasSize(2);
            assertThat(warnings.get(0))
                    .contains(
                            "namespace(s) [shared_ns]",
                            "this worker legacy-1 (host host-legacy-1, handlers [pay.charge])",
                            "worker billing-1 (host host-billing-1, SDK 9.9.9, handlers"
                                    + " [pay.charge, pay.refund])",
                            "only here: []; only there: [pay.refund]",
                            "unknown_handler");
            assertThat(warnings.get(1))
                    .contains("this worker billing-2", "worker legacy-1 (host host-legacy-1");
        }
    }

    @Test
    void a_stopped_worker_is_recorded_as_stopped_and_sends_no_more_heartbeats() {
        WorkerPresence presence = presence("stopping", List.of("stop_ns"), List.of("s.one"));
        presence.beat().await().atMost(WorkerTestBed.TIMEOUT);

        presence.stop(Duration.ofSeconds(5));
        assertThat(stoppedAt("stopping")).isNotNull();
        String stopped = stoppedAt("stopping");

        presence.beat().await().atMost(WorkerTestBed.TIMEOUT);
        assertThat(stoppedAt("stopping")).isEqualTo(stopped);
    }

    @Test
    void a_failing_heartbeat_is_logged_and_the_next_one_records_the_worker() {
        WorkerPresence presence = presence("flaky", List.of("flaky_ns"), List.of("f.one"));
        try (LogCapture log = LogCapture.of(WorkerPresence.class)) {
            bed.update("ALTER FUNCTION " + HEARTBEAT_FUNCTION + " RENAME TO worker_heartbeat_off");
            try {
                // Completes normally: presence never fails the worker.
                presence.beat().await().atMost(WorkerTestBed.TIMEOUT);
                presence.beat().await().atMost(WorkerTestBed.TIMEOUT);
            } finally {
                bed.update(
                        "ALTER FUNCTION tasker.worker_heartbeat_off(text, text, text[], text[], text,"
                                + " timestamptz, integer) RENAME TO worker_heartbeat");
            }
            assertThat(bed.count("SELECT count(*) FROM tasker.workers WHERE worker_id = 'flaky'"))
                    .isZero();

            presence.beat().await().atMost(WorkerTestBed.TIMEOUT);

            assertThat(bed.count("SELECT count(*) FROM tasker.workers WHERE worker_id = 'flaky'"))
                    .isEqualTo(1);
            // One warning for the outage, one line when it is over.
            assertThat(log.lines())
                    .filteredOn(l -> l.contains("presence heartbeat"))
                    .hasSize(2)
                    .first()
                    .asString()
                    .contains("failed");
        }
    }

    private static WorkerPresence presence(
            String id, List<String> namespaces, List<String> handlers) {
        return new WorkerPresence(
                new PresenceCalls(bed.pool(), Duration.ofSeconds(30)),
                new Registration(id, "host-" + id, namespaces, handlers, "9.9.9", STARTED));
    }

    private static String lastSeen(String id) {
        return bed.string("SELECT last_seen_at::text FROM tasker.workers WHERE worker_id = ?", id);
    }

    private static String stoppedAt(String id) {
        return bed.string("SELECT stopped_at::text FROM tasker.workers WHERE worker_id = ?", id);
    }
}
