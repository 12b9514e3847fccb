/// Formats a moment as the three HTTP-date forms of RFC 9110 section 5.6.7, without Foundation's formatters so the
/// output never depends on locale or time zone settings.
enum HTTPDate {
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let longWeekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The preferred form: `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func imfFixdate(_ secondsSince1970: Int64) -> String {
        let c = Components(secondsSince1970)
        return "\(weekdays[c.weekday]), \(pad(c.day)) \(months[c.month - 1]) \(c.year) \(c.time) GMT"
    }

    /// The obsolete RFC 850 form: `Sunday, 06-Nov-94 08:49:37 GMT`.
    static func rfc850(_ secondsSince1970: Int64) -> String {
        let c = Components(secondsSince1970)
        return "\(longWeekdays[c.weekday]), \(pad(c.day))-\(months[c.month - 1])-\(pad(c.year % 100)) \(c.time) GMT"
    }

    /// The obsolete asctime form: `Sun Nov  6 08:49:37 1994` (day padded with a space).
    static func asctime(_ secondsSince1970: Int64) -> String {
        let c = Components(secondsSince1970)
        let day = c.day < 10 ? " \(c.day)" : "\(c.day)"
        return "\(weekdays[c.weekday]) \(months[c.month - 1]) \(day) \(c.time) \(c.year)"
    }

    private static func pad(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }

    /// Civil date and time in UTC (Howard Hinnant's days-to-civil algorithm).
    private struct Components {
        var year: Int
        var month: Int
        var day: Int
        var weekday: Int
        var time: String

        init(_ secondsSince1970: Int64) {
            let seconds = Int(secondsSince1970)
            let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
            let secondOfDay = seconds - days * 86_400
            time = "\(pad(secondOfDay / 3600)):\(pad(secondOfDay / 60 % 60)):\(pad(secondOfDay % 60))"
            weekday = ((days % 7) + 11) % 7  // 1970-01-01 was a Thursday.
            let shifted = days + 719_468
            let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
            let dayOfEra = shifted - era * 146_097
            let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
            let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
            let monthIndex = (5 * dayOfYear + 2) / 153
            day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
            month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
            year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        }
    }
}
