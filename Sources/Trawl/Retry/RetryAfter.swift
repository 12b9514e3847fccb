import Foundation

/// A parsed `Retry-After` header value (RFC 9110 section 10.2.3).
public enum RetryAfter: Sendable, Equatable {
    /// `delta-seconds`.
    case seconds(UInt64)
    /// An HTTP-date in any of its three forms.
    case date(Date)

    /// Parses a header value; `nil` for anything that is neither form (negative, fractional, garbage, empty).
    public init?(headerValue: String) {
        let value = headerValue.trimmingCharacters(in: .whitespaces)
        if !value.isEmpty, value.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            // Saturate instead of overflowing: "9999999999999999999999" is simply "very long".
            self = .seconds(UInt64(value) ?? UInt64.max)
            return
        }
        guard let date = HTTPDate.parse(value) else { return nil }
        self = .date(date)
    }

    /// How long to wait from `now`: never negative; a date in the past means no wait.
    public func delay(now: Date) -> Duration {
        switch self {
        case .seconds(let seconds):
            return .seconds(Int64(clamping: min(seconds, UInt64(Int64.max / 1_000_000_000))))
        case .date(let date):
            let interval = date.timeIntervalSince(now)
            guard interval > 0 else { return .zero }
            // Round up: waiting a fraction of a millisecond too long is fine, too short is not.
            return .milliseconds(Int64((min(interval, 9e12) * 1000).rounded(.up)))
        }
    }
}
