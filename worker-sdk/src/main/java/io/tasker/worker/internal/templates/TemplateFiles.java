package io.tasker.worker.internal.templates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Finds the templates an application ships: every {@code *.yaml}, {@code *.yml} and {@code *.json}
 * file directly under {@code tasker/templates/} of each classpath entry, whether a directory or a
 * jar (and, in a native image, the resources included with {@code
 * quarkus.native.resources.includes=tasker/templates/**}).
 */
public final class TemplateFiles {

    /** The classpath folder templates are read from. */
    public static final String FOLDER = "tasker/templates";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private TemplateFiles() {}

    /**
     * The templates of every classpath entry of {@code loader}, ordered by source; a file that
     * cannot be read or parsed is an {@link IllegalStateException} naming it.
     */
    public static List<ShippedTemplate> find(ClassLoader loader) {
        Map<String, String> bodies = new TreeMap<>();
        Enumeration<URL> folders;
        try {
            folders = loader.getResources(FOLDER);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot look for " + FOLDER + " on the classpath", e);
        }
        for (URL folder : Collections.list(folders)) {
            try {
                bodies.putAll(read(loader, folder));
            } catch (IOException | URISyntaxException e) {
                throw new IllegalStateException("cannot read the templates in " + folder, e);
            }
        }
        List<ShippedTemplate> out = new ArrayList<>();
        bodies.forEach((source, body) -> out.add(parse(source, body)));
        return out;
    }

    /** Parses one template file's text; {@code source} names it in messages. */
    public static ShippedTemplate parse(String source, String body) {
        boolean json = source.endsWith(".json");
        JsonNode document;
        try {
            document = (json ? JSON : YAML).readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "template " + source + " cannot be parsed: " + e.getMessage(), e);
        }
        if (document == null || !document.isObject()) {
            throw new IllegalStateException("template " + source + " is not a YAML or JSON map");
        }
        return new ShippedTemplate(source, body, json, document);
    }

    private static Map<String, String> read(ClassLoader loader, URL folder)
            throws IOException, URISyntaxException {
        Map<String, String> bodies = new TreeMap<>();
        switch (folder.getProtocol()) {
            case "file" -> {
                List<Path> files;
                try (Stream<Path> s = Files.list(Path.of(folder.toURI()))) {
                    files = s.filter(p -> isTemplate(p.getFileName().toString())).toList();
                }
                for (Path p : files) {
                    bodies.put(p.toString(), Files.readString(p));
                }
            }
            case "jar" -> {
                JarURLConnection connection = (JarURLConnection) folder.openConnection();
                connection.setUseCaches(false);
                try (JarFile jar = connection.getJarFile()) {
                    for (JarEntry entry : Collections.list(jar.entries())) {
                        String name = entry.getName();
                        if (name.startsWith(FOLDER + "/")
                                && name.indexOf('/', FOLDER.length() + 1) < 0
                                && isTemplate(name)) {
                            try (InputStream in = jar.getInputStream(entry)) {
                                bodies.put(
                                        jar.getName() + "!/" + name,
                                        new String(in.readAllBytes(), StandardCharsets.UTF_8));
                            }
                        }
                    }
                }
            }
            default -> {
                // A native image's resource folder reads as its entry names, one a line.
                String listing;
                try (InputStream in = folder.openStream()) {
                    listing = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                for (String name : listing.split("\n")) {
                    String file = name.strip();
                    if (isTemplate(file)) {
                        try (InputStream in = loader.getResourceAsStream(FOLDER + "/" + file)) {
                            if (in != null) {
                                bodies.put(
                                        FOLDER + "/" + file,
                                        new String(in.readAllBytes(), StandardCharsets.UTF_8));
                            }
                        }
                    }
                }
            }
        }
        return bodies;
    }

    private static boolean isTemplate(String name) {
        return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
    }
}
