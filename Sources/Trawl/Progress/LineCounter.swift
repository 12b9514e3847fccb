import Dispatch
import Synchronization

/// Counts the URL lines of an input file quickly, so progress can show a total while the crawl runs.
public enum LineCounter {
    /// The number of lines in the file at `path` that are neither blank (ASCII white space only) nor
    /// comments (first non-blank character `#`), or `nil` when the file cannot be read.
    ///
    /// Reads raw bytes in 1 MiB chunks on a dispatch thread (not the cooperative pool) and finds line ends
    /// with `memchr`, so multi-gigabyte files take seconds. An upper bound of what gets crawled: duplicate
    /// and already-done lines are counted too. Cancelling the calling task stops the count (`nil`).
    ///
    /// Only a regular file is counted: a pipe or FIFO (`trawl <(cmd)`, `/dev/stdin`) gives `nil` at once,
    /// since reading it would take the lines away from the crawl.
    public static func countURLLines(path: String) async -> Int? {
        let cancelled = Atomic<Bool>(false)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                DispatchQueue.global(qos: .utility).async {
                    continuation.resume(returning: count(path: path, cancelled: cancelled))
                }
            }
        } onCancel: {
            cancelled.store(true, ordering: .relaxed)
        }
    }

    static func count(path: String, cancelled: borrowing Atomic<Bool>) -> Int? {
        // Non-blocking, so opening a FIFO does not wait for a writer; it is then left alone, unread.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        #if os(Linux)
            _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        #endif
        let size = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        var counter = Counter()
        var first = true
        // Set for a list that opens with a UTF-16 mark: counted as the UTF-8 the reader turns it into.
        var utf16: UTF16Transcoder?
        while true {
            if cancelled.load(ordering: .relaxed) { return nil }
            let got = read(fd, buffer, size)
            if got < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if got == 0 {
                if var transcoder = utf16 { transcoder.transcode([], final: true).withUnsafeBytes { counter.scan($0) } }
                return counter.count
            }
            var chunk = UnsafeRawBufferPointer(start: buffer, count: got)
            if first, let bigEndian = UTF16Transcoder.byteOrder(of: chunk) {
                utf16 = UTF16Transcoder(bigEndian: bigEndian)
                chunk = UnsafeRawBufferPointer(rebasing: chunk[2...])
            } else if first, LineReader.startsWithUTF8BOM(chunk) {
                // The reader drops it too.
                chunk = UnsafeRawBufferPointer(rebasing: chunk[3...])
            }
            first = false
            if var transcoder = utf16 {
                transcoder.transcode(chunk).withUnsafeBytes { counter.scan($0) }
                utf16 = transcoder
            } else {
                counter.scan(chunk)
            }
        }
    }

    /// Whether the count includes a line with this text: it is not ASCII white space only, and its first other
    /// character is not `#`. A line the crawl skips as blank or a comment that this counts (Unicode white
    /// space such as U+00A0) leaves the total with ``ProgressEvent/skipped(_:)``.
    static func counts(_ line: String) -> Bool {
        var counter = Counter()
        var text = line
        text.withUTF8 { counter.scan(UnsafeRawBufferPointer($0)) }
        return counter.count > 0
    }

    /// The counting state machine, carried across chunk boundaries.
    struct Counter {
        var count = 0
        /// Whether the current line has shown a non-blank character yet (then it is decided: counted or a
        /// comment, and the rest of it is skipped to the next line end).
        var decided = false

        mutating func scan(_ bytes: UnsafeRawBufferPointer) {
            guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            let end = base + bytes.count
            var cursor = base
            while cursor < end {
                if decided {
                    guard let newline = memchr(cursor, 0x0A, end - cursor) else { return }
                    cursor = UnsafePointer(newline.assumingMemoryBound(to: UInt8.self)) + 1
                    decided = false
                    continue
                }
                switch cursor.pointee {
                case 0x20, 0x09, 0x0D, 0x0B, 0x0C, 0x0A:  // blank so far (a bare LF ends a blank line)
                    break
                case 0x23:  // "#": a comment
                    decided = true
                default:
                    count += 1
                    decided = true
                }
                cursor += 1
            }
        }
    }
}
