import Dispatch
import Synchronization

/// Reads a file descriptor line by line in batches, off Swift's cooperative threads.
///
/// Blocking reads (a pipe on stdin can block for ever) run on a private dispatch queue, so they never hold
/// one of the few cooperative threads, and ``cancel()`` ends one at once. Lines are split on `\n`; a trailing
/// `\r` and a leading UTF-8 BOM are removed. A line longer than `maxLineBytes` is cut there: the rest up to
/// its newline is read but not kept, only counted and digested into ``Line/cut``. An input that opens with a
/// UTF-16 byte-order mark is turned into UTF-8 as it is read (``UTF16Transcoder``).
public final class LineReader: @unchecked Sendable {
    /// One line of input.
    public struct Line: Sendable {
        /// The line's text. In a line that is not valid UTF-8, each byte outside a valid sequence, and each
        /// `%`, is written as `%XX`, so two such lines that differ in any byte stay distinct.
        public var text: String
        /// Whether the line held bytes that are not valid UTF-8 (see ``text``).
        public var invalidUTF8: Bool
        /// For a line longer than the reader keeps, whose ``text`` is only its start: the whole line's size
        /// and digest, so two long lines that differ only past the cut stay distinct.
        public var cut: Cut?

        /// Whether the line was longer than the reader keeps and was cut.
        public var truncated: Bool { cut != nil }

        public init(text: String, invalidUTF8: Bool = false, cut: Cut? = nil) {
            self.text = text
            self.invalidUTF8 = invalidUTF8
            self.cut = cut
        }

        /// The whole of a line that was cut.
        public struct Cut: Hashable, Sendable {
            /// Its length in bytes, without the newline (and a `\r` before it).
            public var byteCount: Int
            /// The digest of all those bytes.
            public var digest: URLDigest
        }
    }

    /// An overlong line being read to its end: the start that is kept, and a digest of all its bytes.
    private struct Overlong {
        var line: Line
        private var digest = URLDigest.Accumulator()
        /// Whether the bytes so far end in a `\r`, left out of the digest until it is known not to be the last.
        private var heldCR = false

        init(start line: Line) { self.line = line }

        mutating func add(_ bytes: ArraySlice<UInt8>) {
            guard let last = bytes.last else { return }
            if heldCR { digest.add(CollectionOfOne(UInt8(ascii: "\r"))) }
            heldCR = last == UInt8(ascii: "\r")
            digest.add(heldCR ? bytes.dropLast() : bytes)
        }

        var finished: Line {
            var finished = line
            finished.cut = Line.Cut(byteCount: digest.count, digest: digest.digest)
            return finished
        }
    }

    private let fd: Int32
    private let closeOnDeinit: Bool
    private let maxLineBytes: Int
    private let queue = DispatchQueue(label: "trawl.line-reader")
    private let cancelled = Atomic<Bool>(false)
    /// The `errno` of the read that failed and ended the input early, 0 while none has.
    private let failure = Atomic<Int32>(0)
    /// A pipe that ``cancel()`` writes to, so a read waiting on `fd` wakes (`nil` if none could be made: reads
    /// then block until `fd` has data).
    private let wakePipe: (read: Int32, write: Int32)?
    // Touched only on `queue`.
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEOF = false
    private var firstLine = true
    private var overlong: Overlong?
    /// Whether the input's first bytes have been looked at for a UTF-16 byte-order mark.
    private var encodingKnown = false
    /// Set for a UTF-16 input: its bytes are turned into UTF-8 as they are read, so the rest sees UTF-8.
    private var utf16: UTF16Transcoder?
    // Lines served from memory instead of `fd` (see ``init(lines:)``).
    private var memory: [String]?
    private var memoryIndex = 0

    /// Reads from `fd`. The reader closes it on deinit when `closeOnDeinit` is set.
    public init(fd: Int32, closeOnDeinit: Bool, maxLineBytes: Int = 1 << 20) {
        self.fd = fd
        self.closeOnDeinit = closeOnDeinit
        self.maxLineBytes = maxLineBytes
        self.wakePipe = Self.makeWakePipe()
    }

    /// Serves `lines` from memory, for crawling a list built in code.
    public init(lines: [String]) {
        self.fd = -1
        self.closeOnDeinit = false
        self.maxLineBytes = Int.max
        self.memory = lines
        self.wakePipe = nil
    }

    deinit {
        if closeOnDeinit { _ = close(fd) }
        if let wakePipe {
            _ = close(wakePipe.read)
            _ = close(wakePipe.write)
        }
    }

