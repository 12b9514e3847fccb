/// The value of a response's `Content-Length` field(s), checked as RFC 9112 section 6.3 asks: a length that is
/// not a plain decimal number, or several that disagree, frame nothing certain and fail the response.
enum ContentLength {
    /// The length a field value states: `1*DIGIT`, or a comma-separated list of one such number repeated (RFC 9110
    /// section 8.6); nil for anything else (empty, signed, overflowing, spaced, or a list of different numbers).
    static func parse<Bytes: Collection<UInt8>>(_ value: Bytes) -> Int? {
        var length: Int?
        var current: Int?
        var digitsEnded = false
        for byte in value {
            switch byte {
            case 0x30...0x39:
                guard !digitsEnded else { return nil }
                let (times, overflowed) = (current ?? 0).multipliedReportingOverflow(by: 10)
                let (sum, overflowedAgain) = times.addingReportingOverflow(Int(byte - 0x30))
                guard !overflowed && !overflowedAgain else { return nil }
                current = sum
            case 0x20, 0x09:
                if current != nil { digitsEnded = true }
            case 0x2C:
                guard let number = current, length == nil || length == number else { return nil }
                length = number
                current = nil
                digitsEnded = false
            default:
                return nil
            }
        }
        guard let number = current, length == nil || length == number else { return nil }
        return number
    }

    /// The error for a response whose `Content-Length` fields are `description`.
    static func error(_ description: String) -> RecordError {
        RecordError(.network, "the response's Content-Length (\(description)) frames no certain body")
    }
}
