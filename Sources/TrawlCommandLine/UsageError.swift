/// A command line that does not fit the declared commands: an unknown option, a missing or invalid
/// value, an unexpected argument.
///
/// Render it for standard error with ``CommandLineParser/errorText(for:)``; tools conventionally exit
/// with status 64 (`EX_USAGE`) after printing it.
public struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, such as `Unknown option '--concurency'. Did you mean '--concurrency'?`.
    public var message: String
    /// The offending argument's synopsis and help, such as `-c <n>  Maximum concurrent requests.`,
    /// shown on a `Help:` line; `nil` when there is nothing useful to add.
    public var help: String?
    /// The names of the command being parsed, root first, such as `["trawl", "crawl"]`.
    public var commandPath: [String]

    /// Creates a usage error.
    ///
    /// - Parameters:
    ///   - message: What is wrong.
    ///   - help: The offending argument's synopsis and help, if any.
    ///   - commandPath: The names of the command being parsed, root first.
    public init(message: String, help: String? = nil, commandPath: [String]) {
        self.message = message
        self.help = help
        self.commandPath = commandPath
    }

    /// The message.
    public var description: String { message }
}

// The messages follow swift-argument-parser's wording (`ErrorMessageGenerator`) so the tool reads like
// other Swift command-line tools.
extension UsageError {
    static func unknownOption(_ spelling: String, suggestion: String?, path: [String]) -> UsageError {
        let message = "Unknown option '\(spelling)'"
        guard let suggestion else { return UsageError(message: message, commandPath: path) }
        return UsageError(message: "\(message). Did you mean '\(suggestion)'?", commandPath: path)
    }

    static func missingValue(_ spelling: String, for option: OptionSpec, path: [String]) -> UsageError {
        let synopsis = spelling + option.valueSynopsis
        return UsageError(
            message: "Missing value for '\(synopsis)'",
            help: helpLine(synopsis, option.help),
            commandPath: path
        )
    }

    static func unexpectedValue(_ value: String, forFlag spelling: String, path: [String]) -> UsageError {
        UsageError(
            message: "The option '\(spelling)' does not take any value, but '\(value)' was specified.",
            commandPath: path
        )
    }

    static func unexpectedArguments(_ values: [String], path: [String]) -> UsageError {
        let message =
            values.count == 1
            ? "Unexpected argument '\(values[0])'"
            : "\(values.count) unexpected arguments: '\(values.joined(separator: "', '"))'"
        return UsageError(message: message, commandPath: path)
    }

    static func missingArgument(_ argument: ArgumentSpec, path: [String]) -> UsageError {
        var synopsis = argument.valueSynopsis
        if argument.isRepeating { synopsis += " ..." }
        return UsageError(
            message: "Missing expected argument '\(synopsis)'",
            help: helpLine(argument.valueSynopsis, argument.help),
            commandPath: path
        )
    }

    /// `The value 'abc' is invalid for '-c <n>'`, followed by `reason` (which starts with its own
    /// punctuation, such as `: must be between 1 and 1000`).
    static func invalidValue(
        _ value: String,
        for synopsis: String,
        help: String,
        reason: String = "",
        path: [String]
    ) -> UsageError {
        UsageError(
            message: "The value '\(value)' is invalid for '\(synopsis)'\(reason)",
            help: helpLine(synopsis, help),
            commandPath: path
        )
    }

    /// The reason an allowed-values option rejects a value: `. Please provide one of 'a', 'b' or 'c'.`
    static func allowedValuesReason(_ values: [String]) -> String {
        let quoted = values.map { "'\($0)'" }
        switch quoted.count {
        case 0:
            return ""
        case 1, 2:
            return ". Please provide one of \(quoted.joined(separator: " and "))."
        case 3..<6:
            let list = quoted.dropLast().joined(separator: ", ") + " or " + quoted[quoted.count - 1]
            return ". Please provide one of \(list)."
        default:
            return ". Please provide one of the following:\n" + values.map { "  - \($0)" }.joined(separator: "\n")
        }
    }

    private static func helpLine(_ synopsis: String, _ help: String) -> String? {
        help.isEmpty ? nil : "\(synopsis)  \(help)"
    }
}
