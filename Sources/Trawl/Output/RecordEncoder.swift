/// Encodes records as single NDJSON lines, by hand: Foundation's `JSONEncoder` costs several microseconds
/// per record, which matters at tens of thousands of records a second.
public struct RecordEncoder: Sendable {
    /// Creates an encoder.
    public init() {}

    /// Appends `record` as one JSON object and a newline to `out`.
    public func encode(_ record: Record, into out: inout [UInt8]) {
        Self.append(#"{"url":"#, to: &out)
        Self.appendString(record.url, to: &out)
        Self.append(record.ok ? #","ok":true,"status":"# : #","ok":false,"status":"#, to: &out)
        Self.appendOptionalInt(record.status, to: &out)
        Self.append(#","attempts":"#, to: &out)
        Self.appendInt(record.attempts, to: &out)
        Self.append(#","final_url":"#, to: &out)
        Self.appendOptionalString(record.finalURL, to: &out)
        Self.append(#","content_type":"#, to: &out)
        Self.appendOptionalString(record.contentType, to: &out)
        Self.append(#","bytes":"#, to: &out)
        Self.appendInt(record.bytes, to: &out)
        Self.append(#","elapsed_ms":"#, to: &out)
        Self.appendInt(record.elapsedMilliseconds, to: &out)
        if let error = record.error {
            Self.append(#","error":{"kind":"#, to: &out)
            Self.appendString(error.kind.rawValue, to: &out)
            Self.append(#","message":"#, to: &out)
            Self.appendString(error.message, to: &out)
            out.append(UInt8(ascii: "}"))
        } else {
            Self.append(#","error":null"#, to: &out)
        }
        switch record.body {
        case .text(let text)?:
            Self.append(#","body":"#, to: &out)
            Self.appendString(text, to: &out)
        case .base64(let text)?:
            Self.append(#","body":"#, to: &out)
            Self.appendString(text, to: &out)
        case nil:
            break
        }
        Self.append("}\n", to: &out)
    }

    /// Returns `record` as one JSON line, newline included.
    public func encode(_ record: Record) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        encode(record, into: &out)
        return out
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends a literal's bytes in one copy.
    @inline(__always)
    private static func append(_ literal: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    static func appendString(_ string: String, to out: inout [UInt8]) {
        var string = string
        string.withUTF8 { bytes in
            out.append(UInt8(ascii: "\""))
            // Most strings (URLs, content types) need no escaping: their clean prefix is copied in one go.
            let clean = cleanPrefixLength(bytes)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[..<clean]))
            for byte in bytes[clean...] {
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
                case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case UInt8(ascii: "\n"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case UInt8(ascii: "\r"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                case UInt8(ascii: "\t"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                case 0..<0x20, 0x7F:
                    out.append(contentsOf: [
                        UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                    ])
                    out.append(hex[Int(byte >> 4)])
                    out.append(hex[Int(byte & 0xF)])
                default:
                    out.append(byte)
                }
            }
            out.append(UInt8(ascii: "\""))
        }
    }

    /// How many leading bytes of `bytes` need no escaping in a JSON string: none below 0x20, `"`, `\` or DEL.
    /// Tests eight bytes at a time (the classic "has a byte less than n / equal to n" word tricks, exact as a
    /// yes-or-no answer), then finds the byte within the word that said yes.
    static func cleanPrefixLength(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasZeroByte(_ word: UInt64) -> Bool { (word &- ones) & ~word & highs != 0 }
        var index = 0
        while index + 8 <= bytes.count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            let control = (word &- ones &* 0x20) & ~word & highs != 0
            if control || hasZeroByte(word ^ (ones &* 0x22)) || hasZeroByte(word ^ (ones &* 0x5C))
                || hasZeroByte(word ^ (ones &* 0x7F))
            {
                break
            }
            index += 8
        }
        while index < bytes.count {
            let byte = base[index]
            if byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F { return index }
            index += 1
        }
        return index
    }

    static func appendOptionalString(_ string: String?, to out: inout [UInt8]) {
        if let string { appendString(string, to: &out) } else { out.append(contentsOf: "null".utf8) }
    }

    static func appendOptionalInt(_ value: Int?, to out: inout [UInt8]) {
        if let value { appendInt(value, to: &out) } else { out.append(contentsOf: "null".utf8) }
    }

    static func appendInt(_ value: Int, to out: inout [UInt8]) {
        if value < 0 {
            out.append(UInt8(ascii: "-"))
            appendUnsigned(UInt(value.magnitude), to: &out)
        } else {
            appendUnsigned(UInt(value), to: &out)
        }
    }

    private static func appendUnsigned(_ value: UInt, to out: inout [UInt8]) {
        if value < 10 {
            out.append(UInt8(ascii: "0") &+ UInt8(value))
            return
        }
        // Digits written from the end of a 24-byte scratch (UInt.max has 20), then copied at once.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { raw in
            let buffer = raw.bindMemory(to: UInt8.self)
            var start = buffer.count
            var rest = value
            while rest > 0 {
                start -= 1
                buffer[start] = UInt8(ascii: "0") &+ UInt8(rest % 10)
                rest /= 10
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start...]))
        }
    }
}
