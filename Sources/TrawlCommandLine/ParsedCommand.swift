/// The command a command line selected and the values given to it.
///
/// Look values up by an option's ``OptionSpec/key`` (`"concurrency"`; a spelling such as
/// `"--concurrency"` or `"-c"` works too) or an argument's ``ArgumentSpec/name``. Looking up a name the
/// command does not declare is a programming error and traps.
public struct ParsedCommand: Sendable, Equatable {
    /// One option given on the command line.
    struct Occurrence: Sendable, Equatable {
        /// The option's key.
        var key: String
        /// The name as the user spelt it, such as `-c`, for error messages.
        var spelling: String
        /// The value, or `nil` for a flag.
        var value: String?
    }

    /// The names of the selected command, root first, such as `["trawl", "crawl"]`.
    public var path: [String]
    /// The declaration of the selected command.
    public var command: CommandSpec
    /// The options given, in command-line order.
    var occurrences: [Occurrence] = []
    /// The positional values given, by argument name.
    var positionalValues: [String: [String]] = [:]

    init(path: [String], command: CommandSpec) {
        self.path = path
        self.command = command
    }

    /// Whether the flag or option `name` was given at least once.
    ///
    /// - Parameter name: An option key such as `"quiet"`, or a spelling such as `"-q"`.
    public func flag(_ name: String) -> Bool {
        let key = option(named: name).key
        return occurrences.contains { $0.key == key }
    }

    /// How many times the flag or option `name` was given, such as 2 for `-vv`.
    ///
    /// - Parameter name: An option key such as `"verbose"`, or a spelling such as `"-v"`.
    public func count(_ name: String) -> Int {
        let key = option(named: name).key
        return occurrences.count { $0.key == key }
    }

    /// The value of option `name`, the last one if it was given more than once, or `nil` if it was not.
    ///
    /// - Parameter name: An option key such as `"concurrency"`, or a spelling such as `"-c"`.
    public func value(_ name: String) -> String? {
        values(name).last
    }

    /// Every value of option `name`, in command-line order; empty if it was not given.
    ///
    /// - Parameter name: An option key such as `"header"`, or a spelling such as `"-H"`.
    public func values(_ name: String) -> [String] {
        let key = option(named: name).key
        return occurrences.compactMap { $0.key == key ? $0.value : nil }
    }

    /// The value of positional argument `name`, or `nil` if it was left out.
    ///
    /// - Parameter name: The argument's name, such as `"input"`.
    public func positional(_ name: String) -> String? {
        positionals(name).first
    }

    /// Every value of a repeating positional argument `name`; empty if it was left out.
    ///
    /// - Parameter name: The argument's name, such as `"urls"`.
    public func positionals(_ name: String) -> [String] {
        precondition(
            command.arguments.contains { $0.name == name },
            "'\(path.joined(separator: " "))' declares no argument named '\(name)'"
        )
        return positionalValues[name] ?? []
    }

    mutating func record(_ option: OptionSpec, spelling: String, value: String?) {
        occurrences.append(Occurrence(key: option.key, spelling: spelling, value: value))
    }

    mutating func record(_ argument: ArgumentSpec, value: String) {
        positionalValues[argument.name, default: []].append(value)
    }

    func option(named name: String) -> OptionSpec {
        guard let option = command.options.first(where: { $0.isNamed(name) }) else {
            preconditionFailure("'\(path.joined(separator: " "))' declares no option named '\(name)'")
        }
        return option
    }
}
