package dev.tiergate.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What reaches a terminal from a server, a forge or a database: no control character, no bidi override. */
class TerminalTextTest {
    @Test
    void escapeSequencesC1ControlsAndBidiOverridesBecomeQuestionMarks() {
        assertEquals("?[2J?]0;pwned?", TerminalText.plain("\u001b[2J\u001b]0;pwned\u0007"), "C0: ESC, BEL");
        assertEquals("?2Jcleared", TerminalText.plain("\u009b2Jcleared"), "C1: U+009B is a whole CSI");
        assertEquals("feature/?gpj.exe", TerminalText.plain("feature/\u202egpj.exe"), "RLO shows it as exe.jpg");
        assertEquals("a?b?c", TerminalText.plain("a\u2066b\u2069c"), "isolates");
        assertEquals("line?next", TerminalText.plain("line\nnext"), "one line per item");
        assertEquals("ünïcödé 名前 ok", TerminalText.plain("ünïcödé 名前 ok"), "letters stay");
        assertEquals("", TerminalText.plain(null));
    }
}
