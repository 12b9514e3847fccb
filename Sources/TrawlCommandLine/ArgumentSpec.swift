/// The declaration of one positional argument, such as the `<input>` file of `trawl <input>`.
public struct ArgumentSpec: Sendable, Equatable {
    /// The argument's name, shown as `<name>` in usage and help and used to look its value up.
    public var name: String
    /// What the argument means, shown in the `ARGUMENTS:` section.
    public var help: String
    /// Whether the argument may be left out.
    public var isOptional: Bool
    /// Whether the argument takes every remaining positional value. Only the last argument may repeat.
    public var isRepeating: Bool
    /// The value used when the argument is left out, shown as `(default: ...)`, or `nil` to show none.
    public var defaultDescription: String?

    /// Creates a positional argument declaration.
    ///
    /// - Parameters:
    ///   - name: The argument's name, without angle brackets.
    ///   - help: What the argument means.
    ///   - isOptional: Whether the argument may be left out.
    ///   - isRepeating: Whether the argument takes every remaining positional value.
    ///   - defaultDescription: The value used when the argument is left out, for help.
    public init(
        _ name: String,
        help: String,
        isOptional: Bool = false,
        isRepeating: Bool = false,
        defaultDescription: String? = nil
    ) {
        self.name = name
        self.help = help
        self.isOptional = isOptional
        self.isRepeating = isRepeating
        self.defaultDescription = defaultDescription
    }
}

extension ArgumentSpec {
    /// `<name>`, as usage, help and error messages show the argument.
    var valueSynopsis: String { "<\(name)>" }

    /// The argument as the usage line shows it, such as `<input>`, `[<input>]` or `<urls> ...`.
    var usageSynopsis: String {
        var synopsis = valueSynopsis
        if isRepeating { synopsis += " ..." }
        return isOptional ? "[\(synopsis)]" : synopsis
    }
}
