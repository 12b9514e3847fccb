// Parsing proceeds in two steps, like swift-argument-parser's `CommandParser`:
//
// 1. Leading words select the command: subcommand names, the `help` word, and otherwise the default
//    subcommand. Built-in `-h`/`--help`/`--version` anywhere before `--` stop there.
// 2. The selected command's options and arguments are read from the remaining words.

extension CommandLineParser {
    /// Parses a command line.
    ///
    /// Accepts `--name value`, `--name=value`, `-n value`, `-nvalue`, combined short flags (`-qv`, and
    /// `-qc8` where the last takes a value), `--` to end options, and a lone `-` as a positional value.
    /// A value that looks like a negative number (`--offset -1`) is taken as a value.
    ///
    /// - Parameter arguments: The command-line arguments without the executable's path (`argv[0]`).
    /// - Returns: The command to run with its values, or a request for help or the version.
    /// - Throws: ``UsageError`` when the arguments do not fit the declared commands.
    public func parse(_ arguments: [String]) throws(UsageError) -> ParseOutcome {
        var commands = [root]
        var index = arguments.startIndex
        while true {
            let current = commands[commands.count - 1]
            guard !current.subcommands.isEmpty else { break }
            if index < arguments.endIndex {
                let word = arguments[index]
                if let next = current.subcommand(named: word) {
                    commands.append(next)
                    index += 1
                    continue
                }
                if word == "help" {
                    return try helpRequest(arguments[(index + 1)...], commands: commands)
                }
            }
            guard let fallback = current.defaultSubcommandSpec else { break }
            if index < arguments.endIndex {
                let word = arguments[index]
                if isBuiltIn(word) { break }
                if !Self.isOptionLike(word) && fallback.arguments.isEmpty && fallback.subcommands.isEmpty {
                    throw .unexpectedArguments([word], path: commands.map(\.name))
                }
            }
            commands.append(fallback)
        }

        let rest = arguments[index...]
        let options = rest.prefix { $0 != "--" }
        if options.contains(where: Self.helpNames.contains) {
            return .help(HelpGenerator(commands: commands, version: version, screenWidth: screenWidth).rendered())
        }
        if !version.isEmpty && options.contains(Self.versionName) {
            return .version(version)
        }
        let command = commands[commands.count - 1]
        if rest.isEmpty && !command.subcommands.isEmpty && command.options.isEmpty && command.arguments.isEmpty {
            // A command that only groups subcommands has nothing to run: show what it offers.
            return .help(HelpGenerator(commands: commands, version: version, screenWidth: screenWidth).rendered())
        }
        return .run(try parseValues(rest, commands: commands))
    }

    /// `help`, `help <subcommand>...`: help for the named command. Help flags among the words are ignored.
    func helpRequest(_ words: ArraySlice<String>, commands: [CommandSpec]) throws(UsageError) -> ParseOutcome {
        var commands = commands
        for word in words where !Self.helpNames.contains(word) {
            guard let next = commands[commands.count - 1].subcommand(named: word) else {
                throw .unexpectedArguments([word], path: commands.map(\.name))
            }
            commands.append(next)
        }
        return .help(HelpGenerator(commands: commands, version: version, screenWidth: screenWidth).rendered())
    }

