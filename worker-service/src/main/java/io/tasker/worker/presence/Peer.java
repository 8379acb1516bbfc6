package io.tasker.worker.presence;

import java.util.List;

/**
 * Another live worker that serves some of this worker's namespaces ({@code sharedNamespaces}) with
 * a different handler set ({@code handlers}, its whole set).
 */
public record Peer(
        String workerId,
        String host,
        List<String> sharedNamespaces,
        List<String> handlers,
        String sdkVersion) {}
