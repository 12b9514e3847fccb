// Typed access to values. Each helper returns its default when the value was not given and throws a
// `UsageError` worded like swift-argument-parser's (`The value 'abc' is invalid for '-c <n>'`) when it
// does not convert. The messages name the option as the user spelt it.

extension ParsedCommand {
    /// The integer value of option or argument `name`.
    ///
    /// - Parameters:
    ///   - name: An option key or spelling, or an argument name.
    ///   - default: The value when `name` was not given.
    ///   - range: The values accepted.
    /// - Throws: ``UsageError`` when the value is not an integer or is outside `range`.
    public func int(
        _ name: String,
        default: Int,
        range: ClosedRange<Int> = Int.min...Int.max
    ) throws(UsageError) -> Int {
        guard let raw = rawValues(name).last else { return `default` }
        guard let value = Int(raw.text) else { throw invalid(raw) }
        guard range.contains(value) else {
            throw invalid(raw, reason: ": " + Self.describe(range))
        }
        return value
    }

    /// The number of seconds given for option or argument `name`.
    ///
    /// Accepts a plain number of seconds (`2`, `0.5`) or a number with a unit: `ms`, `s`, `m` or `h`
    /// (`500ms`, `1.5s`, `2m`). Negative, infinite and NaN values are rejected.
    ///
    /// - Parameters:
    ///   - name: An option key or spelling, or an argument name.
    ///   - default: The value when `name` was not given.
    ///   - range: The values accepted, in seconds.
    /// - Throws: ``UsageError`` when the value is not a duration or is outside `range`.
    public func seconds(
        _ name: String,
        default: Double,
        range: ClosedRange<Double> = 0...Double.greatestFiniteMagnitude
    ) throws(UsageError) -> Double {
        guard let raw = rawValues(name).last else { return `default` }
        guard let value = Self.parseSeconds(raw.text) else {
            throw invalid(raw, reason: ": expected a duration such as 2, 0.5, 1.5s, 500ms or 2m")
        }
        guard range.contains(value) else {
            throw invalid(raw, reason: ": " + Self.describe(range))
        }
        return value
    }

    /// The plain positive number given for option or argument `name`, such as a rate (`10`, `0.5`).
    ///
    /// Unlike ``seconds(_:default:range:)`` it takes no unit suffix: `2m` is an error, not 120.
    ///
    /// - Parameters:
    ///   - name: An option key or spelling, or an argument name.
    ///   - default: The value when `name` was not given.
    ///   - range: The values accepted.
    ///   - unit: What the number counts, for error messages, such as `"requests per second"`.
    /// - Throws: ``UsageError`` when the value is not a plain decimal number or is outside `range`.
    public func number(
        _ name: String,
        default: Double,
        range: ClosedRange<Double>,
        unit: String
    ) throws(UsageError) -> Double {
        guard let raw = rawValues(name).last else { return `default` }
        guard let value = Self.parseDecimal(Substring(raw.text)) else {
            throw invalid(raw, reason: ": expected a number of \(unit), such as 10 or 0.5")
        }
        guard range.contains(value) else {
            throw invalid(raw, reason: ": " + Self.describe(range, unit: unit))
        }
        return value
    }

    /// The value of option `name`, one of its ``OptionSpec/allowedValues``.
    ///
    /// Parsing already rejects other values, so this only throws for a value that bypassed parsing;
    /// it is the typed counterpart of ``value(_:)`` with a default.
    ///
    /// - Parameters:
    ///   - name: An option key or spelling, or an argument name.
    ///   - default: The value when `name` was not given.
    /// - Throws: ``UsageError`` when the value is not one of the allowed values.
    public func choice(_ name: String, default: String) throws(UsageError) -> String {
        guard let raw = rawValues(name).last else { return `default` }
        if let allowed = raw.allowedValues, !allowed.contains(raw.text) {
            throw invalid(raw, reason: UsageError.allowedValuesReason(allowed))
        }
        return raw.text
    }

