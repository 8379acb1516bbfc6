package io.tasker.orchestrator.rest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.arc.Arc;
import io.quarkus.arc.Unremovable;
import io.tasker.messages.JsonSupport;
import io.tasker.orchestrator.config.OrchestratorConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The one parser of JSON request bodies and the checker of every JSON document the API accepts:
 * body size, nesting depth, number of values, string length, NUL characters and numbers too large
 * to write out. Problems name the JSON path of the offending value.
 */
@Singleton
@Unremovable
public class JsonBodies {

    private static final int MAX_REPORTED = 20;
    private static final Pattern SIMPLE_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    // Parser messages quote Java names (`StreamReadConstraints.getMaxNumberLength()`,
    // `com.fasterxml...JsonNode`); an API answer names no classes.
    private static final Pattern JAVA_NAMES =
            Pattern.compile(
                    ", from `[^`]*`|\\s*\\(bound as `[^`]*`\\)|:?\\s*not allowed as per `[^`]*`");

    /** The limits, from {@code tasker.api.*}. */
    public record Limits(
            int maxBodyBytes,
            int maxJsonDepth,
            int maxJsonNodes,
            int maxStringLength,
            int maxNumberDigits) {

        static Limits of(OrchestratorConfig.Api api) {
            return new Limits(
                    api.maxBodyBytes(),
                    api.maxJsonDepth(),
                    api.maxJsonNodes(),
                    api.maxStringLength(),
                    api.maxNumberDigits());
        }
    }

    private final Limits limits;
    private final ObjectMapper mapper;

    @Inject
    JsonBodies(OrchestratorConfig config) {
        this(Limits.of(config.api()));
    }

    public JsonBodies(Limits limits) {
        this.limits = limits;
        // The parser's own limits sit one step beyond ours, so that a value just over a limit is
        // still parsed and reported with its path by check(); anything further never costs more
        // than the body size.
        this.mapper =
                JsonSupport.mapper(
                        StreamReadConstraints.builder()
                                .maxDocumentLength(limits.maxBodyBytes())
                                .maxNestingDepth(limits.maxJsonDepth() + 1)
                                .maxStringLength(limits.maxStringLength() + 1)
                                .maxNameLength(limits.maxStringLength() + 1)
                                .maxNumberLength(2 * limits.maxNumberDigits() + 16)
                                .build());
    }

    /** The bean, for code outside CDI injection (template documents). */
    public static JsonBodies current() {
        return Arc.container().instance(JsonBodies.class).get();
    }

    public Limits limits() {
        return limits;
    }

