/// The declaration of one named option (`--concurrency <n>`) or boolean flag (`--quiet`).
///
/// An option has one or more names: a short name of a dash and one character (`-c`) and/or a long
/// name of two dashes and a word (`--concurrency`). Values are looked up by the option's ``key``,
/// its first long name without the dashes (or its short name's character when it has no long name).
public struct OptionSpec: Sendable, Equatable {
    /// The option's names, such as `["-c", "--concurrency"]`.
    public var names: [String]
    /// The placeholder for the option's value, shown as `<valueName>`, or `nil` for a boolean flag.
    public var valueName: String?
    /// What the option does, shown in the `OPTIONS:` section.
    public var help: String
    /// The value used when the option is left out, shown as `(default: ...)`, or `nil` to show none.
    public var defaultDescription: String?
    /// The only values the option accepts, shown as `(values: ...)` and checked while parsing, or `nil`
    /// to accept any value.
    public var allowedValues: [String]?
    /// Whether the option is meant to be given more than once, collecting every value (`-H a -H b`).
    ///
    /// A non-repeatable option may still be given more than once; the last value wins.
    public var isRepeatable: Bool

    /// Creates an option declaration.
    ///
    /// - Parameters:
    ///   - names: The option's names, such as `["-c", "--concurrency"]`.
    ///   - valueName: The placeholder for the option's value, or `nil` for a boolean flag.
    ///   - help: What the option does.
    ///   - defaultDescription: The value used when the option is left out, for help.
    ///   - allowedValues: The only values the option accepts, or `nil` for any value.
    ///   - isRepeatable: Whether the option collects a value per occurrence.
    public init(
        names: [String],
        valueName: String? = nil,
        help: String,
        defaultDescription: String? = nil,
        allowedValues: [String]? = nil,
        isRepeatable: Bool = false
    ) {
        self.names = names
        self.valueName = valueName
        self.help = help
        self.defaultDescription = defaultDescription
        self.allowedValues = allowedValues
        self.isRepeatable = isRepeatable
    }

    /// Declares a boolean flag, such as `OptionSpec.flag("-q", "--quiet", help: "Print nothing.")`.
    ///
    /// - Parameters:
    ///   - names: The flag's names.
    ///   - help: What the flag does.
    public static func flag(_ names: String..., help: String) -> OptionSpec {
        OptionSpec(names: names, help: help)
    }

    /// Declares an option that takes a value, such as
    /// `OptionSpec.option("-c", "--concurrency", valueName: "n", help: "...", defaultDescription: "32")`.
    ///
    /// - Parameters:
    ///   - names: The option's names.
    ///   - valueName: The placeholder for the option's value.
    ///   - help: What the option does.
    ///   - defaultDescription: The value used when the option is left out, for help.
    ///   - allowedValues: The only values the option accepts, or `nil` for any value.
    ///   - isRepeatable: Whether the option collects a value per occurrence.
    public static func option(
        _ names: String...,
        valueName: String,
        help: String,
        defaultDescription: String? = nil,
        allowedValues: [String]? = nil,
        isRepeatable: Bool = false
    ) -> OptionSpec {
        OptionSpec(
            names: names,
            valueName: valueName,
            help: help,
            defaultDescription: defaultDescription,
            allowedValues: allowedValues,
            isRepeatable: isRepeatable
        )
    }

    /// The name values are looked up by: the first long name without its dashes (`concurrency`), or the
    /// short name's character when the option has no long name.
    public var key: String {
        let name = names.first { $0.hasPrefix("--") } ?? names.first ?? ""
        return String(name.drop { $0 == "-" })
    }

    /// Whether the option is a boolean flag that takes no value.
    public var isFlag: Bool { valueName == nil }
}

extension OptionSpec {
    /// Whether `name` refers to this option, either as its key (`concurrency`) or spelt (`-c`).
    func isNamed(_ name: String) -> Bool {
        name == key || names.contains(name)
    }

    /// `<valueName>`, or the empty string for a flag.
    var valueSynopsis: String { valueName.map { " <\($0)>" } ?? "" }

    /// The option as the usage line shows it, such as `[--concurrency <n>]` or `[--header <h> ...]`.
    var usageSynopsis: String {
        let preferred = names.first { $0.hasPrefix("--") } ?? names.first ?? ""
        var synopsis = preferred + valueSynopsis
        if isRepeatable { synopsis += " ..." }
        return "[\(synopsis)]"
    }

    /// The option as the help's left column shows it: short names first, such as `-c, --concurrency <n>`.
    var helpLabel: String {
        let short = names.filter { !$0.hasPrefix("--") }
        let long = names.filter { $0.hasPrefix("--") }
        return (short + long).joined(separator: ", ") + valueSynopsis
    }
}
