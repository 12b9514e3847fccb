/// Turns raw input lines into work: trims, skips blanks and comments, de-duplicates by digest, and turns
/// bad lines into ready records.
///
/// Not thread-safe: one coordinator owns it.
public final class URLSource {
    private let reader: LineReader
    private var seen: Set<URLDigest>
    private var pending: [InputItem] = []
    private var pendingIndex = 0
    private let keep: (@Sendable (InputItem) -> Bool)?

    /// Lines skipped as duplicates.
    public private(set) var duplicates = 0

    /// Reads from `reader`, treating URLs whose digest is in `alreadyDone` as seen (resume).
    /// - Parameter keep: when set, only items it accepts are handed out (sharding).
    public init(
        reader: LineReader, alreadyDone: Set<URLDigest> = [], keep: (@Sendable (InputItem) -> Bool)? = nil
    ) {
        self.reader = reader
        self.seen = alreadyDone
        self.keep = keep
    }

    /// The next item, or `nil` at end of input.
    public nonisolated(nonsending) func next() async -> InputItem? {
        while pendingIndex >= pending.count {
            guard let lines = await reader.nextBatch() else { return nil }
            pending.removeAll(keepingCapacity: true)
            pendingIndex = 0
            for line in lines {
                if let item = classify(line) { pending.append(item) }
            }
        }
        defer { pendingIndex += 1 }
        return pending[pendingIndex]
    }

    private func classify(_ line: LineReader.Line) -> InputItem? {
        let text = Self.trim(line.text)
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
        guard seen.insert(URLDigest(Self.key(of: item))).inserted else {
            duplicates += 1
            return nil
        }
        return item
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
