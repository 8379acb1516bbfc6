package io.tasker.worker;

import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import io.tasker.messages.JsonSupport;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** The protocol's JSON Schemas as shipped in the shared-messages jar, with formats asserted. */
public final class ProtocolSchemas {

    private ProtocolSchemas() {}

    /** What {@code json} breaks of schema {@code file} (e.g. {@code step-message.schema.json}). */
    public static List<String> problems(String file, String json) {
        JsonSchema schema =
                JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                        .getSchema(
                                JsonSupport.parse(text(file)),
                                SchemaValidatorsConfig.builder()
                                        .formatAssertionsEnabled(true)
                                        .build());
        return schema.validate(JsonSupport.parse(json)).stream().map(Object::toString).toList();
    }

    private static String text(String file) {
        try (InputStream in =
                ProtocolSchemas.class.getResourceAsStream("/io/tasker/messages/protocol/" + file)) {
            if (in == null) {
                throw new IllegalArgumentException("no protocol schema " + file);
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
