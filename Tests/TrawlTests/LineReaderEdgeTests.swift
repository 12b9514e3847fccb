import Foundation
import Testing

@testable import Trawl

@Suite struct LineReaderEdgeTests {
    /// Short comment lines filling `count` bytes exactly, so the next line starts at byte `count` of the file.
    static func filler(_ count: Int) -> String {
        var text = ""
        while text.utf8.count + 100 <= count - 40 { text += "#" + String(repeating: "f", count: 98) + "\n" }
        let rest = count - text.utf8.count - 1
        return text + "#" + String(repeating: "g", count: rest - 1) + "\n"
    }

    /// A line of exactly the limit, then `\r\n`, is not overlong: the `\r` is not part of it. Read in one go it
    /// comes back whole; it must too when its `\r` is the last byte of one 64 KiB read and `\n` the first of the next.
    @Test func aLineOfExactlyTheLimitWhoseCRLFIsSplitAcrossReadsIsNotCut() async {
        let line = String(repeating: "L", count: 1000)
        let split = Self.filler(65_536 - 1001) + line + "\r\nz\n"
        let whole = line + "\r\nz\n"
        let inOneRead = await LineReaderTests.allLines(LineReaderTests.reader(whole, maxLineBytes: 1000))
        #expect(inOneRead.map(\.truncated) == [false, false])
        let lines = await LineReaderTests.allLines(LineReaderTests.reader(split, maxLineBytes: 1000))
        let last = lines.suffix(2)
        #expect(last.map(\.text) == [line, "z"])
        #expect(last.map(\.truncated) == [false, false])
    }

    /// An overlong line's `\r\n` split across reads: the `\r` is left out of the digest, as in one read.
    @Test func anOverlongLineWhoseCRLFIsSplitAcrossReadsDigestsWithoutTheCR() async {
        let line = String(repeating: "L", count: 3000)
        let lines = await LineReaderTests.allLines(
            LineReaderTests.reader(Self.filler(65_536 - 3001) + line + "\r\nz\n", maxLineBytes: 1000))
        let cut = lines.compactMap(\.cut)
        #expect(cut.map(\.byteCount) == [3000])
        #expect(cut.first?.digest == URLDigest(line))
        #expect(lines.last?.text == "z")
    }

    /// The BOM is not part of the first line for a normal line; for an overlong one it must not be either, or a
    /// copy of the first line further down is a different record.
    @Test func aBOMIsNoPartOfAnOverlongFirstLine() async {
        let line = "http://a/" + String(repeating: "p", count: 2000)
        let lines = await LineReaderTests.allLines(
            LineReaderTests.reader("\u{FEFF}\(line)\n\(line)\n", maxLineBytes: 1000))
        #expect(lines.count == 2)
        #expect(lines.map(\.cut?.byteCount) == [line.utf8.count, line.utf8.count])
        #expect(lines.first?.cut == lines.last?.cut)
    }

    /// A line whose kept start is all white space is not blank: what follows the cut must get a record.
    @Test func anOverlongLineWhoseStartIsWhiteSpaceIsNotSkippedAsBlank() async {
        let text = String(repeating: " ", count: 200) + "http://a/1\n"
        let source = URLSource(reader: LineReaderTests.reader(text, maxLineBytes: 100))
        let item = await source.next()
        #expect(item != nil)
    }
}

@Suite struct LineReaderBatchTests {
    /// A last line without a newline comes in the batch that reached the end, not in one of its own.
    @Test func aLineEndedByEOFComesInTheSameBatch() {
        let reader = LineReaderTests.reader("a\nb", maxLineBytes: 100)
        #expect(reader.readBatch(maxLines: 10)?.map(\.text) == ["a", "b"])
        #expect(reader.readBatch(maxLines: 10) == nil)
    }

    /// On a pipe still open, the lines ready are handed over without waiting for the partial one to end.
    @Test func aPartialLineOnAnOpenPipeDoesNotHoldBackTheLinesBeforeIt() throws {
        var fds: [Int32] = [-1, -1]
        try #require(pipe(&fds) == 0)
        defer { close(fds[1]) }
        let bytes = Array("a\nb".utf8)
        _ = bytes.withUnsafeBytes { write(fds[1], $0.baseAddress!, $0.count) }
        let reader = LineReader(fd: fds[0], closeOnDeinit: true, maxLineBytes: 100)
        #expect(reader.readBatch(maxLines: 10)?.map(\.text) == ["a"])
        _ = write(fds[1], "\n", 1)
        #expect(reader.readBatch(maxLines: 10)?.map(\.text) == ["b"])
    }
}
