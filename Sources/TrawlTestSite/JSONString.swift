/// Minimal JSON text helpers for the site's JSON answers.
enum JSONString {
    /// `text` as a quoted JSON string, escaping quotes, backslashes and control characters.
    static func quote(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// A JSON object of string members, in the given order.
    static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { "\(quote($0.0)):\(quote($0.1))" }.joined(separator: ",") + "}"
    }
}
