import Foundation

/// Parses the three HTTP-date forms of RFC 9110 section 5.6.7, without `DateFormatter` (which is slow and
/// locale-sensitive).
enum HTTPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// `Sun, 06 Nov 1994 08:49:37 GMT`, `Sunday, 06-Nov-94 08:49:37 GMT` or `Sun Nov  6 08:49:37 1994`.
    static func parse(_ text: String) -> Date? {
        let tokens = text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        if tokens.count == 6, tokens[5] == "GMT" {
            // IMF-fixdate
            guard let day = Int(tokens[1]), tokens[1].count == 2, let month = month(tokens[2]),
                let year = Int(tokens[3]), tokens[3].count == 4
            else { return nil }
            return make(year: year, month: month, day: day, time: tokens[4])
        }
        if tokens.count == 4, tokens[3] == "GMT" {
            // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
            let parts = tokens[1].split(separator: "-").map(String.init)
            guard parts.count == 3, let day = Int(parts[0]), let month = month(parts[1]),
                let shortYear = Int(parts[2]), parts[2].count == 2
            else { return nil }
            // RFC 9110: a two-digit year more than 50 years in the future is in the past century.
            let currentYear = Calendar(identifier: .gregorian).component(.year, from: Date())
            var year = (currentYear / 100) * 100 + shortYear
            if year > currentYear + 50 { year -= 100 }
            return make(year: year, month: month, day: day, time: tokens[2])
        }
        if tokens.count == 5 {
            // asctime: Sun Nov  6 08:49:37 1994
            guard let month = month(tokens[1]), let day = Int(tokens[2]), let year = Int(tokens[4]),
                tokens[4].count == 4
            else { return nil }
            return make(year: year, month: month, day: day, time: tokens[3])
        }
        return nil
    }

    private static func month(_ name: String) -> Int? {
        guard name.count == 3 else { return nil }
        return months.firstIndex(of: name.lowercased()).map { $0 + 1 }
    }

    private static func make(year: Int, month: Int, day: Int, time: String) -> Date? {
        let parts = time.split(separator: ":")
        guard parts.count == 3, parts.allSatisfy({ $0.count == 2 }),
            let hour = Int(parts[0]), let minute = Int(parts[1]), let second = Int(parts[2]),
            (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second),
            (1...31).contains(day), (1...9999).contains(year)
        else { return nil }
        // Days from the civil date (Howard Hinnant's algorithm), so no calendar object is needed.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        let seconds = days * 86400 + hour * 3600 + minute * 60 + second
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }
}
