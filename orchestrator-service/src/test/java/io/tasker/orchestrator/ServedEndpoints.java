package io.tasker.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.tasker.orchestrator.rest.ProblemMapper;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The endpoints the JAX-RS resources serve, found by scanning the orchestrator's classes (no list
 * of endpoints is kept by a test): the OpenAPI document and the authorization rules are checked
 * against them.
 */
public final class ServedEndpoints {

    private ServedEndpoints() {}

    /**
     * "METHOD /path" of every resource method of every {@code @Path} class under {@code
     * io.tasker.orchestrator}, with the method.
     */
    public static Map<String, Method> all() throws Exception {
        Map<String, Method> out = new java.util.TreeMap<>();
        for (Class<?> resource : resourceClassesOnClassPath()) {
            String base = resource.getAnnotation(Path.class).value();
            for (Method method : resourceMethods(resource)) {
                String verb = httpMethod(method);
                Path sub = method.getAnnotation(Path.class);
                assertThat(verb)
                        .as(
                                "%s.%s has @Path but no HTTP method (sub-resource locators are"
                                        + " not described by this test)",
                                resource.getSimpleName(), method.getName())
                        .isNotNull();
                Method previous =
                        out.put(verb + " " + join(base, sub == null ? "" : sub.value()), method);
                assertThat(previous).as("two methods serve %s %s", verb, base).isNull();
            }
        }
        return out;
    }

    /** Public methods declared by the class or its superclasses with a JAX-RS annotation. */
    private static List<Method> resourceMethods(Class<?> resource) {
        List<Method> out = new ArrayList<>();
        for (Class<?> c = resource; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.isSynthetic() || m.isBridge() || !Modifier.isPublic(m.getModifiers())) {
                    continue;
                }
                if (httpMethod(m) != null || m.isAnnotationPresent(Path.class)) {
                    out.add(m);
                }
            }
        }
        return out;
    }

    public static String httpMethod(Method method) {
        for (Annotation a : method.getAnnotations()) {
            HttpMethod verb = a.annotationType().getAnnotation(HttpMethod.class);
            if (verb != null) {
                return verb.value();
            }
        }
        return null;
    }

    /** Joins class and method paths and drops regular expressions from templates. */
    static String join(String base, String sub) {
        String joined = ("/" + base + "/" + sub).replaceAll("/+", "/");
        if (joined.length() > 1 && joined.endsWith("/")) {
            joined = joined.substring(0, joined.length() - 1);
        }
        return joined.replaceAll("\\{\\s*([A-Za-z0-9_.-]+)\\s*:[^}]*}", "{$1}");
    }

    /** Every concrete class under {@code io/tasker/orchestrator} annotated with {@code @Path}. */
    private static List<Class<?>> resourceClassesOnClassPath()
            throws IOException, URISyntaxException, ClassNotFoundException {
        ClassLoader loader = ServedEndpoints.class.getClassLoader();
        // The main classes' directory, found through a class that is surely there.
        String marker = ProblemMapper.class.getName().replace('.', '/') + ".class";
        URL url = loader.getResource(marker);
        assertThat(url).as("class file of ProblemMapper").isNotNull();
        assertThat(url.getProtocol())
                .as("main classes are a directory on the test class path: %s", url)
                .isEqualTo("file");
        java.nio.file.Path dir = java.nio.file.Path.of(url.toURI());
        for (int i = 0; i < marker.split("/").length; i++) {
            dir = dir.getParent();
        }
        final java.nio.file.Path root = dir;
        List<String> names;
        try (Stream<java.nio.file.Path> files =
                Files.walk(root.resolve("io/tasker/orchestrator"))) {
            names =
                    files.map(f -> root.relativize(f).toString().replace('\\', '/'))
                            .filter(n -> n.endsWith(".class") && !n.contains("$"))
                            .map(
                                    n ->
                                            n.substring(0, n.length() - ".class".length())
                                                    .replace('/', '.'))
                            .toList();
        }
        List<Class<?>> out = new ArrayList<>();
        for (String name : names) {
            Class<?> c = Class.forName(name, false, loader);
            if (c.isAnnotationPresent(Path.class)
                    && !c.isInterface()
                    && !Modifier.isAbstract(c.getModifiers())) {
                out.add(c);
            }
        }
        return out;
    }
}
