/// Encodes records as single NDJSON lines, by hand: Foundation's `JSONEncoder` costs several microseconds
/// per record, which matters at tens of thousands of records a second.
public struct RecordEncoder: Sendable {
    /// Creates an encoder.
    public init() {}

    /// Appends `record` as one JSON object and a newline to `out`.
    public func encode(_ record: Record, into out: inout [UInt8]) {
        out.append(contentsOf: #"{"url":"#.utf8)
        Self.appendString(record.url, to: &out)
        out.append(contentsOf: record.ok ? #","ok":true"#.utf8 : #","ok":false"#.utf8)
        out.append(contentsOf: #","status":"#.utf8)
        Self.appendOptionalInt(record.status, to: &out)
        out.append(contentsOf: #","attempts":"#.utf8)
        Self.appendInt(record.attempts, to: &out)
        out.append(contentsOf: #","final_url":"#.utf8)
        Self.appendOptionalString(record.finalURL, to: &out)
        out.append(contentsOf: #","content_type":"#.utf8)
        Self.appendOptionalString(record.contentType, to: &out)
        out.append(contentsOf: #","bytes":"#.utf8)
        Self.appendInt(record.bytes, to: &out)
        out.append(contentsOf: #","elapsed_ms":"#.utf8)
        Self.appendInt(record.elapsedMilliseconds, to: &out)
        out.append(contentsOf: #","error":"#.utf8)
        if let error = record.error {
            out.append(contentsOf: #"{"kind":"#.utf8)
            Self.appendString(error.kind.rawValue, to: &out)
            out.append(contentsOf: #","message":"#.utf8)
            Self.appendString(error.message, to: &out)
            out.append(UInt8(ascii: "}"))
        } else {
            out.append(contentsOf: "null".utf8)
        }
        switch record.body {
        case .text(let text)?:
            out.append(contentsOf: #","body":"#.utf8)
            Self.appendString(text, to: &out)
        case .base64(let text)?:
            out.append(contentsOf: #","body":"#.utf8)
            Self.appendString(text, to: &out)
        case nil:
            break
        }
        out.append(contentsOf: "}\n".utf8)
    }

    /// Returns `record` as one JSON line, newline included.
    public func encode(_ record: Record) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        encode(record, into: &out)
        return out
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    static func appendString(_ string: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Fast path: most strings (URLs, content types) need no escaping and are copied in one go.
        let copied: Bool? = string.utf8.withContiguousStorageIfAvailable { bytes in
            guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == 0x22 || $0 == 0x5C }) else { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if copied == true {
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20, 0x7F:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
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
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            while rest > 0 {
                buffer[count] = UInt8(ascii: "0") &+ UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            for index in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[index]) }
        }
    }
}
