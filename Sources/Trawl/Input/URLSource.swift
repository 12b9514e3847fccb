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

    /// Lines skipped as duplicates.
    public var duplicates: Int { sorter.duplicates }

    /// Reads from `reader`, treating URLs whose digest is in `alreadyDone` as seen (resume).
    /// - Parameter keep: when set, only items it accepts are handed out (sharding).
    public convenience init(
        reader: LineReader, alreadyDone: Set<URLDigest> = [], keep: (@Sendable (InputItem) -> Bool)? = nil
    ) {
        self.init(reader: reader, sorter: Sorter(seen: alreadyDone, keep: keep))
    }

    /// Reads from `reader` with a de-duplication state that other sources of the same reader share: each batch
    /// of lines goes to one of them, and a URL seen by any is a duplicate for all.
    init(reader: LineReader, sorter: Sorter) {
        self.reader = reader
        self.sorter = sorter
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
        let (reader, sorter) = (reader, sorter)
        return Task { await reader.nextBatch { lines in lines.compactMap(sorter.classify) } }
    }

    /// The de-duplication state. Only the batch being read touches it, on the reader's queue, and batches
    /// are read one after another: never from two threads at once.
    final class Sorter: @unchecked Sendable {
        private var seen: Set<URLDigest>
        private let keep: (@Sendable (InputItem) -> Bool)?
        private(set) var duplicates = 0

        init(seen: Set<URLDigest>, keep: (@Sendable (InputItem) -> Bool)?) {
            self.seen = seen
            self.keep = keep
        }

        func classify(_ line: LineReader.Line) -> InputItem? {
            let text = URLSource.trim(line.text)
            if text.isEmpty || text.hasPrefix("#") { return nil }
            let item: InputItem
            if line.truncated {
                item = .rejected(.rejected(text, RecordError(.invalidURL, "the line is longer than trawl reads")))
            } else {
                do {
                    item = .fetch(try CrawlURL(validating: text))
                } catch {
                    item = .rejected(.rejected(CrawlURL.redactingPassword(text), error))
                }
            }
            if let keep, !keep(item) { return nil }
            guard seen.insert(URLDigest(URLSource.key(of: item))).inserted else {
                duplicates += 1
                return nil
            }
            return item
        }
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
