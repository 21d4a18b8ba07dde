package dev.tiergate.core.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Repository and database text in tiergate's comments: shown as text, whatever it holds. */
class MarkdownTest {
    static final String INJECTED = "x\n```\n## INJECTED\n```";
    static final String MARKER = "<!-- tiergate:migrations -->";

    @Test
    void plainNamesAreUnchanged() {
        assertEquals("`V1__orders.sql`", Markdown.code("V1__orders.sql"));
        assertEquals("`V1__orders.sql`", Markdown.cellCode("V1__orders.sql"));
        assertEquals("relation orders does not exist", Markdown.text("relation orders does not exist"));
        assertEquals("```diff\n+ table orders\n```\n", Markdown.fenced("diff", "+ table orders"));
    }

    @Test
    void aFenceInTheContentCannotCloseTheBlock() {
        String block = Markdown.fenced("diff", "+ table " + INJECTED + "\n- table ````` five");
        List<String> lines = block.lines().toList();
        assertEquals("``````diff", lines.get(0), "longer than the longest run of backticks inside");
        assertEquals("``````", lines.get(lines.size() - 1));
        for (String l : lines.subList(1, lines.size() - 1)) {
            assertFalse(l.strip().startsWith("``````"), "a line that would close the fence: " + l);
        }
        assertTrue(block.contains("\n## INJECTED\n"), "shown, as code");
    }

    @Test
    void aTableNameCannotBreakItsCodeSpanOrCell() {
        String span = Markdown.cellCode(INJECTED);
        assertFalse(span.contains("\n"), span);
        assertEquals("```` x ``` ## INJECTED ``` ````", span);
        assertEquals("`` ` ``", Markdown.code("`"));
        assertEquals("``a`b``", Markdown.code("a`b"));
        assertEquals("`a\\|b`", Markdown.cellCode("a|b"));
        assertEquals("`a|b`", Markdown.code("a|b"), "outside a table a pipe is only a pipe");
        assertEquals("` `", Markdown.code(""));
        assertEquals("a\\|b c", Markdown.cell("a|b\nc"));
    }

    @Test
    void rawHtmlNeverRenders() {
        assertEquals("&lt;img src=x onerror=alert(1)&gt;", Markdown.text("<img src=x onerror=alert(1)>"));
        assertEquals("&lt;/details&gt;", Markdown.cell("</details>"));
        assertEquals("a &amp;lt; b", Markdown.text("a &lt; b"), "an entity in the content shows as written");
        // in a code span HTML is shown literally by both forges
        assertEquals("`<img src=x onerror=alert(1)>`", Markdown.cellCode("<img src=x onerror=alert(1)>"));
    }

    @Test
    void markupInProseIsEscaped() {
        assertEquals(
                "\\*\\*bold\\*\\* \\_em\\_ \\[link\\](https://evil.example) \\~\\~gone\\~\\~ \\$x\\$ \\`code\\` a\\\\b",
                Markdown.text("**bold** _em_ [link](https://evil.example) ~~gone~~ $x$ `code` a\\b"));
        assertEquals("\\## INJECTED", Markdown.text("## INJECTED"));
        assertEquals("\\- item", Markdown.text("- item"));
        assertEquals("x ## y", Markdown.text("x\n## y"), "a line break is a space: no heading can start");
    }

    @Test
    void theMarkerCannotBeForgedFromContent() {
        for (String shown : List.of(
                Markdown.text(MARKER),
                Markdown.cell(MARKER),
                Markdown.code(MARKER),
                Markdown.cellCode(MARKER),
                Markdown.fenced("diff", "+ table " + MARKER))) {
            assertFalse(shown.contains("<!--"), shown);
            assertFalse(shown.contains(MARKER), shown);
        }
    }

    @Test
    void noMentionCanPingAnyone() {
        for (String shown : List.of(Markdown.text("@everyone"), Markdown.cell("hi @acme/owners"))) {
            assertFalse(shown.matches("(?s).*@[A-Za-z].*"), shown);
        }
        assertEquals("@\u200Beveryone", Markdown.text("@everyone"));
    }

    @Test
    void controlCharactersAndBidiOverridesGo() {
        assertEquals("a b c d", Markdown.text("a\u0000b\u202Ec\rd"));
        assertEquals("```\na\tb\nc\n```\n", Markdown.fenced("", "a\tb\u0007\r\nc"));
    }
}
