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

    /// A list saved as UTF-16 with a byte-order mark, which the reader turns into its text: the total counts its
    /// URL lines as the crawl sees them, not the zero byte after each newline as a line's first character.
    @Test(arguments: [false, true])
    func aUTF16ListCountsItsURLLines(bigEndian: Bool) async throws {
        let text = "\u{FEFF}http://a/\r\n\r\n# a comment\r\n  \r\nhttp://b/😀\r\n"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("trawl-utf16-\(UUID()).txt").path
        try Data(UTF16TranscoderTests.encoded(text, bigEndian: bigEndian)).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(await LineCounter.countURLLines(path: path) == 2)
    }

    @Test func aByteOrderMarkIsNotPartOfTheFirstLine() async throws {
        #expect(try await count("\u{FEFF}# a comment\nhttp://a/\n") == 1)
        #expect(try await count("\u{FEFF}http://a/\n") == 1)
    }

    @Test(.timeLimit(.minutes(1)))
    func aPipeIsNotCountedSoItsLinesStayForTheCrawl() async throws {
        // `trawl <(cat urls.txt)`: the counter opening the same pipe would read the list before the crawl does.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("trawl-fifo-\(UUID())").path
        #expect(mkfifo(path, 0o600) == 0)
        defer { unlink(path) }
        let reader = open(path, O_RDONLY | O_NONBLOCK)  // the crawl's end
        let writer = open(path, O_WRONLY)
        #expect(reader >= 0 && writer >= 0)
        defer { close(reader) }
        let list = "http://a/\nhttp://b/\n"
        #expect(write(writer, list, list.utf8.count) == list.utf8.count)
        // The writer stays open while the counter runs: one that read the pipe would wait for its end.
        let counting = Task { await LineCounter.countURLLines(path: path) }
        let ended = await finishes(counting, within: .seconds(5))
        close(writer)
        #expect(ended)
        #expect(await counting.value == nil)
        var buffer = [UInt8](repeating: 0, count: 64)
        let got = read(reader, &buffer, buffer.count)
        #expect(String(decoding: buffer[0..<max(0, got)], as: UTF8.self) == list)
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
