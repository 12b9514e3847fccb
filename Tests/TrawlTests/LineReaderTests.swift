import Foundation
import Synchronization
import Testing
import TrawlTestSite

@testable import Trawl

@Suite struct LineReaderTests {
    /// A pipe whose write end is filled with `text` and closed.
    static func reader(_ text: String, maxLineBytes: Int = 1 << 20) -> LineReader {
        reader(bytes: Array(text.utf8), maxLineBytes: maxLineBytes)
    }

    /// A pipe whose write end is filled with `bytes` and closed.
    static func reader(bytes: [UInt8], maxLineBytes: Int = 1 << 20) -> LineReader {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("trawl-lines-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: path.path, contents: Data(bytes))
        let fd = open(path.path, O_RDONLY)
        unlink(path.path)
        return LineReader(fd: fd, closeOnDeinit: true, maxLineBytes: maxLineBytes)
    }

    static func allLines(_ reader: LineReader) async -> [LineReader.Line] {
        var lines: [LineReader.Line] = []
        while let batch = await reader.nextBatch(maxLines: 3) { lines += batch }
        return lines
    }

    @Test func splitsOnNewlinesStripsCRAndBOMAndKeepsALastLineWithoutNewline() async {
        let lines = await Self.allLines(Self.reader("\u{FEFF}a\r\nb\n\nc"))
        #expect(lines.map(\.text) == ["a", "b", "", "c"])
    }

    @Test func overlongLinesAreCutAndFlagged() async {
        let long = String(repeating: "x", count: 5000)
        let lines = await Self.allLines(Self.reader("a\n\(long)\nb\n", maxLineBytes: 100))
        #expect(lines.map(\.text.count) == [1, 100, 1])
        #expect(lines.map(\.truncated) == [false, true, false])
    }

    @Test func overlongLineLongerThanTheReadBufferIsCutOnce() async {
        let long = String(repeating: "y", count: 300_000)
        let lines = await Self.allLines(Self.reader("\(long)\nz", maxLineBytes: 1000))
        #expect(lines.map(\.text.count) == [1000, 1])
        #expect(lines.map(\.cut?.byteCount) == [300_000, nil])
    }

    @Test func overlongLinesAreToldApartByAllTheirBytesWhetherReadInOneGoOrStreamed() async {
        // Lines that share their first 1,000 bytes: short enough to sit in one read (2,000 bytes) and long
        // enough to stream through many (300,000, past the 64 KiB read), each also with a `\r\n`, and last a
        // streamed one that ends the input with no newline.
        let head = String(repeating: "h", count: 1000)
        let short = head + String(repeating: "a", count: 1000)
        let long = head + String(repeating: "b", count: 299_000)
        let text = [short, short + "c", long, long + "c", short + "\r", long + "\r", long].joined(separator: "\n")
        let lines = await Self.allLines(Self.reader(text, maxLineBytes: 1000))
        #expect(lines.allSatisfy { $0.text == head && $0.truncated })
        let cuts = lines.compactMap(\.cut)
        #expect(cuts.map(\.byteCount) == [2000, 2001, 300_000, 300_001, 2000, 300_000, 300_000])
        // A `\r` before the newline is not part of the line; only the copies of one line share a digest.
        #expect(cuts[4] == cuts[0] && cuts[5] == cuts[2] && cuts[6] == cuts[2])
        #expect(Set(cuts[0..<4]).count == 4)
        #expect(cuts[2].digest == URLDigest(long) && cuts[1].digest == URLDigest(short + "c"))
    }

    /// A list saved as UTF-16 with a byte-order mark (Windows PowerShell's `>` writes UTF-16LE) reads as its text.
    @Test(arguments: [false, true])
    func aUTF16ListWithAByteOrderMarkIsReadAsText(bigEndian: Bool) async {
        let text = "\u{FEFF}http://h/a\r\nhttp://h/é\r\n\nhttp://h/😀"
        let bytes = UTF16TranscoderTests.encoded(text, bigEndian: bigEndian)
        let lines = await Self.allLines(Self.reader(bytes: bytes))
        #expect(lines.map(\.text) == ["http://h/a", "http://h/é", "", "http://h/😀"])
        #expect(lines.allSatisfy { !$0.invalidUTF8 })
    }

    @Test func aUTF16MarkArrivingOneByteAtATimeIsStillSeen() async throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let reader = LineReader(fd: fds[0], closeOnDeinit: true)
        let bytes = UTF16TranscoderTests.encoded("\u{FEFF}http://h/1\n", bigEndian: false)
        _ = [bytes[0]].withUnsafeBytes { write(fds[1], $0.baseAddress!, 1) }
        let first = Task { await reader.nextBatch() }
        // Only once the reader has taken the lone first byte does the rest go in: the mark is then split.
        try await waitUntil { PipeFill.bytesWaiting(in: fds[0]) == 0 }
        #expect(PipeFill.bytesWaiting(in: fds[0]) == 0)
        _ = Array(bytes.dropFirst()).withUnsafeBytes { write(fds[1], $0.baseAddress!, $0.count) }
        close(fds[1])
        var lines = await first.value ?? []
        while let more = await reader.nextBatch() { lines += more }
        #expect(lines.map(\.text) == ["http://h/1"])
    }

