import Synchronization

/// Writes records as NDJSON to a file descriptor: each record encoded whole, lines never interleaved.
///
/// ``write(_:)`` only queues the record. Queued records are encoded and written in batches, one `write` call
/// per batch (whole lines only, in the order they were queued), by ``flush(sync:)`` and by `write(_:)` itself
/// when `flushInterval` has passed since the queue was last written or `queueLimit` records wait. A caller that
/// flushes from a task of its own more often than `flushInterval` keeps the encoding and the system calls off
/// the threads that produce records (the command-line tool does, every few milliseconds). On a regular file
/// opened with `O_APPEND`, a crash leaves at most one torn line at the end. After a write fails (a full disk, a
/// closed pipe) the writer writes nothing more, so the failure too leaves at most one torn line, at the end.
public final class RecordWriter: RecordSink {
    private struct Queue {
        var records: [Record] = []
        /// When the queue was last taken to be written.
        var taken: ContinuousClock.Instant
    }

    private struct Output {
        var buffer: [UInt8] = []
        /// The batch being written, kept to reuse its capacity.
        var batch: [Record] = []
        var failed: Int32 = 0
    }

    private let fd: Int32
    private let encoder = RecordEncoder()
    private let queueLimit: Int
    private let flushInterval: Duration
    private let queue: Mutex<Queue>
    /// Held while a batch is encoded and written, so batches go out whole and in order.
    private let output = Mutex(Output())
    private let clock = ContinuousClock()

    /// Writes to `fd` (not closed by the writer).
    public init(fd: Int32, queueLimit: Int = 1024, flushInterval: Duration = .milliseconds(10)) {
        self.fd = fd
        self.queueLimit = max(1, queueLimit)
        self.flushInterval = flushInterval
        queue = Mutex(Queue(taken: ContinuousClock.now))
    }

    /// The initialiser of trawl's first releases, which bounded the buffer in bytes; kept so their callers still
    /// build, deprecated: use ``init(fd:queueLimit:flushInterval:)``. The bytes are read as records of ~256.
    public convenience init(fd: Int32, bufferLimit: Int, flushInterval: Duration = .milliseconds(10)) {
        self.init(fd: fd, queueLimit: max(1, bufferLimit / 256), flushInterval: flushInterval)
    }

    public func write(_ record: Record) {
        let now = clock.now
        let due = queue.withLock { queue in
            queue.records.append(record)
            return queue.records.count >= queueLimit || now - queue.taken >= flushInterval
        }
        if due { writeQueued() }
    }

    /// Writes everything queued and, with `sync`, asks the system to put it on disk (`fsync`; ignored where
    /// the output cannot be synced, such as a pipe).
    /// - Throws: ``OutputError`` if a write failed at any point.
    public func flush(sync: Bool = false) throws(OutputError) {
        let failed = output.withLock { output in
            writeQueued(&output)
            if sync && fsync(fd) != 0 && errno != EINVAL && errno != EROFS && errno != ENOTSUP && output.failed == 0 {
                output.failed = errno
            }
            return output.failed
        }
        if failed != 0 { throw OutputError(errno: failed) }
    }

    private func writeQueued() {
        output.withLock { writeQueued(&$0) }
    }

    /// Takes the queued records (under the output lock, so an earlier batch is always written first), encodes
    /// them and writes them in one go.
    private func writeQueued(_ output: inout Output) {
        let now = clock.now
        queue.withLock { queue in
            swap(&queue.records, &output.batch)
            queue.taken = now
        }
        guard !output.batch.isEmpty else { return }
        // A failed write may have left half a line; anything written after it would be glued to that line, so
        // once a write has failed nothing more is written: the file ends in the torn line `--resume` cuts.
        guard output.failed == 0 else {
            output.batch.removeAll(keepingCapacity: true)
            return
        }
        for record in output.batch { encoder.encode(record, into: &output.buffer) }
        output.batch.removeAll(keepingCapacity: true)
        let failure = output.buffer.withUnsafeBytes { Platform.writeAll(fd, $0.baseAddress!, $0.count) }
        if failure != 0 && output.failed == 0 { output.failed = failure }
        output.buffer.removeAll(keepingCapacity: true)
    }
}

/// Writing the output failed.
public struct OutputError: Error, Sendable, CustomStringConvertible {
    /// The `errno` of the failed write.
    public var errno: Int32

    public var description: String { "cannot write the output: \(String(cString: strerror(errno)))" }
}
