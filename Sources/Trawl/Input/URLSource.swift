import Synchronization

/// Turns raw input lines into work: trims, skips blanks and comments, de-duplicates by digest, and turns
/// bad lines into ready records.
///
/// Lines are parsed on the reader's queue, one batch ahead of the caller, so the crawl's own thread never
/// parses a URL. Not thread-safe: one coordinator owns it.
public final class URLSource {
    private let reader: LineReader
    private let sorter: Sorter
    private var pending: [InputItem] = []
    private var pendingIndex = 0
    /// The batch being read and sorted while the caller works through `pending`.
    private var ahead: Task<[InputItem]?, Never>?
    /// Set once `ahead` has its batch; `onReady` is called then too.
    private let aheadDone = ReadyFlag()
    private let onReady: @Sendable () -> Void

    /// Lines skipped as duplicates.
    public var duplicates: Int { sorter.duplicates.load(ordering: .relaxed) }

    /// Reads from `reader`, treating URLs whose digest is in `alreadyDone` as seen (resume).
    /// - Parameter keep: when set, only items it accepts are handed out (sharding).
    /// - Parameter events: receives ``ProgressEvent/resumed(_:)`` for the lines skipped because their URL is in
    ///   `alreadyDone`, and ``ProgressEvent/skipped(_:)`` for repeats and lines `keep` refused, once per batch.
    public convenience init(
        reader: LineReader, alreadyDone: Set<URLDigest> = [], keep: (@Sendable (InputItem) -> Bool)? = nil,
        events: @escaping @Sendable (ProgressEvent) -> Void = { _ in }
    ) {
        self.init(reader: reader, sorter: Sorter(done: alreadyDone, keep: keep, emit: events))
    }

    /// Reads from `reader` with a de-duplication state that other sources of the same reader share: each batch
    /// of lines goes to one of them, and a URL seen by any is a duplicate for all.
    /// - Parameter onReady: called (on the reader's side) whenever a batch read ahead becomes available.
    init(reader: LineReader, sorter: Sorter, onReady: @escaping @Sendable () -> Void = {}) {
        self.reader = reader
        self.sorter = sorter
        self.onReady = onReady
    }

    /// Whether ``next()`` would return without waiting for input.
    var isReady: Bool {
        pendingIndex < pending.count || (ahead != nil && aheadDone.value.load(ordering: .acquiring))
    }

    /// Starts reading the next batch if nothing is buffered or being read, without waiting for it.
    func startReading() {
        if pendingIndex >= pending.count && ahead == nil { ahead = readAhead() }
    }

    /// The next item, or `nil` at end of input.
    public nonisolated(nonsending) func next() async -> InputItem? {
        while pendingIndex >= pending.count {
            let batch = ahead ?? readAhead()
            ahead = nil
            guard let items = await batch.value else { return nil }
            pending = items
            pendingIndex = 0
            ahead = readAhead()
        }
        defer { pendingIndex += 1 }
        return pending[pendingIndex]
    }

    private func readAhead() -> Task<[InputItem]?, Never> {
        let (reader, sorter, done, onReady) = (reader, sorter, aheadDone, onReady)
        done.value.store(false, ordering: .releasing)
        return Task {
            let batch = await reader.nextBatch { lines in
                let items = lines.compactMap(sorter.classify)
                sorter.reportCounts()
                return items
            }
            done.value.store(true, ordering: .releasing)
            onReady()
            return batch
        }
    }

    private final class ReadyFlag: Sendable {
        let value = Atomic<Bool>(false)
    }

    /// The de-duplication state. Only the batch being read touches `seen` and `done`, on the reader's queue, and
    /// batches are read one after another: never from two threads at once. The count of duplicates is read from
    /// any.
    final class Sorter: @unchecked Sendable {
        /// URLs the input has had so far.
        private var seen: Set<URLDigest> = []
        /// URLs that already have a record (resume). Only looked up, after `seen` has let a line through, so a URL
        /// counts as resumed once and its repeats as duplicates; never changed, so the caller's set is shared, not
        /// copied (at a million records a copy is 30 MB more).
        private let done: Set<URLDigest>
        /// The URLs of `done` whose record failed.
        private let doneFailed: Set<URLDigest>
        private let keep: (@Sendable (InputItem) -> Bool)?
        private let emit: @Sendable (ProgressEvent) -> Void
        /// Lines skipped as resumed, and lines left out (repeats, other shards), since the last
        /// ``reportCounts()``.
        private var resumedSinceReport = 0
        private var skippedSinceReport = 0
        let duplicates = Atomic<Int>(0)
        /// Lines skipped as resumed whose record failed.
        let resumedFailed = Atomic<Int>(0)