    /// Ends the input: a read waiting for data returns at once, and every later batch is `nil`. Lines read but
    /// not yet handed out are dropped. Safe to call from any thread, more than once. A run that is stopped or
    /// cancelled calls this on its input, so an idle pipe cannot hold the run open.
    public func cancel() {
        guard !cancelled.exchange(true, ordering: .acquiringAndReleasing), let wakePipe else { return }
        var byte: UInt8 = 1
        _ = Platform.write(wakePipe.write, &byte, 1)
    }

    /// Whether ``cancel()`` was called.
    public var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    /// The `errno` of a read that failed (`EIO`, `EISDIR`, ...): the input then ended there, before its end, and
    /// the lines after it were never seen. `nil` while every read has succeeded.
    public var readError: Int32? {
        let code = failure.load(ordering: .acquiring)
        return code == 0 ? nil : code
    }

    /// Returns up to `maxLines` lines, or `nil` at end of input.
    public func nextBatch(maxLines: Int = 512) async -> [Line]? {
        await nextBatch(maxLines: maxLines) { $0 }
    }

    /// Reads up to `maxLines` lines and hands them to `transform` on the reader's own queue, off the caller's
    /// thread; `nil` at end of input.
    public func nextBatch<Result: Sendable>(
        maxLines: Int = 512, _ transform: @escaping @Sendable ([Line]) -> Result
    ) async -> Result? {
        await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: self.readBatch(maxLines: maxLines).map(transform))
            }
        }
    }

    /// The same as ``nextBatch(maxLines:)``, blocking the calling thread.
    public func readBatch(maxLines: Int) -> [Line]? {
        if isCancelled { return nil }
        if let memory {
            guard memoryIndex < memory.count else { return nil }
            let end = min(memory.count, memoryIndex + maxLines)
            defer { memoryIndex = end }
            return memory[memoryIndex..<end].map { Line(text: $0) }
        }
        var lines: [Line] = []
        while lines.count < maxLines {
            if let line = takeLine() {
                lines.append(line)
                continue
            }
            // At the end of input, once the lines it completed are taken.
            if atEOF { break }
            // Nothing more ready: hand over what we have rather than block on a pipe.
            if !fill(blockingAllowed: lines.isEmpty) && !atEOF && !lines.isEmpty { break }
        }
        if isCancelled || (lines.isEmpty && atEOF && start >= buffer.count) { return nil }
        return lines
    }

    /// Reads more bytes. Without `blockingAllowed` it returns `false` instead of waiting on a pipe; with it, it
    /// waits for data or for ``cancel()``, which ends the input.
    private func fill(blockingAllowed: Bool) -> Bool {
        if !blockingAllowed {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, 0) <= 0 { return false }
        } else if !waitForData() {
            atEOF = true
            return false
        }
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        let chunk = 64 * 1024
        let oldCount = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: chunk))
        var got = 0
        var error: Int32 = 0
        while true {
            got = buffer.withUnsafeMutableBytes { raw in
                read(fd, raw.baseAddress! + oldCount, chunk)
            }
            error = got < 0 ? errno : 0
            if error == EINTR { continue }
            break
        }
        buffer.removeLast(chunk - max(got, 0))
        if got > 0 {
            decodeUTF16(from: oldCount)
        } else if got == 0, var transcoder = utf16 {
            buffer.append(contentsOf: transcoder.transcode([], final: true))
            utf16 = transcoder
        }
        if error == EAGAIN || error == EWOULDBLOCK {
            // A descriptor another process left non-blocking, read just before it had data: not its end.
            return false
        }
        if error != 0 {
            failure.store(error, ordering: .releasing)
            // The line the failed read cut off (no newline is left after `start` when a read is made) has no
            // known end: neither its start nor an overlong line's digest so far is a line of the list.
            buffer.removeSubrange(start...)
            overlong = nil
        }
        if got <= 0 { atEOF = true }
        return got > 0
    }

    /// Turns the bytes just read, from `offset` on, into UTF-8 if the input is UTF-16, which its first two bytes
    /// tell: nothing is taken from the buffer before them, as neither byte of a UTF-16 mark is a newline.
    private func decodeUTF16(from offset: Int) {
        if !encodingKnown {
            guard let first = buffer.first else { return }
            // A lone 0xFF or 0xFE may be the first half of a mark: wait for the second byte.
            if buffer.count < 2 && (first == 0xFF || first == 0xFE) { return }
            encodingKnown = true
            guard let bigEndian = UTF16Transcoder.byteOrder(of: buffer) else { return }
            var transcoder = UTF16Transcoder(bigEndian: bigEndian)
            buffer = transcoder.transcode(buffer.dropFirst(2))
            utf16 = transcoder
            return
        }
        guard var transcoder = utf16 else { return }
        let raw = buffer[offset...]
        let decoded = transcoder.transcode(raw)
        buffer.replaceSubrange(offset..., with: decoded)
        utf16 = transcoder
    }

    /// Waits until `fd` is readable (or at its end, or in error: the read then says which); `false` once the
    /// reader is cancelled.
    private func waitForData() -> Bool {
        guard let wakePipe else {
            // No way to be woken: wait on `fd` alone (a read of a non-blocking one would not wait).
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            while poll(&pfd, 1, -1) < 0 && errno == EINTR {}
            return !isCancelled
        }
        var fds = [
            pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakePipe.read, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            if isCancelled { return false }
            let ready = poll(&fds, 2, -1)
            if ready < 0 && errno == EINTR { continue }
            // poll itself failing leaves the blocking read to wait, as it did before the wake pipe.
            if ready < 0 || fds[0].revents != 0 { return !isCancelled }
            if fds[1].revents != 0 { return false }
        }
    }

    private static func makeWakePipe() -> (read: Int32, write: Int32)? {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return nil }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return (fds[0], fds[1])
    }

    private func takeLine() -> Line? {
        let end = buffer[start...].firstIndex(of: UInt8(ascii: "\n"))
        if var rest = overlong {
            // The tail of an overlong line: digested, not kept, up to its end.
            rest.add(buffer[start..<(end ?? buffer.count)])
            start = end.map { $0 + 1 } ?? buffer.count
            guard end != nil || atEOF else {
                overlong = rest
                return nil
            }
            overlong = nil
            return rest.finished
        }
        guard let end else {
            if atEOF && start < buffer.count { return finishLine(upTo: buffer.count, consumed: buffer.count) }
            let line = withoutBOM(start..<buffer.count)
            // A last `\r` may be the one before the newline, which is no part of the line.
            let held = buffer.last == UInt8(ascii: "\r") ? 1 : 0
            if line.count - held > maxLineBytes {
                // Keep the start; the rest of this line streams through `overlong`.
                var rest = Overlong(start: makeLine(line.lowerBound..<(line.lowerBound + maxLineBytes)))
                rest.add(buffer[line])
                start = buffer.count
                overlong = rest
            }
            return nil
        }
        return finishLine(upTo: end, consumed: end + 1)
    }

    /// Consumes a line ending at `upTo`.
    private func finishLine(upTo end: Int, consumed: Int) -> Line {
        defer { start = consumed }
        let line = withoutBOM(start..<end)
        var range = line
        if let last = range.last, buffer[last] == UInt8(ascii: "\r") { range = range.lowerBound..<last }
        guard range.count > maxLineBytes else { return makeLine(range) }
        var whole = Overlong(start: makeLine(range.lowerBound..<(range.lowerBound + maxLineBytes)))
        whole.add(buffer[line])
        return whole.finished
    }

    /// `range` without the UTF-8 BOM that may open the first line.
    private func withoutBOM(_ range: Range<Int>) -> Range<Int> {
        guard firstLine, Self.startsWithUTF8BOM(buffer[range]) else { return range }
        return (range.lowerBound + 3)..<range.upperBound
    }

    /// Whether `bytes` open with the UTF-8 byte order mark, EF BB BF, which is not part of the first line.
    static func startsWithUTF8BOM<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        bytes.starts(with: [0xEF, 0xBB, 0xBF])
    }

    /// The line of the bytes in `range` (a BOM already left out).
    private func makeLine(_ range: Range<Int>) -> Line {
        firstLine = false
        let text = buffer.withUnsafeBufferPointer { all in
            String(validating: UnsafeBufferPointer(rebasing: all[range]), as: UTF8.self)
        }
        if let text { return Line(text: text) }
        return Line(text: Self.escapingInvalidUTF8(buffer[range]), invalidUTF8: true)
    }

    /// `bytes` as text, each byte that is not part of a valid UTF-8 sequence, and each `%`, written as `%XX`.
    static func escapingInvalidUTF8(_ bytes: ArraySlice<UInt8>) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var text = ""
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let lead = bytes[index]
            let length =
                switch lead {
                case 0..<0x80: 1
                case 0xC2...0xDF: 2
                case 0xE0...0xEF: 3
                case 0xF0...0xF4: 4
                default: 0
                }
            if lead != UInt8(ascii: "%"), length > 0, index + length <= bytes.endIndex,
                let scalar = String(validating: bytes[index..<(index + length)], as: UTF8.self)
            {
                text += scalar
                index += length
            } else {
                text.unicodeScalars.append(contentsOf: [
                    "%", Unicode.Scalar(hex[Int(lead >> 4)]), Unicode.Scalar(hex[Int(lead & 0xF)]),
                ])
                index += 1
            }
        }
        return text
    }
}
