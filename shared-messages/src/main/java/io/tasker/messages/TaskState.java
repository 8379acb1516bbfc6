package io.tasker.messages;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.EnumSet;
import java.util.Set;

/** Task states; the wire value is what the database and the API carry. */
public enum TaskState {
    PENDING("pending"),
    INITIALIZING("initializing"),
    ENQUEUING_STEPS("enqueuing_steps"),
    STEPS_IN_PROCESS("steps_in_process"),
    EVALUATING_RESULTS("evaluating_results"),
    WAITING_FOR_DEPENDENCIES("waiting_for_dependencies"),
    WAITING_FOR_RETRY("waiting_for_retry"),
    BLOCKED_BY_FAILURES("blocked_by_failures"),
    COMPLETE("complete"),
    ERROR("error"),
    CANCELLED("cancelled"),
    RESOLVED_MANUALLY("resolved_manually");

    private static final Set<TaskState> TERMINAL =
            EnumSet.of(COMPLETE, ERROR, CANCELLED, RESOLVED_MANUALLY);

    private final String wire;

    TaskState(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    public boolean isTerminal() {
        return TERMINAL.contains(this);
    }

    @JsonCreator
    public static TaskState fromWire(String value) {
        for (TaskState s : values()) {
            if (s.wire.equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown task state: " + value);
    }
}
