import Foundation
import Testing

@testable import Trawl

@Suite struct RecordWriterTests {
    /// A temporary file the writer gets; `text()` reads everything written so far.
    private final class FileOutput {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("trawl-writer-\(UUID()).ndjson").path
        let fd: Int32

        init() throws {
            fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            try #require(fd >= 0)
        }

        func text() -> String {
            (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        }

        deinit {
            close(fd)
            unlink(path)
        }
    }

    private func record(_ index: Int) -> Record {
        Record(url: "http://a/\(index)", ok: true, status: 200, attempts: 1, bytes: index, elapsedMilliseconds: 1)
    }

    @Test func writeOnlyQueuesUntilTheQueueLimitThenWritesTheWholeQueueInOrder() throws {
        let output = try FileOutput()
        let writer = RecordWriter(fd: output.fd, queueLimit: 3, flushInterval: .seconds(3600))
        writer.write(record(1))
        writer.write(record(2))
        #expect(output.text().isEmpty)
        writer.write(record(3))
        let lines = output.text().split(separator: "\n")
        #expect(lines.count == 3)
        for (index, line) in lines.enumerated() { #expect(line.contains(#""url":"http://a/\#(index + 1)""#)) }
        writer.write(record(4))
        #expect(output.text().split(separator: "\n").count == 3)
        try writer.flush()
        #expect(output.text().split(separator: "\n").last?.contains(#""url":"http://a/4""#) == true)
    }

    @Test func writeWritesTheQueueOnceTheFlushIntervalHasPassed() throws {
        let output = try FileOutput()
        let writer = RecordWriter(fd: output.fd, queueLimit: 1000, flushInterval: .milliseconds(300))
        try writer.flush()  // the interval counts from here
        writer.write(record(1))
        #expect(output.text().isEmpty)
        Thread.sleep(forTimeInterval: 0.35)
        writer.write(record(2))
        #expect(output.text().split(separator: "\n").count == 2)
    }

    @Test func recordsFromManyThreadsComeOutAsWholeLinesEachOnce() async throws {
        let output = try FileOutput()
        let writer = RecordWriter(fd: output.fd, queueLimit: 7, flushInterval: .seconds(3600))
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for index in 0..<500 { writer.write(self.record(worker * 1000 + index)) }
                }
            }
            group.addTask {
                for _ in 0..<50 { try? writer.flush() }
            }
        }
        try writer.flush()
        let lines = output.text().split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 4000)
        let urls = try lines.map { line in
            let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return try #require(object["url"] as? String)
        }
        #expect(Set(urls).count == 4000)
    }

    @Test func theFirstReleasesByteLimitStillBuildsAndBoundsTheQueue() throws {
        let output = try FileOutput()
        // 512 bytes: two records of ~256.
        let writer = RecordWriter(fd: output.fd, bufferLimit: 512, flushInterval: .seconds(3600))
        writer.write(record(1))
        #expect(output.text().isEmpty)
        writer.write(record(2))
        #expect(output.text().split(separator: "\n").count == 2)
    }

    @Test func nothingIsWrittenAfterAWriteFailedHalfway() throws {
        // A non-blocking pipe with one page free: a batch longer than that is written in part, then fails (EAGAIN).
        var fds: [Int32] = [-1, -1]
        try #require(pipe(&fds) == 0)
        defer { for fd in fds { close(fd) } }
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        var newline = UInt8(ascii: "\n")
        while Platform.write(fds[1], &newline, 1) == 1 {}
        func drain() -> [UInt8] {
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let got = chunk.withUnsafeMutableBytes { read(fds[0], $0.baseAddress!, $0.count) }
                if got <= 0 { return bytes }
                bytes += chunk[..<got]
            }
        }
        var page = [UInt8](repeating: 0, count: 4096)
        #expect(page.withUnsafeMutableBytes { read(fds[0], $0.baseAddress!, $0.count) } == 4096)

        let writer = RecordWriter(fd: fds[1], queueLimit: 1000, flushInterval: .seconds(3600))
        for index in 0..<100 { writer.write(record(index)) }
        #expect(throws: OutputError.self) { try writer.flush() }
        var written = drain()
        // The pipe has room again: a record written now would follow the half line.
        writer.write(record(1000))
        #expect(throws: OutputError.self) { try writer.flush() }
        written += drain()

        let text = String(decoding: written.drop(while: { $0 == UInt8(ascii: "\n") }), as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count > 1, "the first batch was not written in part")
        let torn = lines.removeLast()
        #expect(!torn.isEmpty, "the batch was not cut inside a line")
        for line in lines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "not a whole record: \(line)")
        }
        #expect(!text.contains(#""url":"http://a/1000""#))
    }

    @Test func aFailedWriteIsReportedByFlush() throws {
        let readOnly = open("/dev/null", O_RDONLY)
        defer { close(readOnly) }
        let writer = RecordWriter(fd: readOnly, queueLimit: 1)
        writer.write(record(1))
        #expect(throws: OutputError.self) { try writer.flush() }
    }
}
