import Foundation
import Testing

@testable import Trawl

@Suite struct ProgressLineCounterTests {
    private func count(_ contents: String) async throws -> Int? {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("trawl-lines-\(UUID()).txt").path
        try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return await LineCounter.countURLLines(path: path)
    }

    @Test func countsURLLinesSkippingBlanksAndComments() async throws {
        let text = "http://a/\n\n   \n# comment\n  # indented comment\nhttp://b/\n\thttp://c/\nnot a url\n"
        #expect(try await count(text) == 4)
    }

    @Test func handlesCRLFAndAMissingFinalNewline() async throws {
        #expect(try await count("http://a/\r\n\r\n#x\r\nhttp://b/") == 2)
        #expect(try await count("http://a/") == 1)
        #expect(try await count("") == 0)
        #expect(try await count("\n\n# only comments") == 0)
    }

    @Test func aByteOrderMarkIsNotPartOfTheFirstLine() async throws {
        #expect(try await count("\u{FEFF}# a comment\nhttp://a/\n") == 1)
        #expect(try await count("\u{FEFF}http://a/\n") == 1)
    }

    @Test func carriesLineStateAcrossChunks() {
        var counter = LineCounter.Counter()
        for piece in ["http://a", "/\n  ", "  \n #x", "yz\nhttp", "://b/\n#", "\n", "c"] {
            Array(piece.utf8).withUnsafeBytes { counter.scan($0) }
        }
        #expect(counter.count == 3)
    }

    @Test func countsAFileLargerThanOneChunk() async throws {
        let line = "https://example.com/some/path?query=1\n"
        let text = String(repeating: line + "# c\n\n", count: 60_000)
        #expect(try await count(text) == 60_000)
    }

    @Test func aMissingFileHasNoCount() async {
        #expect(await LineCounter.countURLLines(path: "/nonexistent/trawl/input.txt") == nil)
    }
}
