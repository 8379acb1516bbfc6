package io.tasker.orchestrator;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A test profile that is configuration only. Its overrides are the ones it is made with or, made
 * without any, those of the test resource {@code profiles/<its simple name>.properties}.
 */
public abstract class ConfigProfile implements QuarkusTestProfile {

    private final Map<String, String> overrides;

    protected ConfigProfile(Map<String, String> overrides) {
        this.overrides = overrides;
    }

    protected ConfigProfile() {
        String resource = "/profiles/" + getClass().getSimpleName() + ".properties";
        try (InputStream in = getClass().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no test resource " + resource);
            }
            Properties properties = new Properties();
            properties.load(in);
            Map<String, String> read = new TreeMap<>();
            properties
                    .stringPropertyNames()
                    .forEach(key -> read.put(key, properties.getProperty(key)));
            this.overrides = Map.copyOf(read);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return overrides;
    }
}
