package io.tasker.worker.presence;

import java.time.OffsetDateTime;
import java.util.List;

/** What a worker process records about itself in the registry with each presence heartbeat. */
public record Registration(
        String workerId,
        String host,
        List<String> namespaces,
        List<String> handlers,
        String sdkVersion,
        OffsetDateTime startedAt) {

    public Registration {
        namespaces = List.copyOf(namespaces);
        handlers = List.copyOf(handlers);
    }
}
