import Foundation
import Testing
import TrawlTestSite

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
        // A socket whose reader does not read, with a small send buffer and a send timeout: a batch longer than
        // the buffer is written in part, then the write times out (EAGAIN on a blocking descriptor: a failure).
        var fds: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, streamSocket, 0, &fds) == 0)
        defer { for fd in fds { close(fd) } }
        var size: Int32 = 8192
        var timeout = timeval(tv_sec: 0, tv_usec: 50_000)
        _ = setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        _ = setsockopt(fds[0], SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        func drain() -> [UInt8] {
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let got = chunk.withUnsafeMutableBytes { read(fds[1], $0.baseAddress!, $0.count) }
                if got <= 0 { return bytes }
                bytes += chunk[..<got]
            }
        }

        let writer = RecordWriter(fd: fds[0], queueLimit: 10_000, flushInterval: .seconds(3600))
        for index in 0..<2000 { writer.write(record(index)) }
        #expect(throws: OutputError.self) { try writer.flush() }
        var written = drain()
        // The socket has room again: a record written now would follow the half line.
        writer.write(record(5000))
        #expect(throws: OutputError.self) { try writer.flush() }
        written += drain()

        let text = String(decoding: written, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count > 1, "the first batch was not written in part")
        #expect(lines.count < 2000, "the whole batch went out: the write never failed")
        let torn = lines.removeLast()
        #expect(!torn.isEmpty, "the batch was not cut inside a line")
        for line in lines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "not a whole record: \(line)")
        }
        #expect(!text.contains(#""url":"http://a/5000""#))
    }

    @Test func aFullNonBlockingPipeIsWaitedOutNotTakenForAFailure() async throws {
        // What a Node.js or asyncio parent hands down: a non-blocking pipe, read slower than it is written. The
        // reader is a thread of its own, not a task: it blocks, and the writer blocks a task's thread meanwhile.
        var fds: [Int32] = [-1, -1]
        try #require(pipe(&fds) == 0)
        let (reader, writeEnd) = (fds[0], fds[1])
        _ = fcntl(writeEnd, F_SETFL, fcntl(writeEnd, F_GETFL) | O_NONBLOCK)
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
        Thread {
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            // Reads nothing until the pipe holds 16 KiB, so the writer must meet EAGAIN.
            while let available = PipeFill.bytesWaiting(in: reader), available < 16_384 { usleep(1000) }
            while true {
                let got = chunk.withUnsafeMutableBytes { read(reader, $0.baseAddress!, $0.count) }
                if got <= 0 { break }
                bytes += chunk[..<got]
                usleep(100)
            }
            close(reader)
            continuation.yield(bytes)
            continuation.finish()
        }.start()
        let writer = RecordWriter(fd: writeEnd, queueLimit: 10_000, flushInterval: .seconds(3600))
        for index in 0..<3000 { writer.write(record(index)) }
        let flushed = Result { try writer.flush() }
        close(writeEnd)  // whatever happened, so the reader sees the end and its thread ends
        try flushed.get()
        var received: [UInt8] = []
        for await bytes in stream { received = bytes }
        let lines = String(decoding: received, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 3000)
        #expect(lines.last?.contains(#""url":"http://a/2999""#) == true)
    }

    @Test func aFailedWriteIsReportedByFlush() throws {
        let readOnly = open("/dev/null", O_RDONLY)
        defer { close(readOnly) }
        let writer = RecordWriter(fd: readOnly, queueLimit: 1)
        writer.write(record(1))
        #expect(throws: OutputError.self) { try writer.flush() }
    }
}
