package io.tasker.orchestrator;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** A test profile that is configuration only: the overrides it is made with. */
public abstract class ConfigProfile implements QuarkusTestProfile {

    private final Map<String, String> overrides;

    protected ConfigProfile(Map<String, String> overrides) {
        this.overrides = overrides;
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return overrides;
    }
}