        init(
            done: Set<URLDigest>, failed: Set<URLDigest> = [], keep: (@Sendable (InputItem) -> Bool)?,
            emit: @escaping @Sendable (ProgressEvent) -> Void = { _ in }
        ) {
            self.done = done
            self.doneFailed = failed
            self.keep = keep
            self.emit = emit
        }

        func classify(_ line: LineReader.Line) -> InputItem? {
            let text = URLSource.trim(line.text)
            // A cut line whose kept start is blank is not: it goes on past the cut.
            if (text.isEmpty && line.cut == nil) || text.hasPrefix("#") {
                if LineCounter.counts(line.text) { skippedSinceReport += 1 }
                return nil
            }
            let item: InputItem
            if let cut = line.cut {
                // Its start as read, untrimmed: the url then runs past the cut (unless a password is redacted).
                item = .rejected(URLSource.overlongRecord(start: CrawlURL.redactingPassword(line.text), cut))
            } else if line.invalidUTF8 {
                let error = RecordError(.invalidURL, "the line is not valid UTF-8 (the url shows those bytes as %XX)")
                item = .rejected(.rejected(CrawlURL.redactingPassword(text), error))
            } else {
                do {
                    item = .fetch(try CrawlURL(validating: text))
                } catch {
                    item = .rejected(.rejected(CrawlURL.redactingPassword(text), error))
                }
            }
            if let keep, !keep(item) {
                skippedSinceReport += 1
                return nil
            }
            let digest = URLDigest(URLSource.key(of: item))
            guard seen.insert(digest).inserted else {
                duplicates.add(1, ordering: .relaxed)
                skippedSinceReport += 1
                return nil
            }
            if !done.isEmpty && done.contains(digest) {
                resumedSinceReport += 1
                if doneFailed.contains(digest) { resumedFailed.add(1, ordering: .relaxed) }
                return nil
            }
            return item
        }

        /// Sends the counts of lines skipped as resumed and left out since the last call, if any.
        func reportCounts() {
            if resumedSinceReport > 0 { emit(.resumed(resumedSinceReport)) }
            if skippedSinceReport > 0 { emit(.skipped(skippedSinceReport)) }
            resumedSinceReport = 0
            skippedSinceReport = 0
        }
    }

    /// The record of a line too long to read whole. Its `url` is the line's start (all the reader kept), its
    /// length and its digest: distinct for two lines that differ only past the cut, the same for two copies of
    /// one line, and not the url of a line that was not cut (it is longer than any of those, unless a password in
    /// its start was redacted).
    static func overlongRecord(start: String, _ cut: LineReader.Line.Cut) -> Record {
        func hex(_ value: UInt64) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        let url = "\(start)… (\(cut.byteCount) bytes, #\(hex(cut.digest.high))\(hex(cut.digest.low)))"
        let message = "the line is \(cut.byteCount) bytes, longer than trawl reads (the url shows its start)"
        return .rejected(url, RecordError(.invalidURL, message))
    }

    /// The string de-duplication and resume compare: the record's `url` field.
    static func key(of item: InputItem) -> String {
        switch item {
        case .fetch(let url): url.original
        case .rejected(let record): record.url
        }
    }

    /// Trims ASCII whitespace (and other Unicode white space) from both ends.
    static func trim(_ text: String) -> String {
        // Fast path: nothing to trim when both ends are visible ASCII.
        if let first = text.utf8.first, let last = text.utf8.last, (0x21..<0x7F).contains(first),
            (0x21..<0x7F).contains(last)
        {
            return text
        }
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
