package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The live and recently gone workers (of one namespace when filtered), live first, by id. */
public record WorkerList(
        @JsonProperty("workers") List<Worker> workers, @JsonProperty("count") int count) {

    public static WorkerList of(List<Worker> workers) {
        return new WorkerList(workers, workers.size());
    }
}
