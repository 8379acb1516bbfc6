package io.tasker.messages.api;

import com.fasterxml.jackson.annotation.JacksonAnnotationsInside;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;

/**
 * An API timestamp: ISO-8601 with its offset, written as PostgreSQL writes a {@code timestamptz}
 * into JSON ({@code 2026-12-02T10:00:00.123456+00:00}: fraction without trailing zeros, offset as
 * {@code +HH:MM}), read from any ISO-8601 date-time with an offset. The annotation carries its own
 * (de)serializer, so every Jackson mapper writes the same text without a module.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
@JacksonAnnotationsInside
@JsonSerialize(using = WireTimestamp.Writer.class)
@JsonDeserialize(using = WireTimestamp.Reader.class)
public @interface WireTimestamp {

    /** The text form of API timestamps. */
    DateTimeFormatter FORMAT =
            new DateTimeFormatterBuilder()
                    .append(DateTimeFormatter.ISO_LOCAL_DATE)
                    .appendLiteral('T')
                    .appendValue(ChronoField.HOUR_OF_DAY, 2)
                    .appendLiteral(':')
                    .appendValue(ChronoField.MINUTE_OF_HOUR, 2)
                    .appendLiteral(':')
                    .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
                    .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
                    .appendOffset("+HH:MM:ss", "+00:00")
                    .toFormatter();

    /** Writes the timestamp in {@link #FORMAT}. */
    final class Writer extends JsonSerializer<OffsetDateTime> {
        @Override
        public void serialize(OffsetDateTime value, JsonGenerator gen, SerializerProvider provider)
                throws IOException {
            gen.writeString(FORMAT.format(value));
        }
    }

    /** Reads an ISO-8601 date-time with an offset ({@code Z} or {@code +HH:MM}). */
    final class Reader extends JsonDeserializer<OffsetDateTime> {
        @Override
        public OffsetDateTime deserialize(JsonParser p, DeserializationContext ctxt)
                throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                return (OffsetDateTime) ctxt.handleUnexpectedToken(OffsetDateTime.class, p);
            }
            String text = p.getText();
            try {
                return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            } catch (DateTimeParseException e) {
                return (OffsetDateTime)
                        ctxt.handleWeirdStringValue(
                                OffsetDateTime.class,
                                text,
                                "not an ISO-8601 date-time with offset");
            }
        }
    }
}
