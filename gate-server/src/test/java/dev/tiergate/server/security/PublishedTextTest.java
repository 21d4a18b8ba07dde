package dev.tiergate.server.security;

import static dev.tiergate.server.security.Scene.file;
import static dev.tiergate.server.security.Scene.migration;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.server.security.Scene.Pr;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What tiergate publishes (statuses, PR comments, audit records, pages) is bounded and escaped, and carries no row
 * data whatever the migration printed (design.md, "Trust boundary"). The attacker names a table so that its name
 * closes the comment's code block and opens a heading, names a column as an HTML element, and makes PostgreSQL print
 * rows of the tier's data, a customer's card number, into the error tiergate reports: on purpose with RAISE, and
 * innocently, in the detail of a unique index that fails on two customers sharing a card.
 */
class PublishedTextTest {
    Scene s;

    @AfterEach
    void end() {
        if (s != null) {
            s.close();
        }
    }

    /** A heading line in Markdown: up to three spaces, one to six #, then the text. */
    static final Pattern INJECTED_HEADING = Pattern.compile("(?m)^ {0,3}#{1,6} +INJECTED");

    @Test
    void aTableNameCannotWriteAHeadingIntoTheComment() throws Exception {
        s = Scene.start();
        Pr pr = s.openPullRequest(
                1,
                file("V20260102000000__named.sql", migration("CREATE TABLE \"x\n```\n## INJECTED\n```\" (id int);")));
        String comment = s.comment(pr.number());
        assertFalse(comment.isEmpty(), "no comment on the PR");
        assertFalse(
                INJECTED_HEADING.matcher(comment).find(),
                "a table's name wrote a Markdown heading into tiergate's comment:\n" + comment);
        assertFalse(
                INJECTED_HEADING.matcher(s.published()).find(),
                "a table's name wrote a Markdown heading into what tiergate published");
    }

    @Test
    void aColumnNameCannotWriteHtmlIntoTheCommentOrThePages() throws Exception {
        s = Scene.start();
        Pr pr = s.openPullRequest(
                1,
                file(
                        "V20260102000000__named.sql",
                        migration("CREATE TABLE t (id int, \"<img src=x onerror=alert(1)>\" text);")));
        String comment = s.comment(pr.number());
        assertFalse(comment.isEmpty(), "no comment on the PR");
        // in a code span or a fenced block the forge shows it as text: only markup outside code renders
        assertFalse(
                Scene.outsideCode(comment).toLowerCase(Locale.ROOT).contains("<img"),
                "a column's name put raw HTML into tiergate's comment:\n" + comment);
        String rendered = s.publishedAsRendered();
        assertFalse(
                rendered.contains("<img src=x"),
                "a column's name as raw HTML was published: "
                        + rendered.lines()
                                .filter(l -> l.contains("<img src=x"))
                                .findFirst()
                                .orElse(""));
    }

    @Test
    void rowsAMigrationRaisesAreNotPublished() throws Exception {
        s = Scene.start();
        String card = seedCustomers(false);
        Pr pr = s.openPullRequest(
                1,
                file(
                        "V20260102000000__print.sql",
                        migration(
                                "DO $$ BEGIN RAISE EXCEPTION '%', (SELECT string_agg(card, ',') FROM customers); END $$;")));
        JsonNode status = s.lastStatus(pr.headSha(), "tiergate/migrations");
        assertTrue(status != null, "no tiergate/migrations status");
        assertFalse(
                status.path("description").asText().contains(card),
                "the status carries a customer's card number: " + status);
        assertFalse(
                s.comment(pr.number()).contains(card),
                "the comment carries a customer's card number:\n" + s.comment(pr.number()));
        s.assertNotPublished(card, "a customer's card number, printed by the migration");
        assertEquals("failure", status.path("state").asText(), "the migration raised an error, yet: " + status);
    }

    @Test
    void rowsInPostgresqlsOwnErrorDetailAreNotPublished() throws Exception {
        s = Scene.start();
        String card = seedCustomers(true);
        Pr pr = s.openPullRequest(
                1,
                file(
                        "V20260102000000__unique_card.sql",
                        "-- refactoring: Introduce Index\n-- phase: expand\nCREATE UNIQUE INDEX CONCURRENTLY customers_card ON customers (card);\n"));
        JsonNode status = s.lastStatus(pr.headSha(), "tiergate/migrations");
        assertTrue(status != null, "no tiergate/migrations status");
        s.assertNotPublished(
                card, "a customer's card number, from PostgreSQL's error detail (Key (card)=(…) is duplicated)");
        assertEquals(
                "failure",
                status.path("state").asText(),
                "the index cannot be built on the tier's rows, yet: " + status);
    }

    /**
     * The tier's data, not the repository's: customers with a card number made up here, written straight into the
     * staging tier (owned as the tier's migrated tables are) and taken into the tier's template. {@code twoShareACard}:
     * two customers hold the same card. Returns the card number.
     */
    String seedCustomers(boolean twoShareACard) throws Exception {
        String card = "4"
                + String.format(
                        "%015d", ThreadLocalRandom.current().nextLong(100_000_000_000_000L, 999_999_999_999_999L));
        try (Connection c = Scene.open(s.admin("staging"));
                Statement st = c.createStatement()) {
            String owner;
            try (ResultSet rs = st.executeQuery(
                    "select tableowner from pg_tables where schemaname = 'public' and tablename = 'inventory'")) {
                rs.next();
                owner = rs.getString(1);
            }
            st.execute("create table customers (id int primary key, name text, card text)");
            st.execute("alter table customers owner to \"" + owner + "\"");
            st.execute("insert into customers values (1, 'Ada', '" + card + "'), (2, 'Grace', '"
                    + (twoShareACard ? card : "4000000000000002") + "')");
        }
        s.h.server.backend().tierMoved(s.repo, "staging");
        List<String> tables = List.of(
                s.value("staging", "select string_agg(tablename, ',') from pg_tables where schemaname = 'public'"));
        assertTrue(tables.get(0).contains("customers"), "the tier was not seeded: " + tables);
        return card;
    }
}
