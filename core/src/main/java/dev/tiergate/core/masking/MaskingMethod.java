package dev.tiergate.core.masking;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a column's values are masked, as the policy writes it: {@code hash}, {@code fake_email}, {@code fake_name},
 * {@code fake_phone}, {@code partial(keep_first, keep_last)}, {@code null}, {@code constant(value)}, {@code shuffle},
 * or {@code anon(function)} (PostgreSQL Anonymizer, where the extension is present and named in the policy). All but
 * shuffle and anon are deterministic per value, so the same input masks to the same output in every table and branch
 * and a join on a masked column survives.
 */
public sealed interface MaskingMethod {
    /** As the policy writes it. */
    String text();

    record Hash() implements MaskingMethod {
        public String text() {
            return "hash";
        }
    }

    record FakeEmail() implements MaskingMethod {
        public String text() {
            return "fake_email";
        }
    }

    record FakeName() implements MaskingMethod {
        public String text() {
            return "fake_name";
        }
    }

    record FakePhone() implements MaskingMethod {
        public String text() {
            return "fake_phone";
        }
    }

    record Partial(int keepFirst, int keepLast) implements MaskingMethod {
        public String text() {
            return "partial(" + keepFirst + ", " + keepLast + ")";
        }
    }

    record Null() implements MaskingMethod {
        public String text() {
            return "null";
        }
    }

    record Constant(String value) implements MaskingMethod {
        public String text() {
            return "constant(" + value + ")";
        }
    }

    record Shuffle() implements MaskingMethod {
        public String text() {
            return "shuffle";
        }
    }

    /** A PostgreSQL Anonymizer function applied to the value: {@code anon.<function>(value)}. */
    record Anon(String function) implements MaskingMethod {
        public String text() {
            return "anon(" + function + ")";
        }
    }

    Pattern PARTIAL = Pattern.compile("partial\\(\\s*(\\d{1,3})\\s*,\\s*(\\d{1,3})\\s*\\)");
    Pattern CONSTANT = Pattern.compile("constant\\((.{0,200})\\)", Pattern.DOTALL);
    Pattern ANON = Pattern.compile("anon\\(\\s*([a-z][a-z0-9_]{0,62})\\s*\\)");

    /** The method {@code text} names, or empty when it names none (the validator says which exist). */
    static Optional<MaskingMethod> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String t = text.strip();
        switch (t) {
            case "hash":
                return Optional.of(new Hash());
            case "fake_email":
                return Optional.of(new FakeEmail());
            case "fake_name":
                return Optional.of(new FakeName());
            case "fake_phone":
                return Optional.of(new FakePhone());
            case "null":
                return Optional.of(new Null());
            case "shuffle":
                return Optional.of(new Shuffle());
            default:
                break;
        }
        Matcher p = PARTIAL.matcher(t);
        if (p.matches()) {
            return Optional.of(new Partial(Integer.parseInt(p.group(1)), Integer.parseInt(p.group(2))));
        }
        Matcher c = CONSTANT.matcher(t);
        if (c.matches()) {
            String v = c.group(1).strip();
            if (v.length() >= 2 && (v.startsWith("'") && v.endsWith("'") || v.startsWith("\"") && v.endsWith("\""))) {
                v = v.substring(1, v.length() - 1);
            }
            return Optional.of(new Constant(v));
        }
        Matcher a = ANON.matcher(t);
        if (a.matches()) {
            return Optional.of(new Anon(a.group(1)));
        }
        return Optional.empty();
    }

    String KNOWN = "hash, fake_email, fake_name, fake_phone, partial(keep_first, keep_last), null, constant(value),"
            + " shuffle, anon(function)";
}
