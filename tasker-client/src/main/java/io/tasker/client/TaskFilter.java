package io.tasker.client;

import io.tasker.messages.TaskState;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which tasks {@link TaskerClient#listTasks} asks for; every field is optional (null: no filter, or
 * the orchestrator's default page size and offset 0).
 *
 * @param createdAfter tasks created at or after this time
 * @param createdBefore tasks created before this time
 */
public record TaskFilter(
        String namespace,
        String name,
        TaskState status,
        OffsetDateTime createdAfter,
        OffsetDateTime createdBefore,
        Integer limit,
        Integer offset) {

    /** No filter: the first page of every task. */
    public static TaskFilter all() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    Map<String, Object> query() {
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("namespace", namespace);
        q.put("name", name);
        q.put("status", status == null ? null : status.wire());
        q.put("created_after", time(createdAfter));
        q.put("created_before", time(createdBefore));
        q.put("limit", limit);
        q.put("offset", offset);
        return q;
    }

    private static String time(OffsetDateTime t) {
        return t == null ? null : DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t);
    }

    /** Builds a {@link TaskFilter}. */
    public static final class Builder {
        private String namespace;
        private String name;
        private TaskState status;
        private OffsetDateTime createdAfter;
        private OffsetDateTime createdBefore;
        private Integer limit;
        private Integer offset;

        private Builder() {}

        public Builder namespace(String value) {
            this.namespace = value;
            return this;
        }

        public Builder name(String value) {
            this.name = value;
            return this;
        }

        public Builder status(TaskState value) {
            this.status = value;
            return this;
        }

        public Builder createdAfter(OffsetDateTime value) {
            this.createdAfter = value;
            return this;
        }

        public Builder createdBefore(OffsetDateTime value) {
            this.createdBefore = value;
            return this;
        }

        public Builder limit(int value) {
            this.limit = value;
            return this;
        }

        public Builder offset(int value) {
            this.offset = value;
            return this;
        }

        public TaskFilter build() {
            return new TaskFilter(
                    namespace, name, status, createdAfter, createdBefore, limit, offset);
        }
    }
}
