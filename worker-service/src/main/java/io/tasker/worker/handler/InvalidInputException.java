package io.tasker.worker.handler;

/**
 * Input or configuration a handler cannot work with: thrown from {@link CheckedInputHandler#run},
 * it ends the step with a permanent failure carrying this message and type.
 */
public final class InvalidInputException extends Exception {

    private final String type;

    public InvalidInputException(String message, String type) {
        super(message, null, false, false);
        this.type = type;
    }

    public String type() {
        return type;
    }
}
