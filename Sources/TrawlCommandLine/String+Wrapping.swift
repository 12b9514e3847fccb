extension String {
    /// The string broken into lines of fewer than `width - indent` characters at spaces, each non-empty
    /// line indented by `indent` spaces. Existing line breaks are kept; a word longer than a line is
    /// left whole.
    ///
    /// Breaks fall where swift-argument-parser's `wrapped(to:wrappingIndent:)` puts them, so help text
    /// lines up the same way.
    func wrapped(to width: Int, indent: Int = 0) -> String {
        let columns = Swift.max(width - indent, 1)
        let padding = String(repeating: " ", count: indent)
        var lines: [Substring] = []
        for line in split(separator: "\n", omittingEmptySubsequences: false) {
            var rest = line
            while rest.count > columns {
                let chunk = rest.prefix(columns)
                guard let space = chunk.lastIndex(of: " ") ?? rest.firstIndex(of: " ") else { break }
                lines.append(rest[..<space])
                rest = rest[rest.index(after: space)...]
            }
            lines.append(rest)
        }
        return lines.map { $0.isEmpty ? "" : padding + $0 }.joined(separator: "\n")
    }
}
