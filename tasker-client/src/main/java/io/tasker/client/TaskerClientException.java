package io.tasker.client;

/**
 * Any failure of a {@link TaskerClient} call; the subclasses say whether the orchestrator answered
 * with an error ({@link TaskerApiException}), could not be reached ({@link
 * TaskerConnectionException}) or a wait ran out ({@link TaskAwaitTimeoutException}).
 */
public class TaskerClientException extends RuntimeException {

    public TaskerClientException(String message) {
        super(message);
    }

    public TaskerClientException(String message, Throwable cause) {
        super(message, cause);
    }
}
