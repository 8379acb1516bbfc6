package io.tasker.orchestrator.template;

import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * JDK regular expressions for input schemas whose matching gives up once a time budget is spent: a
 * backtracking pattern in a template must not hold a thread for minutes (see
 * docs/decisions/001-schema-regex.md).
 */
final class BudgetedRegularExpressions implements RegularExpressionFactory {

    /** Thrown out of a match that ran past its budget or past the stack. */
    static final class PatternBudgetExceededException extends RuntimeException {
        private final String pattern;

        PatternBudgetExceededException(String pattern, String why) {
            super("matching the pattern '" + pattern + "' " + why, null, false, false);
            this.pattern = pattern;
        }

        String pattern() {
            return pattern;
        }
    }

    // Checking the clock on every character would cost more than most matches; every 1024th
    // character still stops a runaway match within microseconds of its deadline.
    private static final int CLOCK_CHECK_MASK = 1023;

    /** The nanoTime deadline shared by every match of the work under {@link #withBudget}. */
    private static final ThreadLocal<Long> DEADLINE = new ThreadLocal<>();

    private final long singleMatchBudgetNanos;

    BudgetedRegularExpressions(Duration singleMatchBudget) {
        this.singleMatchBudgetNanos = singleMatchBudget.toNanos();
    }

    /**
     * Runs work (one validation) with one deadline for all its matches together, so a context with
     * many strings cannot multiply the budget.
     */
    static <T> T withBudget(Duration budget, Supplier<T> work) {
        Long outer = DEADLINE.get();
        DEADLINE.set(System.nanoTime() + budget.toNanos());
        try {
            return work.get();
        } finally {
            if (outer == null) {
                DEADLINE.remove();
            } else {
                DEADLINE.set(outer);
            }
        }
    }

    @Override
    public RegularExpression getRegularExpression(String regex) {
        Pattern pattern = Pattern.compile(regex);
        return value -> {
            Long shared = DEADLINE.get();
            long deadline = shared != null ? shared : System.nanoTime() + singleMatchBudgetNanos;
            try {
                return pattern.matcher(new DeadlineText(value, deadline, regex)).find();
            } catch (StackOverflowError e) {
                // The JDK engine recurses per repetition: a long input can exhaust the stack.
                throw new PatternBudgetExceededException(
                        regex, "needs more stack than a thread has");
            }
        };
    }

    /** The matched text, failing the match from inside once the deadline has passed. */
    private static final class DeadlineText implements CharSequence {
        private final String text;
        private final long deadline;
        private final String pattern;
        private int reads;

        DeadlineText(String text, long deadline, String pattern) {
            this.text = text;
            this.deadline = deadline;
            this.pattern = pattern;
        }

        @Override
        public char charAt(int index) {
            if ((++reads & CLOCK_CHECK_MASK) == 0 && System.nanoTime() - deadline > 0) {
                throw new PatternBudgetExceededException(pattern, "ran out of its time budget");
            }
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return text.subSequence(start, end);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