    /**
     * Parses a JSON request body and checks it: 413 {@code body_too_large}, 400 {@code
     * malformed_json}, or a 400 naming the limit and the path.
     */
    public JsonNode parse(String body) {
        String text = body == null ? "" : body;
        long bytes = JsonSupport.utf8Length(text);
        if (bytes > limits.maxBodyBytes()) {
            throw tooLarge(bytes, limits.maxBodyBytes());
        }
        JsonNode document;
        try {
            document = mapper.readTree(text);
        } catch (StreamConstraintsException e) {
            JsonLocation at = e.getLocation();
            throw ApiException.badRequest(
                    "json_limit_exceeded",
                    "the request body exceeds a limit"
                            + (at == null
                                    ? ""
                                    : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
                            + ": "
                            + clean(e.getOriginalMessage()),
                    List.of());
        } catch (NumberFormatException e) {
            // An exponent beyond what BigDecimal holds at all (Jackson throws this one raw).
            throw numberBeyondRange();
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest(
                    "malformed_json",
                    "the request body is not valid JSON: " + clean(e.getOriginalMessage()),
                    List.of());
        }
        check(document);
        return document;
    }

    /** The 400 for a number whose exponent is beyond any representation. */
    public static ApiException numberBeyondRange() {
        return ApiException.badRequest(
                "number_out_of_range",
                "the request body holds a number whose exponent is out of range"
                        + " (tasker.api.max-number-digits)",
                List.of());
    }

    /** The 413 answer for a body of {@code bytes} bytes. */
    public static ApiException tooLarge(long bytes, long limit) {
        return new ApiException(
                413,
                "body_too_large",
                "Content too large",
                "the request body has "
                        + bytes
                        + " bytes; the limit is "
                        + limit
                        + " (tasker.api.max-body-bytes)",
                List.of(),
                Map.of("max_body_bytes", limit));
    }

    /**
     * Checks a parsed document against every limit; throws a 400 listing the problems (at most 20),
     * the first one's code and path in front.
     */
    public void check(JsonNode document) {
        List<Problem> problems = problems(document);
        if (problems.isEmpty()) {
            return;
        }
        Problem first = problems.get(0);
        throw new ApiException(
                400,
                first.code(),
                "Bad request",
                "the request body cannot be accepted: " + first.message(),
                problems.stream().map(Problem::message).toList(),
                Map.of("json_path", first.path()));
    }

    /** One broken limit at one place of a document. */
    public record Problem(String code, String path, String message) {}

    private record Frame(JsonNode node, Frame parent, String key, int index, int depth) {
        String path() {
            Deque<String> parts = new ArrayDeque<>();
            for (Frame f = this; f.parent != null; f = f.parent) {
                parts.push(f.key != null ? segment(f.key) : "[" + f.index + "]");
            }
            return "$" + String.join("", parts);
        }
    }

    /** Every problem of the document, in document order, at most 20. */
    public List<Problem> problems(JsonNode document) {
        List<Problem> out = new ArrayList<>();
        if (document == null || document.isMissingNode()) {
            return out;
        }
        Deque<Frame> stack = new ArrayDeque<>();
        stack.push(new Frame(document, null, null, -1, 1));
        long nodes = 0;
        while (!stack.isEmpty() && out.size() < MAX_REPORTED) {
            Frame f = stack.pop();
            JsonNode node = f.node();
            if (++nodes > limits.maxJsonNodes()) {
                out.add(
                        new Problem(
                                "json_limit_exceeded",
                                "$",
                                "$: the document has more than "
                                        + limits.maxJsonNodes()
                                        + " values (tasker.api.max-json-nodes)"));
                break;
            }
            if (node.isContainerNode()) {
                if (f.depth() > limits.maxJsonDepth()) {
                    out.add(
                            new Problem(
                                    "json_limit_exceeded",
                                    f.path(),
                                    f.path()
                                            + ": nested deeper than "
                                            + limits.maxJsonDepth()
                                            + " levels (tasker.api.max-json-depth)"));
                    continue;
                }
                pushChildren(f, stack, out);
            } else if (node.isTextual()) {
                checkText(f, "string", node.textValue(), out);
            } else if (node.isNumber()) {
                checkNumber(f, node, out);
            }
        }
        return out.size() > MAX_REPORTED ? out.subList(0, MAX_REPORTED) : out;
    }

    private void pushChildren(Frame f, Deque<Frame> stack, List<Problem> out) {
        // Pushed in reverse so that problems come out in document order.
        List<Frame> children = new ArrayList<>(f.node().size());
        if (f.node().isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = f.node().fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                Frame child = new Frame(e.getValue(), f, e.getKey(), -1, f.depth() + 1);
                checkText(child, "key", e.getKey(), out);
                children.add(child);
            }
        } else {
            int i = 0;
            for (JsonNode element : f.node()) {
                children.add(new Frame(element, f, null, i++, f.depth() + 1));
            }
        }
        for (int i = children.size() - 1; i >= 0; i--) {
            stack.push(children.get(i));
        }
    }

    private void checkText(Frame at, String what, String text, List<Problem> out) {
        if (text.indexOf('\u0000') >= 0) {
            String path = at.path();
            out.add(
                    new Problem(
                            "nul_character",
                            path,
                            path
                                    + ": the "
                                    + what
                                    + " contains a NUL character (\\u0000), which cannot be"
                                    + " stored"));
        }
        if (text.length() > limits.maxStringLength()) {
            String path = at.path();
            out.add(
                    new Problem(
                            "json_limit_exceeded",
                            path,
                            path
                                    + ": the "
                                    + what
                                    + " is "
                                    + text.length()
                                    + " characters long; the limit is "
                                    + limits.maxStringLength()
                                    + " (tasker.api.max-string-length)"));
        }
    }

    private void checkNumber(Frame at, JsonNode node, List<Problem> out) {
        if ((node.isDouble() || node.isFloat()) && !Double.isFinite(node.doubleValue())) {
            String path = at.path();
            out.add(new Problem("number_out_of_range", path, path + ": not a finite number"));
            return;
        }
        // precision() and scale() are cheap; nothing here writes the number out.
        BigDecimal value = node.isBigInteger() ? new BigDecimal(node.bigIntegerValue()) : null;
        if (value == null) {
            value = node.decimalValue();
        }
        long before = Math.max(1L, (long) value.precision() - value.scale());
        long after = Math.max(0L, value.scale());
        int max = limits.maxNumberDigits();
        if (before > max || after > max) {
            String path = at.path();
            out.add(
                    new Problem(
                            "number_out_of_range",
                            path,
                            path
                                    + ": written without exponent the number has "
                                    + before
                                    + " digit(s) before and "
                                    + after
                                    + " after the decimal point; at most "
                                    + max
                                    + " of each are accepted (tasker.api.max-number-digits)"));
        }
    }

    /** A parser's message without the Java names it quotes (an API answer names no classes). */
    public static String clean(String parserMessage) {
        return JAVA_NAMES.matcher(String.valueOf(parserMessage)).replaceAll("");
    }

    static String segment(String key) {
        if (key.length() <= 64 && SIMPLE_KEY.matcher(key).matches()) {
            return "." + key;
        }
        String shown = key.length() > 64 ? key.substring(0, 64) + "…" : key;
        return "[" + JsonSupport.MAPPER.getNodeFactory().textNode(shown).toString() + "]";
    }
}