    /// A comma-separated list of integers given for option or argument `name`, such as `408,429,500`.
    ///
    /// For a repeatable option every occurrence contributes (`--retry-on 408 --retry-on 500,503`);
    /// otherwise the last occurrence wins. Spaces around items are ignored. An empty (or blank) value is
    /// an error rather than an empty list, so that `--retry-on ''` does not silently mean "none".
    ///
    /// - Parameters:
    ///   - name: An option key or spelling, or an argument name.
    ///   - default: The value when `name` was not given.
    ///   - range: The values accepted for each item.
    /// - Throws: ``UsageError`` when a value is empty, or an item is not an integer or is outside `range`.
    public func intList(
        _ name: String,
        default: [Int],
        range: ClosedRange<Int> = Int.min...Int.max
    ) throws(UsageError) -> [Int] {
        let all = rawValues(name)
        guard let last = all.last else { return `default` }
        let raws = last.isRepeatable ? all : [last]
        var result: [Int] = []
        for raw in raws {
            if raw.text.allSatisfy({ $0 == " " }) { throw invalid(raw, reason: ": expected at least one integer") }
            for item in raw.text.split(separator: ",", omittingEmptySubsequences: false) {
                let trimmed = item.trimmingSpaces()
                guard let value = Int(trimmed) else {
                    throw invalid(raw, reason: ": '\(trimmed)' is not an integer")
                }
                guard range.contains(value) else {
                    throw invalid(raw, reason: ": '\(value)' " + Self.describe(range))
                }
                result.append(value)
            }
        }
        return result
    }
}

extension ParsedCommand {
    /// A value as given, with what error messages need to name its option or argument.
    struct RawValue {
        var text: String
        var synopsis: String
        var help: String
        var allowedValues: [String]?
        var isRepeatable: Bool
    }

    /// Every value given for option or argument `name`, in command-line order.
    func rawValues(_ name: String) -> [RawValue] {
        if let argument = command.arguments.first(where: { $0.name == name }),
            !command.options.contains(where: { $0.isNamed(name) })
        {
            return positionals(name).map {
                RawValue(
                    text: $0,
                    synopsis: argument.valueSynopsis,
                    help: argument.help,
                    allowedValues: nil,
                    isRepeatable: argument.isRepeating
                )
            }
        }
        let option = option(named: name)
        return occurrences.compactMap { occurrence in
            guard occurrence.key == option.key, let value = occurrence.value else { return nil }
            return RawValue(
                text: value,
                synopsis: occurrence.spelling + option.valueSynopsis,
                help: option.help,
                allowedValues: option.allowedValues,
                isRepeatable: option.isRepeatable
            )
        }
    }

    func invalid(_ raw: RawValue, reason: String = "") -> UsageError {
        .invalidValue(raw.text, for: raw.synopsis, help: raw.help, reason: reason, path: path)
    }

    /// Seconds from `2`, `0.5`, `500ms`, `1.5s`, `2m` or `1h`; `nil` for anything else.
    static func parseSeconds(_ text: String) -> Double? {
        let units: [(suffix: String, scale: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var number = Substring(text)
        var scale = 1.0
        if let unit = units.first(where: { text.hasSuffix($0.suffix) }) {
            number = number.dropLast(unit.suffix.count)
            scale = unit.scale
        }
        guard let value = parseDecimal(number) else { return nil }
        return value * scale
    }

    /// A plain non-negative decimal (`2`, `0.5`); `nil` for anything else.
    static func parseDecimal(_ text: Substring) -> Double? {
        // `Double` accepts forms such as "nan", "inf", exponents and hexadecimal; only plain decimals are taken.
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) else { return nil }
        return Double(text)
    }

    static func describe(_ range: ClosedRange<Int>) -> String {
        switch (range.lowerBound == Int.min, range.upperBound == Int.max) {
        case (true, true): return "must be an integer"
        case (false, true): return "must be at least \(range.lowerBound)"
        case (true, false): return "must be at most \(range.upperBound)"
        case (false, false): return "must be between \(range.lowerBound) and \(range.upperBound)"
        }
    }

    static func describe(_ range: ClosedRange<Double>, unit: String = "seconds") -> String {
        let unbounded = range.upperBound >= Double.greatestFiniteMagnitude
        if unbounded { return "must be at least \(format(range.lowerBound)) \(unit)" }
        return "must be between \(format(range.lowerBound)) and \(format(range.upperBound)) \(unit)"
    }

    /// `2` rather than `2.0`, `0.5` as is.
    static func format(_ seconds: Double) -> String {
        if seconds == seconds.rounded(), abs(seconds) < 1e15 { return String(Int(seconds)) }
        return String(seconds)
    }
}

extension Substring {
    /// The substring without leading and trailing spaces.
    func trimmingSpaces() -> Substring {
        var trimmed = self
        while trimmed.first == " " { trimmed = trimmed.dropFirst() }
        while trimmed.last == " " { trimmed = trimmed.dropLast() }
        return trimmed
    }
}
