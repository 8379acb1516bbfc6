package io.tasker.orchestrator.template;

import static io.tasker.orchestrator.template.Templates.stored;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import io.tasker.messages.JsonSupport;
import io.tasker.orchestrator.config.OrchestratorConfig;
import io.tasker.orchestrator.rest.ApiException;
import io.tasker.orchestrator.template.TemplateRepository.StoredTemplate;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The template cache on a hand-driven clock: TTLs, idle expiry and the size bound at its edge. */
class TemplateCacheTest {

    record Config(Duration latestTtl, Duration versionIdle, int maxEntries, int maxSchemas)
            implements OrchestratorConfig.Templates.Cache {}

    /** The documented defaults of {@code tasker.templates.cache.*}. */
    static final Config DEFAULTS =
            new Config(Duration.ofSeconds(5), Duration.ofHours(1), 1000, 1000);

    private final AtomicLong nanos = new AtomicLong();
    private final Ticker ticker = nanos::get;

    private TemplateCache cache(Config config) {
        // Maintenance on the calling thread: evictions happen when the test says, not later.
        return new TemplateCache(config, ticker, Runnable::run);
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    private static StoredTemplate template(String version) {
        return stored("examples", "linear_workflow", version, JsonSupport.parse("{}"));
    }

    @Test
    void the_latest_version_is_reused_until_its_ttl_and_asked_again_at_the_ttl() {
        TemplateCache cache = cache(DEFAULTS);
        StoredTemplate v1 = template("1.0.0");
        cache.put("examples", "linear_workflow", null, v1);

        advance(Duration.ofSeconds(5).minusNanos(1));
        assertThat(cache.get("examples", "linear_workflow", null)).contains(v1);

        advance(Duration.ofNanos(1));
        assertThat(cache.get("examples", "linear_workflow", null)).isEmpty();
    }

    @Test
    void reading_the_latest_version_does_not_extend_its_life() {
        TemplateCache cache = cache(DEFAULTS);
        cache.put("examples", "linear_workflow", null, template("1.0.0"));
        for (int i = 0; i < 4; i++) {
            advance(Duration.ofSeconds(1));
            assertThat(cache.get("examples", "linear_workflow", null)).isPresent();
        }
        advance(Duration.ofSeconds(1));
        assertThat(cache.get("examples", "linear_workflow", null)).isEmpty();
    }

    @Test
    void an_exact_version_outlives_the_latest_ttl_and_stays_while_it_is_used() {
        TemplateCache cache = cache(DEFAULTS);
        StoredTemplate v1 = template("1.0.0");
        cache.put("examples", "linear_workflow", "1.0.0", v1);

        for (int i = 0; i < 3; i++) {
            advance(Duration.ofMinutes(59));
            assertThat(cache.get("examples", "linear_workflow", "1.0.0")).contains(v1);
        }
    }

    @Test
    void an_exact_version_unused_for_the_idle_time_is_dropped() {
        TemplateCache cache = cache(DEFAULTS);
        cache.put("examples", "linear_workflow", "1.0.0", template("1.0.0"));

        advance(Duration.ofHours(1).minusNanos(1));
        assertThat(cache.get("examples", "linear_workflow", "1.0.0")).isPresent();

        advance(Duration.ofHours(1));
        assertThat(cache.get("examples", "linear_workflow", "1.0.0")).isEmpty();
    }

    @Test
    void registering_a_version_here_drops_the_cached_latest_at_once_but_not_exact_versions() {
        TemplateCache cache = cache(DEFAULTS);
        cache.put("examples", "linear_workflow", null, template("1.0.0"));
        cache.put("examples", "linear_workflow", "1.0.0", template("1.0.0"));
        cache.put("examples", "other", null, template("1.0.0"));

        cache.registered("examples", "linear_workflow");

        assertThat(cache.get("examples", "linear_workflow", null)).isEmpty();
        assertThat(cache.get("examples", "linear_workflow", "1.0.0")).isPresent();
        assertThat(cache.get("examples", "other", null)).isPresent();
    }

    @Test
    void each_kind_holds_max_entries_and_the_next_one_evicts_one() {
        TemplateCache cache = cache(new Config(Duration.ofSeconds(5), Duration.ofHours(1), 3, 3));
        for (int i = 0; i < 3; i++) {
            cache.put("examples", "linear_workflow", "1.0." + i, template("1.0." + i));
            cache.put("examples", "t" + i, null, template("1.0.0"));
        }
        cache.cleanUp();
        assertThat(cache.size()).isEqualTo(6);

        cache.put("examples", "linear_workflow", "1.0.3", template("1.0.3"));
        cache.put("examples", "t3", null, template("1.0.0"));
        cache.cleanUp();
        assertThat(cache.size()).isEqualTo(6);
    }

    @Test
    void a_zero_latest_ttl_never_reuses_the_latest_version() {
        TemplateCache cache = cache(new Config(Duration.ZERO, Duration.ofHours(1), 1000, 1000));
        cache.put("examples", "linear_workflow", null, template("1.0.0"));
        assertThat(cache.get("examples", "linear_workflow", null)).isEmpty();
    }

    @Test
    void compiled_input_schemas_are_bounded_by_max_schemas_and_a_dropped_one_still_validates() {
        InputSchemas schemas = new InputSchemas(Templates.DEFAULTS, 2);
        StoredTemplate first = withSchema("1.0.0");
        schemas.requireValidContext(first, JsonSupport.parse("{\"n\": 1}")).await().indefinitely();
        schemas.requireValidContext(withSchema("1.0.1"), JsonSupport.parse("{\"n\": 1}"))
                .await()
                .indefinitely();
        assertThat(schemas.compiledSchemas()).isEqualTo(2);

        schemas.requireValidContext(withSchema("1.0.2"), JsonSupport.parse("{\"n\": 1}"))
                .await()
                .indefinitely();
        assertThat(schemas.compiledSchemas()).isEqualTo(2);

        assertThatThrownBy(
                        () ->
                                schemas.requireValidContext(first, JsonSupport.parse("{}"))
                                        .await()
                                        .indefinitely())
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("does not match the input_schema");
    }

    private static StoredTemplate withSchema(String version) {
        return stored(
                "examples",
                "linear_workflow",
                version,
                JsonSupport.parse(
                        "{\"input_schema\": {\"type\": \"object\", \"required\": [\"n\"]}}"));
    }
}