    @Test func bytesThatAreNotUTF8AreShownAsPercentEscapesAndFlagged() async {
        // 0xFF and 0xFE, a lone continuation byte, an overlong "/" (C0 AF), a cut-off 3-byte sequence, the same
        // bytes as a line that spells one of them out (its "%" escaped so the two differ); "é%FF" is valid.
        let bytes: [[UInt8]] = [
            Array("http://h/x".utf8) + [0xFF], Array("http://h/x".utf8) + [0xFE], [0x80] + Array("a".utf8),
            [0xC0, 0xAF], Array("caf".utf8) + [0xE2, 0x82], Array("y%FF".utf8) + [0xFE], [0x79, 0xFF, 0xFE],
            Array("é%FF".utf8),
        ]
        let lines = await Self.allLines(Self.reader(bytes: Array(bytes.joined(separator: [10]))))
        #expect(
            lines.map(\.text) == [
                "http://h/x%FF", "http://h/x%FE", "%80a", "%C0%AF", "caf%E2%82", "y%25FF%FE", "y%FF%FE", "é%FF",
            ])
        #expect(lines.map(\.invalidUTF8) == [true, true, true, true, true, true, true, false])
    }

    @Test func aFailedReadEndsTheInputAndIsKept() async {
        let reader = LineReader(fd: open(FileManager.default.temporaryDirectory.path, O_RDONLY), closeOnDeinit: true)
        #expect(reader.readError == nil)
        #expect(await reader.nextBatch() == nil)
        #expect(reader.readError == EISDIR)
        let fine = Self.reader("a\n")
        #expect(await Self.allLines(fine).map(\.text) == ["a"] && fine.readError == nil)
    }

    /// A read that fails after part of a line leaves that line's end unknown: its start is no line (a record of
    /// it would be of a URL the list does not hold), nor is the start of an overlong line it cut short.
    @Test(
        .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/fd"), "Linux resets a closed Unix socket"),
        arguments: [1 << 20, 12])
    func aReadThatFailsMidLineDropsThatLinesStart(maxLineBytes: Int) async throws {
        var fds: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, streamSocket, 0, &fds) == 0)
        let (mine, peer) = (fds[0], fds[1])
        let sent = Array("http://a/1\nhttp://a/partial".utf8)
        #expect(write(peer, sent, sent.count) == sent.count)
        // A byte the peer never reads: closing it then resets this end (ECONNRESET) once its data is read.
        var byte: UInt8 = 1
        #expect(write(mine, &byte, 1) == 1)
        close(peer)
        let reader = LineReader(fd: mine, closeOnDeinit: true, maxLineBytes: maxLineBytes)
        let lines = await Self.allLines(reader)
        #expect(reader.readError == ECONNRESET)
        #expect(lines.map(\.text) == ["http://a/1"], "\(lines.map(\.text))")
    }

    @Test func cancelEndsAReadWaitingOnAnIdlePipe() async throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        _ = "http://h/1\n".withCString { write(fds[1], $0, strlen($0)) }
        let reader = LineReader(fd: fds[0], closeOnDeinit: true)
        #expect(await reader.nextBatch()?.map(\.text) == ["http://h/1"])
        // The pipe stays open and idle: only cancel() can end the next read.
        let read = Task { await reader.nextBatch() }
        try await Task.sleep(for: .milliseconds(50))
        reader.cancel()
        let ended = await finishes(read, within: .seconds(5))
        close(fds[1])  // unblocks the read if cancel() did not, so a failure does not hang the suite
        #expect(ended, "cancel() did not wake the read")
        #expect(await read.value == nil)
        #expect(await reader.nextBatch() == nil)
    }

    @Test func aCancelledReaderReadsNothingMore() async {
        let reader = Self.reader("a\nb\n")
        reader.cancel()
        reader.cancel()
        #expect(await reader.nextBatch() == nil)
        let memory = LineReader(lines: ["a"])
        memory.cancel()
        #expect(await memory.nextBatch() == nil)
    }

    @Test func manyLinesArriveInOrder() async {
        let text = (0..<20_000).map { "http://h/\($0)" }.joined(separator: "\n")
        let lines = await Self.allLines(Self.reader(text))
        #expect(lines.count == 20_000)
        #expect(lines.last?.text == "http://h/19999")
    }
}

