import Synchronization

/// Writes records as NDJSON to a file descriptor: each record encoded whole, lines never interleaved.
///
/// Records are gathered into a buffer and written with one `write` call per batch (whole lines only), at
/// most `flushInterval` after the first of them, and at ``flush()``. On a regular file opened with
/// `O_APPEND`, a crash leaves at most one torn line at the end.
public final class RecordWriter: RecordSink {
    private struct State {
        var buffer: [UInt8] = []
        var lastFlush: ContinuousClock.Instant
        var failed: Int32 = 0
    }

    private let fd: Int32
    private let encoder = RecordEncoder()
    private let bufferLimit: Int
    private let flushInterval: Duration
    private let state: Mutex<State>
    private let clock = ContinuousClock()

    /// Writes to `fd` (not closed by the writer).
    public init(fd: Int32, bufferLimit: Int = 64 * 1024, flushInterval: Duration = .milliseconds(10)) {
        self.fd = fd
        self.bufferLimit = bufferLimit
        self.flushInterval = flushInterval
        self.state = Mutex(State(lastFlush: ContinuousClock.now))
    }

    public func write(_ record: Record) {
        let now = clock.now
        state.withLock { state in
            // Encoded straight into the batch: no line buffer per record.
            encoder.encode(record, into: &state.buffer)
            if state.buffer.count >= bufferLimit || now - state.lastFlush >= flushInterval {
                writeOut(&state)
                state.lastFlush = now
            }
        }
    }

    /// Writes everything buffered and, with `sync`, asks the system to put it on disk (`fsync`; ignored where
    /// the output cannot be synced, such as a pipe).
    /// - Throws: ``OutputError`` if a write failed at any point.
    public func flush(sync: Bool = false) throws(OutputError) {
        let failed = state.withLock { state in
            writeOut(&state)
            state.lastFlush = clock.now
            if sync && fsync(fd) != 0 && errno != EINVAL && errno != EROFS && errno != ENOTSUP && state.failed == 0 {
                state.failed = errno
            }
            return state.failed
        }
        if failed != 0 { throw OutputError(errno: failed) }
    }

    private func writeOut(_ state: inout State) {
        let failure = state.buffer.withUnsafeBytes { raw -> Int32 in
            var offset = 0
            while offset < raw.count {
                let written = Platform.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return 0
        }
        if failure != 0 { state.failed = failure }
        state.buffer.removeAll(keepingCapacity: true)
    }
}

/// Writing the output failed.
public struct OutputError: Error, Sendable, CustomStringConvertible {
    /// The `errno` of the failed write.
    public var errno: Int32

    public var description: String { "cannot write the output: \(String(cString: strerror(errno)))" }
}
