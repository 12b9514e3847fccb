import Testing

@testable import TrawlCommandLine

@Suite("String helpers")
struct StringHelpersTests {
    @Test(arguments: [
        ("", "", 0), ("abc", "", 3), ("", "abc", 3), ("kitten", "sitting", 3), ("--cont", "--count", 1),
        ("--concurency", "--concurrency", 1), ("--hlep", "--help", 2),
    ])
    func editDistanceCountsSingleCharacterEdits(source: String, target: String, distance: Int) {
        #expect(source.editDistance(to: target) == distance)
        #expect(target.editDistance(to: source) == distance)
    }

    @Test func wrappingBreaksAtSpacesBeforeTheWidth() {
        #expect("aaa bbb ccc ddd".wrapped(to: 8) == "aaa bbb\nccc ddd")
    }

    @Test func wrappingIndentsEveryNonEmptyLine() {
        #expect("aaa bbb\n\nccc".wrapped(to: 10, indent: 2) == "  aaa bbb\n\n  ccc")
    }

    @Test func wrappingLeavesAWordLongerThanALineWhole() {
        #expect("abcdefghij kl".wrapped(to: 5) == "abcdefghij\nkl")
    }

    @Test func shortTextIsNotWrapped() {
        #expect("short".wrapped(to: 80, indent: 26) == String(repeating: " ", count: 26) + "short")
    }
}
