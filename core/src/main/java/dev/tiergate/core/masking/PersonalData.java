package dev.tiergate.core.masking;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Whether a column looks like personal data, by its name or its type: what {@code masking.column-unruled} asks a
 * masking rule (or a waiver) for. The defaults cover e-mail, phone, person names, addresses, birth dates, national ids,
 * IBANs and bank accounts, card numbers and IP addresses; a policy may name its own instead
 * ({@code masking.personal_data}), each a word the column's name holds (case-insensitive). Words, not regular
 * expressions: a pattern from a repository runs on the server, and a word cannot be made to backtrack for ever.
 */
public final class PersonalData {
    /** Each default: what it is, and the pattern over the column's name. */
    public record Kind(String what, Pattern name) {}

    public static final List<Kind> DEFAULTS = List.of(
            new Kind("an e-mail address", Pattern.compile("e_?mail")),
            new Kind("a phone number", Pattern.compile("phone|mobile|msisdn|(^|_)tel(_|$)|fax")),
            new Kind(
                    "a person's name",
                    Pattern.compile("^(first|last|given|family|full|middle|sur|maiden|nick|display|contact|customer"
                            + "|user|person)_?name$|^name$|^surname$")),
            new Kind("an address", Pattern.compile("address|street|post_?code|zip(_?code)?$|^city$")),
            new Kind("a birth date", Pattern.compile("birth|(^|_)dob$")),
            new Kind(
                    "a national id",
                    Pattern.compile("ssn|social_?security|national_?id|passport|tax_?id|(^|_)nin$|id_?card")),
            new Kind("a bank account (IBAN)", Pattern.compile("iban|bank_?account|account_?number|routing")),
            new Kind("a card number", Pattern.compile("card_?(number|no|num)|(^|_)pan$|cc_?num|credit_?card")),
            new Kind("an IP address", Pattern.compile("(^|_)ip(_|$)|ip_?addr")));

    private PersonalData() {}

    /**
     * Why column {@code name} of type {@code type} looks like personal data (empty when it does not); {@code own}:
     * the policy's patterns instead of the defaults (empty list: the defaults).
     */
    public static Optional<String> why(String name, String type, List<String> own) {
        String n = name.toLowerCase(Locale.ROOT);
        String t = type == null ? "" : type.toLowerCase(Locale.ROOT);
        if (t.equals("inet") || t.equals("cidr") || t.equals("macaddr")) {
            return Optional.of("its type " + t + " holds an IP address");
        }
        if (!own.isEmpty()) {
            for (String word : own) {
                if (n.contains(word.toLowerCase(Locale.ROOT))) {
                    return Optional.of("its name holds '" + word + "', one of the policy's personal_data words");
                }
            }
            return Optional.empty();
        }
        for (Kind k : DEFAULTS) {
            if (k.name().matcher(n).find()) {
                return Optional.of("its name says " + k.what());
            }
        }
        return Optional.empty();
    }
}
