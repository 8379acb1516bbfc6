package io.tasker.client;

/** The text format of a template document sent to {@code POST /v1/templates}. */
public enum TemplateFormat {
    YAML("application/yaml"),
    JSON("application/json");

    private final String mediaType;

    TemplateFormat(String mediaType) {
        this.mediaType = mediaType;
    }

    public String mediaType() {
        return mediaType;
    }

    /** JSON when the text starts with '{' (after white space), YAML otherwise. */
    public static TemplateFormat detect(String text) {
        return text.stripLeading().startsWith("{") ? JSON : YAML;
    }
}