    /// Reads the options and arguments of the last of `commands` from `tokens`.
    func parseValues(_ tokens: ArraySlice<String>, commands: [CommandSpec]) throws(UsageError) -> ParsedCommand {
        let command = commands[commands.count - 1]
        let path = commands.map(\.name)
        var parsed = ParsedCommand(path: path, command: command)
        var argumentIndex = 0
        var extras: [String] = []
        var afterTerminator = false
        var index = tokens.startIndex

        while index < tokens.endIndex {
            let token = tokens[index]
            index += 1
            if afterTerminator || !Self.isOptionLike(token) {
                guard argumentIndex < command.arguments.count else {
                    extras.append(token)
                    continue
                }
                let argument = command.arguments[argumentIndex]
                parsed.record(argument, value: token)
                if !argument.isRepeating { argumentIndex += 1 }
            } else if token == "--" {
                afterTerminator = true
            } else if token.hasPrefix("--") {
                let body = token.dropFirst(2)
                let equals = body.firstIndex(of: "=")
                let spelling = "--" + body[..<(equals ?? body.endIndex)]
                let inline = equals.map { String(body[body.index(after: $0)...]) }
                guard let option = command.option(spelled: spelling) else {
                    throw .unknownOption(spelling, suggestion: suggestion(for: spelling, in: command), path: path)
                }
                if option.isFlag {
                    if let inline { throw .unexpectedValue(inline, forFlag: spelling, path: path) }
                    parsed.record(option, spelling: spelling, value: nil)
                    continue
                }
                let value: String
                if let inline {
                    value = inline
                } else if index < tokens.endIndex, !Self.isOptionLike(tokens[index]) {
                    value = tokens[index]
                    index += 1
                } else {
                    throw .missingValue(spelling, for: option, path: path)
                }
                try Self.checkAllowed(value, spelling: spelling, option: option, path: path)
                parsed.record(option, spelling: spelling, value: value)
            } else {
                // A cluster of short options: flags, then at most one option whose value is the rest of
                // the cluster or the next word.
                var cluster = token.dropFirst()
                while let character = cluster.popFirst() {
                    let spelling = "-\(character)"
                    guard let option = command.option(spelled: spelling) else {
                        throw .unknownOption(spelling, suggestion: nil, path: path)
                    }
                    if option.isFlag {
                        parsed.record(option, spelling: spelling, value: nil)
                        continue
                    }
                    let value: String
                    if !cluster.isEmpty {
                        value = String(cluster)
                    } else if index < tokens.endIndex, !Self.isOptionLike(tokens[index]) {
                        value = tokens[index]
                        index += 1
                    } else {
                        throw .missingValue(spelling, for: option, path: path)
                    }
                    try Self.checkAllowed(value, spelling: spelling, option: option, path: path)
                    parsed.record(option, spelling: spelling, value: value)
                    break
                }
            }
        }

        if !extras.isEmpty {
            throw .unexpectedArguments(extras, path: path)
        }
        for argument in command.arguments where !argument.isOptional && parsed.positionals(argument.name).isEmpty {
            throw .missingArgument(argument, path: path)
        }
        return parsed
    }

    /// Whether `word` asks for help or the version.
    func isBuiltIn(_ word: String) -> Bool {
        Self.helpNames.contains(word) || (!version.isEmpty && word == Self.versionName)
    }

    /// The long name to suggest for a misspelt `spelling`: one it abbreviates (`--conc`), or else the
    /// closest one fewer than four edits away (swift-argument-parser's threshold) and no more edits than
    /// half its length, so a short word is not "corrected" into an unrelated one.
    func suggestion(for spelling: String, in command: CommandSpec) -> String? {
        var candidates = command.options.flatMap(\.names).filter { $0.hasPrefix("--") }
        if !version.isEmpty { candidates.append(Self.versionName) }
        candidates.append("--help")
        let typed = spelling.dropFirst(2)
        if typed.count >= 2, let abbreviated = candidates.first(where: { $0.dropFirst(2).hasPrefix(typed) }) {
            return abbreviated
        }
        let limit = Swift.min(3, Swift.max(1, typed.count / 2))
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let distance = candidate.editDistance(to: spelling)
            if distance <= limit && distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        return best?.name
    }

    /// Whether `token` is an option or `--` rather than a value: it starts with a dash, is not a lone
    /// dash (standard input), and is not a negative number.
    static func isOptionLike(_ token: String) -> Bool {
        guard token.count > 1, token.hasPrefix("-") else { return false }
        let rest = token.dropFirst()
        let isNegativeNumber =
            rest.contains { $0.isASCII && $0.isNumber } && rest.allSatisfy { ($0.isASCII && $0.isNumber) || $0 == "." }
        return !isNegativeNumber
    }

    static func checkAllowed(
        _ value: String,
        spelling: String,
        option: OptionSpec,
        path: [String]
    ) throws(UsageError) {
        guard let allowed = option.allowedValues, !allowed.contains(value) else { return }
        throw .invalidValue(
            value,
            for: spelling + option.valueSynopsis,
            help: option.help,
            reason: UsageError.allowedValuesReason(allowed),
            path: path
        )
    }
}
