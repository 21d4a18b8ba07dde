package dev.tiergate.core.masking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.policy.Masking;
import dev.tiergate.core.policy.PolicyReader;
import dev.tiergate.core.policy.PolicyValidator;
import dev.tiergate.core.schema.SchemaSnapshot;
import dev.tiergate.core.verdict.Refusal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The masking rules as the policy writes them, the personal-data guess, and which added columns need a rule. */
class MaskingTest {
    static final String TIERS = """
            version: 1
            tiers:
              - {name: production, branch: main}
              - {name: staging, branch: staging, parent: production}
            """;

    static List<Refusal> validate(String masking) {
        return PolicyValidator.validate(
                        PolicyReader.read(TIERS + masking, ".tiergate/policy.yaml"), ".tiergate/policy.yaml")
                .refusals();
    }

    @Test
    void everyMethodParsesAndAnUnknownOneDoesNot() {
        assertEquals(
                new MaskingMethod.Partial(2, 3),
                MaskingMethod.parse("partial(2, 3)").orElseThrow());
        assertEquals(
                new MaskingMethod.Constant("it's"),
                MaskingMethod.parse("constant('it's')").orElseThrow());
        assertEquals(
                new MaskingMethod.Anon("fake_email"),
                MaskingMethod.parse("anon(fake_email)").orElseThrow());
        for (String m : List.of("hash", "fake_email", "fake_name", "fake_phone", "null", "shuffle")) {
            assertEquals(m, MaskingMethod.parse(m).orElseThrow().text());
        }
        for (String bad : List.of("md5", "partial(1)", "anon(x); drop table t", "anon(pg_catalog.lo_export)", "")) {
            assertEquals(Optional.empty(), MaskingMethod.parse(bad), bad);
        }
    }

    @Test
    void theSqlQuotesWhatThePolicyWrote() {
        Masking.Rule r = new Masking.Rule("crm.cust\"omers", "e\"mail", "constant('x''); drop table t; --')");
        String sql = MaskingSql.update(r, r.parsed().orElseThrow(), "s'alt");
        assertEquals(
                "update \"crm\".\"cust\"\"omers\" set \"e\"\"mail\" = 'x''''); drop table t; --' where \"e\"\"mail\" is not null",
                sql);
        assertTrue(
                MaskingSql.update(new Masking.Rule("t", "c", "hash"), new MaskingMethod.Hash(), "s'alt")
                        .contains("'s''alt'"),
                "the salt is a literal too");
    }

    @Test
    void hostilePoliciesAreRefusedWithTheRuleAndFix() {
        List<Refusal> r = validate("""
                masking:
                  source_tiers: [prod]
                  default: maybe
                  rules:
                    - {table: customers, column: email, method: md5}
                    - {table: customers, column: email, method: hash}
                    - {table: "customers; drop", column: x, method: hash}
                    - {table: customers, column: note, method: anon(fake_name)}
                """);
        String all = r.toString();
        assertTrue(
                r.stream()
                        .allMatch(x ->
                                x.rule().equals("policy.masking") || x.rule().startsWith("policy.")),
                all);
        assertTrue(all.contains("source tier 'prod', which is not a tier"), all);
        assertTrue(all.contains("names method 'md5', which tiergate does not have"), all);
        assertTrue(all.contains("column public.customers.email has two masking rules"), all);
        assertTrue(all.contains("uses anon(), but the policy does not name the anon extension"), all);
        assertEquals(List.of(), validate(MASKING_OK));
    }

    static final String MASKING_OK = """
            masking:
              rules:
                - {table: customers, column: email, method: fake_email}
                - {table: crm.contacts, column: phone, method: "partial(0, 2)"}
            """;

    @Test
    void personalLookingColumnsByNameAndType() {
        for (String n : List.of(
                "email",
                "contact_email",
                "phone",
                "mobile",
                "first_name",
                "name",
                "street_address",
                "date_of_birth",
                "ssn",
                "iban",
                "card_number",
                "ip_address",
                "last_login_ip")) {
            assertTrue(PersonalData.why(n, "text", List.of()).isPresent(), n);
        }
        for (String n : List.of("id", "total", "product_name", "created_at", "status", "sku")) {
            assertEquals(Optional.empty(), PersonalData.why(n, "text", List.of()), n);
        }
        assertTrue(PersonalData.why("seen_from", "inet", List.of()).isPresent(), "an inet column is an IP address");
        assertTrue(PersonalData.why("badge", "text", List.of("badge")).isPresent(), "the policy's own words");
        assertEquals(Optional.empty(), PersonalData.why("email", "text", List.of("badge")), "instead of the defaults");
    }

    @Test
    void anAddedColumnNeedsARuleOrAWaiverAnExistingOneDoesNot() {
        SchemaSnapshot.Column text = new SchemaSnapshot.Column("text", null, true);
        SchemaSnapshot before = new SchemaSnapshot(
                Map.of("public.customers", new SchemaSnapshot.Table(Map.of("email", text), Map.of(), Map.of())),
                Map.of());
        SchemaSnapshot after = new SchemaSnapshot(
                Map.of(
                        "public.customers",
                        new SchemaSnapshot.Table(
                                Map.of("email", text, "phone", text, "note", text), Map.of(), Map.of()),
                        "public.leads",
                        new SchemaSnapshot.Table(Map.of("contact_email", text), Map.of(), Map.of())),
                Map.of());
        List<MaskingCoverage.Column> out = MaskingCoverage.uncovered(
                before,
                after,
                List.of(new Masking.Rule("leads", "contact_email", "fake_email")),
                List.of(),
                MaskingCoverage.waivers("-- tiergate:not-personal public.customers.note not personal\n"));
        assertEquals(
                List.of("public.customers.phone"),
                out.stream().map(MaskingCoverage.Column::where).toList());
        assertEquals(
                Map.of("public.customers.phone", "the switchboard"),
                MaskingCoverage.waivers("--tiergate:not-personal customers.phone the switchboard"));
        assertEquals(
                Map.of(), MaskingCoverage.waivers("-- tiergate:not-personal customers.phone"), "a reason is needed");
    }
}
