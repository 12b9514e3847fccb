#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A header block's fields as `name:value\n` lines, for ``HTTPHeaders/init(lines:)``, built one received line
/// at a time by the rules both of trawl's own transports keep, so they report the same fields for the same bytes:
/// - a line with a bare CR or LF inside is dropped (it would split the line block);
/// - a line starting with a space or tab continues the field kept before it (obsolete line folding, RFC 9112
///   section 5.2), the fold read as one space;
/// - a line without a colon, or without a name before it, is dropped;
/// - values are trimmed of spaces and tabs.
///
/// Appends to memory of its own rather than an array: it runs for every header line of every response. The
/// owner calls ``free()`` exactly once.
struct FieldLines {
    /// A field just kept: its name and trimmed value, pointing into the line given to ``add(_:count:)``.
    struct Field {
        var name: UnsafeBufferPointer<UInt8>
        var value: UnsafeBufferPointer<UInt8>

        /// Whether the name is `lowercased`, compared case-insensitively.
        func isNamed(_ lowercased: StaticString) -> Bool {
            name.count == lowercased.utf8CodeUnitCount
                && name.elementsEqual(
                    UnsafeBufferPointer(start: lowercased.utf8Start, count: lowercased.utf8CodeUnitCount),
                    by: HTTPHeaders.asciiCaseFolded)
        }
    }

    private var buffer = ByteBuffer(capacity: 1024)
    /// Whether the last line was a kept field, which a folded line continues, and whether its value is empty so
    /// far.
    private var lastFieldKept = false
    private var lastValueEmpty = false

    /// A copy of the lines.
    var bytes: [UInt8] { buffer.bytes }

    /// Adds one field line, its line end removed. Returns the field when the line is a new field that was kept;
    /// nil when it was dropped or continued the previous field.
    mutating func add(_ bytes: UnsafePointer<UInt8>, count end: Int) -> Field? {
        guard end > 0, memchr(bytes, 10, end) == nil, memchr(bytes, 13, end) == nil else {
            lastFieldKept = false
            return nil
        }
        if bytes[0] == 32 || bytes[0] == 9 {
            appendFolded(bytes, end: end)
            return nil
        }
        lastFieldKept = false
        guard let colonPointer = memchr(bytes, 58, end) else { return nil }
        let colon = UnsafeRawPointer(bytes).distance(to: UnsafeRawPointer(colonPointer))
        guard colon > 0 else { return nil }
        let value = HTTPHeaders.trimmed(bytes, colon + 1..<end)
        buffer.append(bytes, count: colon + 1)
        buffer.append(bytes + value.lowerBound, count: value.count)
        buffer.append(10)
        lastFieldKept = true
        lastValueEmpty = value.isEmpty
        return Field(
            name: UnsafeBufferPointer(start: bytes, count: colon),
            value: UnsafeBufferPointer(start: bytes + value.lowerBound, count: value.count))
    }

    /// Adds a folded line's text, trimmed, to the value of the field kept last.
    private mutating func appendFolded(_ bytes: UnsafePointer<UInt8>, end: Int) {
        guard lastFieldKept else { return }
        let text = HTTPHeaders.trimmed(bytes, 0..<end)
        guard !text.isEmpty else { return }
        buffer.removeLast()  // the field's "\n"
        if !lastValueEmpty { buffer.append(32) }
        buffer.append(bytes + text.lowerBound, count: text.count)
        buffer.append(10)
        lastValueEmpty = false
    }

    /// Forgets every line (for the next header block), keeping the memory.
    mutating func removeAll() {
        buffer.removeAll()
        lastFieldKept = false
        lastValueEmpty = false
    }

    /// Releases the memory; unusable afterwards.
    func free() {
        buffer.free()
    }
}
