package io.tasker.worker;

/**
 * Thrown by a handler when the step cannot succeed (bad input, a declined payment): the step fails
 * permanently with this message and type, and no further attempt is made.
 */
public class PermanentStepException extends RuntimeException {

    private final String type;

    /** A permanent failure of type {@code permanent_failure}. */
    public PermanentStepException(String message) {
        this(message, "permanent_failure");
    }

    public PermanentStepException(String message, String type) {
        super(message, null, false, false);
        this.type = type;
    }

    /** The error type stored with the failure (e.g. {@code invalid_order}). */
    public String type() {
        return type;
    }
}