@Suite struct URLSourceTests {
    @Test func trimsSkipsCommentsAndBlanksDedupesAndRejectsBadLines() async {
        let text = """
              http://a/1  \r
            # comment
            http://a/1

            \thttp://a/2
            ftp://a/3
            nonsense
            nonsense
            """
        let source = URLSource(reader: LineReaderTests.reader(text))
        var fetch: [String] = []
        var rejected: [(String, ErrorKind?)] = []
        while let item = await source.next() {
            switch item {
            case .fetch(let url): fetch.append(url.original)
            case .rejected(let record): rejected.append((record.url, record.error?.kind))
            }
        }
        #expect(fetch == ["http://a/1", "http://a/2"])
        #expect(rejected.map(\.0) == ["ftp://a/3", "nonsense"])
        #expect(rejected.map(\.1) == [.unsupportedScheme, .invalidURL])
        #expect(source.duplicates == 2)
    }

    @Test func repeatsAndLinesOfOtherShardsAreReportedAsSkipped() async {
        let skipped = Mutex(0)
        let source = URLSource(
            reader: LineReaderTests.reader("http://a/1\nhttp://b/1\nhttp://a/1\nhttp://a/2\nhttp://b/2\n"),
            keep: { item in
                if case .fetch(let url) = item { return url.host == "a" }
                return true
            },
            events: { event in
                if case .skipped(let count) = event { skipped.withLock { $0 += count } }
            })
        var urls: [String] = []
        while case .fetch(let url)? = await source.next() { urls.append(url.original) }
        #expect(urls == ["http://a/1", "http://a/2"])
        #expect(skipped.withLock { $0 } == 3)
    }

    @Test func blankAndCommentLinesTheLineCountCountedAreReportedAsSkipped() async {
        // U+00A0 is white space to the reader's trim but not to the line count's fast ASCII scan.
        let skipped = Mutex(0)
        let text = "\u{A0}\n\u{A0}# c\n# c\n\n  \nhttp://a/1\n"
        let source = URLSource(
            reader: LineReaderTests.reader(text),
            events: { event in
                if case .skipped(let count) = event { skipped.withLock { $0 += count } }
            })
        while await source.next() != nil {}
        #expect(skipped.withLock { $0 } == 2)
        // The line count less the skipped lines is the one URL.
        var counter = LineCounter.Counter()
        Array(text.utf8).withUnsafeBytes { counter.scan($0) }
        #expect(counter.count == 3)
    }

    @Test func linesThatDifferOnlyInBytesThatAreNotUTF8EachGetARejectedRecord() async {
        let bytes = Array("http://a/x".utf8) + [0xFF, 10] + Array("http://a/x".utf8) + [0xFE]
        let source = URLSource(reader: LineReaderTests.reader(bytes: bytes))
        var rejected: [Record] = []
        while case .rejected(let record)? = await source.next() { rejected.append(record) }
        #expect(rejected.map(\.url) == ["http://a/x%FF", "http://a/x%FE"])
        #expect(rejected.allSatisfy { $0.error?.kind == .invalidURL && $0.error?.message.contains("UTF-8") == true })
        #expect(source.duplicates == 0)
    }

    @Test func overlongLinesGetOneRecordEachThatResumeKnowsAgain() async throws {
        // Two lines that differ only past the cut, and a repeat of the first: two records, one duplicate.
        let head = "http://a/" + String(repeating: "p", count: 200)
        let text = "\(head)1\n\(head)2\n\(head)1\n"
        let source = URLSource(reader: LineReaderTests.reader(text, maxLineBytes: 100))
        var rejected: [Record] = []
        while case .rejected(let record)? = await source.next() { rejected.append(record) }
        #expect(rejected.count == 2 && source.duplicates == 1)
        #expect(Set(rejected.map(\.url)).count == 2)
        let url = try #require(rejected.first?.url)
        #expect(url.hasPrefix(String(head.prefix(100)) + "… (210 bytes, #"))
        #expect(rejected.allSatisfy { $0.error?.message.contains("210 bytes, longer than trawl reads") == true })
        // Resume keys on the record's url: the same input then has nothing left to fetch.
        let done = Set(rejected.map { URLDigest($0.url) })
        let again = URLSource(reader: LineReaderTests.reader(text, maxLineBytes: 100), alreadyDone: done)
        #expect(await again.next() == nil)
    }

    @Test func alreadyDoneDigestsAreSkippedAndCountedOncePerInputLine() async {
        let resumed = Mutex(0)
        // http://a/9 has a record but is not in this input: it is no part of this run's progress.
        let source = URLSource(
            reader: LineReaderTests.reader("http://a/1\nhttp://a/2\nhttp://a/1\nhttp://a/3\n"),
            alreadyDone: [URLDigest("http://a/1"), URLDigest("http://a/3"), URLDigest("http://a/9")],
            events: { event in
                if case .resumed(let count) = event { resumed.withLock { $0 += count } }
            })
        var urls: [String] = []
        while case .fetch(let url)? = await source.next() { urls.append(url.original) }
        #expect(urls == ["http://a/2"])
        #expect(resumed.withLock { $0 } == 2)
        // The second http://a/1 is a repeat of the input, not a second resumed URL.
        #expect(source.duplicates == 1)
    }
}
