#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An ordered list of HTTP header fields with case-insensitive lookup.
///
/// A transport can hand over the fields as received, one `name:value` per `\n`-ended line (``init(lines:)``):
/// they are then parsed only when read, and a lookup by name makes a string for the value it finds alone.
public struct HTTPHeaders: Sendable, Equatable, Sequence {
    /// Fields already parsed, in order, before those of `lines`.
    private var parsed: [(name: String, value: String)]
    /// Fields not parsed yet: `name:value\n` lines, names and values trimmed.
    private var lines: [UInt8]

    /// The fields in order, names as received. Received headers are parsed on each read of this property:
    /// keep the result when reading it more than once (a lookup by name parses nothing).
    public var fields: [(name: String, value: String)] {
        lines.isEmpty ? parsed : parsed + Self.parse(lines)
    }

    /// Creates headers from fields.
    public init(_ fields: [(name: String, value: String)] = []) {
        parsed = fields
        lines = []
    }

    /// Creates headers from `name:value` lines, each ended by `\n`, names and values already trimmed and free
    /// of `\n`; they are parsed when read.
    init(lines: [UInt8]) {
        parsed = []
        self.lines = lines
    }

    /// The first value of `name`, compared case-insensitively.
    public subscript(name: String) -> String? {
        var found: String?
        forEachValue(of: name) { value in
            found = value
            return false
        }
        return found
    }

    /// Every value of `name`, compared case-insensitively, in order.
    func values(_ name: String) -> [String] {
        var found: [String] = []
        forEachValue(of: name) { value in
            found.append(value)
            return true
        }
        return found
    }

    /// Calls `body` with each value of `name` (compared case-insensitively), in order, while it returns true.
    private func forEachValue(of name: String, _ body: (String) -> Bool) {
        for field in parsed where field.name.caseInsensitiveEquals(name) {
            guard body(field.value) else { return }
        }
        guard !lines.isEmpty else { return }
        var name = name
        name.withUTF8 { wanted in
            lines.withUnsafeBytes { block in
                Self.forEachField(in: block) { fieldName, value in
                    !Self.namesMatch(fieldName, wanted) || body(String(decoding: value, as: UTF8.self))
                }
            }
        }
    }

    /// Calls `body` with the name and value bytes of each `name:value\n` line of `block`, in order, while it
    /// returns true. A line without a colon has an empty value; bytes after the last newline are ignored.
    private static func forEachField(
        in block: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Bool
    ) {
        guard let base = block.baseAddress else { return }
        var start = 0
        while start < block.count, let found = memchr(base + start, 10, block.count - start) {
            let newline = base.distance(to: UnsafeRawPointer(found))
            let colon =
                memchr(base + start, 58, newline - start).map { base.distance(to: UnsafeRawPointer($0)) } ?? newline
            let from = Swift.min(colon + 1, newline)
            let name = UnsafeRawBufferPointer(start: base + start, count: colon - start)
            let value = UnsafeRawBufferPointer(start: base + from, count: newline - from)
            guard body(name, value) else { return }
            start = newline + 1
        }
    }

    /// Whether `name` equals `wanted`, ASCII case-insensitively.
    private static func namesMatch(_ name: UnsafeRawBufferPointer, _ wanted: UnsafeBufferPointer<UInt8>) -> Bool {
        guard name.count == wanted.count else { return false }
        for index in 0..<wanted.count where !asciiCaseFolded(name[index], wanted[index]) { return false }
        return true
    }

    /// Appends a field.
    public mutating func add(name: String, value: String) {
        materialize()
        parsed.append((name, value))
    }

    /// Sets `name` to `value`, replacing every existing field of that name.
    public mutating func replace(name: String, value: String) {
        remove(name: name)
        parsed.append((name, value))
    }

    /// Removes every field named `name`.
    public mutating func remove(name: String) {
        materialize()
        parsed.removeAll(where: { $0.name.caseInsensitiveEquals(name) })
    }

    /// Whether a field named `name` is present.
    public func contains(_ name: String) -> Bool {
        self[name] != nil
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.elementsEqual(rhs.fields, by: { $0.name == $1.name && $0.value == $1.value })
    }

    private mutating func materialize() {
        guard !lines.isEmpty else { return }
        parsed += Self.parse(lines)
        lines = []
    }

    private static func parse(_ lines: [UInt8]) -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = []
        lines.withUnsafeBytes { block in
            forEachField(in: block) { name, value in
                fields.append((String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self)))
                return true
            }
        }
        return fields
    }

    /// `range` of a received field line's `bytes` without its leading and trailing spaces and tabs.
    static func trimmed(_ bytes: UnsafePointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        var start = range.lowerBound
        while start < range.upperBound, bytes[start] == 32 || bytes[start] == 9 { start += 1 }
        var stop = range.upperBound
        while stop > start, bytes[stop - 1] == 32 || bytes[stop - 1] == 9 { stop -= 1 }
        return start..<stop
    }

    static func asciiCaseFolded(_ x: UInt8, _ y: UInt8) -> Bool {
        x == y || (x | 0x20 == y | 0x20 && (x | 0x20) >= 0x61 && (x | 0x20) <= 0x7A)
    }
}

extension String {
    /// ASCII case-insensitive equality, as header names compare.
    func caseInsensitiveEquals(_ other: String) -> Bool {
        let a = utf8
        let b = other.utf8
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { HTTPHeaders.asciiCaseFolded($0, $1) }
    }
}
