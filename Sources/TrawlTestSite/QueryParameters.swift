/// The `key=value&...` pairs of a query string, values percent-decoded (`+` stays a plus sign).
struct QueryParameters: Sendable {
    private var values: [String: String] = [:]

    init(_ query: String) {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.percentDecode(parts[0])
            // The first occurrence of a key wins.
            if values[key] == nil {
                values[key] = parts.count > 1 ? Self.percentDecode(parts[1]) : ""
            }
        }
    }

    subscript(_ key: String) -> String? { values[key] }

    /// The value as an integer, or `fallback` when absent or not a number, clamped to `range`.
    func int(_ key: String, default fallback: Int, in range: ClosedRange<Int> = 0...Int.max) -> Int {
        guard let text = values[key], let value = Int(text) else { return fallback }
        return min(max(value, range.lowerBound), range.upperBound)
    }

    /// The value as a floating-point number, or `fallback` when absent or not a number.
    func double(_ key: String, default fallback: Double) -> Double {
        guard let text = values[key], let value = Double(text), value.isFinite else { return fallback }
        return value
    }

    /// Decodes `%XX` escapes; malformed escapes are kept as they are, invalid UTF-8 becomes U+FFFD.
    static func percentDecode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
                let high = hexValue(iterator[iterator.startIndex]),
                let low = hexValue(iterator[iterator.startIndex + 1])
            {
                bytes.append(high << 4 | low)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
