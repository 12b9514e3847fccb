import Testing

@testable import Trawl

@Suite struct ProgressTerminalTextTests {
    @Test func sanitizeEscapesEscapeAndCSI() {
        #expect(TerminalText.sanitize("a\u{1B}[2Jb") == "a\\e[2Jb")
        #expect(TerminalText.sanitize("\u{1B}]0;title\u{07}") == "\\e]0;title\\x07")
    }

    @Test func sanitizeEscapesC1ControlsAndDelete() {
        #expect(TerminalText.sanitize("x\u{9B}31m") == "x\\u{9B}31m")
        #expect(TerminalText.sanitize("\u{85}\u{80}\u{9F}") == "\\u{85}\\u{80}\\u{9F}")
        #expect(TerminalText.sanitize("a\u{7F}b") == "a\\x7Fb")
    }

    @Test func sanitizeEscapesLineBreaksTabsBellAndNul() {
        #expect(TerminalText.sanitize("a\r\nb\tc\u{07}\u{0}") == "a\\r\\nb\\tc\\x07\\x00")
    }

    @Test func sanitizeEscapesBidiOverridesAndSeparators() {
        #expect(TerminalText.sanitize("a\u{202E}b\u{2028}") == "a\\u{202E}b\\u{2028}")
    }

    @Test(arguments: ["http://example.com/a?b=c", "https://bücher.de/straße", "日本語.jp", "😀 ok", "e\u{301}", ""])
    func sanitizeLeavesPrintableTextAlone(_ text: String) {
        #expect(TerminalText.sanitize(text) == text)
    }

    @Test func sanitizedTextHasNoControlCharacters() {
        let all = String(String.UnicodeScalarView((0...0x2FF).compactMap(Unicode.Scalar.init)))
        let clean = TerminalText.sanitize(all)
        #expect(!clean.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
    }

    @Test func columnsCountWideAndCombiningCharacters() {
        #expect(TerminalText.columns("abc") == 3)
        #expect(TerminalText.columns("日本") == 4)
        #expect(TerminalText.columns("e\u{301}") == 1)
        #expect(TerminalText.columns("😀") == 2)
    }

    @Test func truncateCutsByColumnsWithAnEllipsis() {
        #expect(TerminalText.truncate("abcdef", toColumns: 4) == "abc…")
        #expect(TerminalText.truncate("日本語テキスト", toColumns: 6) == "日本…")
        #expect(TerminalText.truncate("abc", toColumns: 3) == "abc")
        #expect(TerminalText.columns(TerminalText.truncate("日本語テキスト", toColumns: 5)) <= 5)
    }
}
