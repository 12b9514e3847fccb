/// Parses command lines against a tree of ``CommandSpec`` values and renders help, usage and errors in
/// swift-argument-parser's conventions.
///
/// The parser is pure: it never prints or exits. A `main` typically does:
///
/// ```swift
/// let parser = CommandLineParser(root: trawlCommand, version: "1.0.0")
/// do {
///     switch try parser.parse(Array(CommandLine.arguments.dropFirst())) {
///     case .help(let text): print(text, terminator: "")
///     case .version(let version): print(version)
///     case .run(let command): try await run(command)
///     }
/// } catch {
///     FileHandle.standardError.write(Data(parser.errorText(for: error).utf8))
///     exit(64)
/// }
/// ```
///
/// Every command answers `-h`/`--help` (anywhere before `--`), and `--version` when a version is set.
/// A command with subcommands also answers `help <subcommand>`.
public struct CommandLineParser: Sendable {
    /// The executable's command.
    public var root: CommandSpec
    /// The version `--version` shows; empty to offer no `--version`.
    public var version: String
    /// The width help text wraps to.
    public var screenWidth: Int

    /// Creates a parser for the commands under `root`.
    ///
    /// - Parameters:
    ///   - root: The executable's command.
    ///   - version: The version `--version` shows; empty to offer no `--version`.
    ///   - screenWidth: The width help text wraps to.
    /// - Precondition: The commands are well formed: option names start with `-` (one character) or
    ///   `--`, no name is declared twice or clashes with `-h`, `--help` or `--version`, only a last
    ///   argument repeats, and a default subcommand exists and is the only thing its parent declares.
    public init(root: CommandSpec, version: String, screenWidth: Int = 80) {
        Self.validate(root, version: version)
        self.root = root
        self.version = version
        self.screenWidth = screenWidth
    }

    /// The help text for the command at `path`, ending with a newline, ready to write to standard output.
    ///
    /// - Parameter path: Command names, root first, such as `["trawl", "crawl"]`. Names that do not
    ///   match a subcommand are ignored from that point on.
    public func helpText(for path: [String]) -> String {
        helpGenerator(for: path).rendered()
    }

    /// The usage synopsis for the command at `path`, such as `trawl crawl [--quiet] <input>`.
    ///
    /// - Parameter path: Command names, root first.
    public func usageLine(for path: [String]) -> String {
        helpGenerator(for: path).usage
    }

    /// The text to write to standard error for `error`, exactly as swift-argument-parser prints it:
    ///
    /// ```
    /// Error: The value 'abc' is invalid for '-c <n>'
    /// Help:  -c <n>  Requests in flight at once.
    /// Usage: trawl crawl [--concurrency <n>] <input>
    ///   See 'trawl crawl --help' for more information.
    /// ```
    ///
    /// The `Help:` line appears only when the error has ``UsageError/help``. The text ends with a newline.
    public func errorText(for error: UsageError) -> String {
        let generator = helpGenerator(for: error.commandPath)
        // One line: a value quoted in the message may hold a line break (`-c $'1\n2'`), shown escaped.
        var message = ""
        for scalar in error.message.unicodeScalars {
            switch scalar {
            case "\n": message += "\\n"
            case "\r": message += "\\r"
            default: message.unicodeScalars.append(scalar)
            }
        }
        var text = "Error: \(message)\n"
        if let help = error.help { text += "Help:  \(help)\n" }
        text += "Usage: \(generator.usage)\n"
        text += "  See '\(generator.toolName) --help' for more information.\n"
        return text
    }

    /// The commands from the root along `path`, as far as its names match.
    func commands(along path: [String]) -> [CommandSpec] {
        var commands = [root]
        var current = root
        var names = path[...]
        if names.first == root.name { names = names.dropFirst() }
        for name in names {
            guard let next = current.subcommand(named: name) else { break }
            commands.append(next)
            current = next
        }
        return commands
    }

    func helpGenerator(for path: [String]) -> HelpGenerator {
        HelpGenerator(commands: commands(along: path), version: version, screenWidth: screenWidth)
    }
}

extension CommandLineParser {
    static let helpNames: Set<String> = ["-h", "--help"]
    static let versionName = "--version"

    /// Traps on a malformed command tree: these are programming errors, better caught by the first test
    /// that builds the parser than by a user.
    static func validate(_ command: CommandSpec, version: String) {
        let context = "command '\(command.name)'"
        var seen = helpNames
        if !version.isEmpty { seen.insert(versionName) }
        for option in command.options {
            precondition(!option.names.isEmpty, "\(context) declares an option without names")
            for name in option.names {
                let isShort = name.count == 2 && name.hasPrefix("-") && name != "--"
                let isLong = name.count > 2 && name.hasPrefix("--") && !name.contains("=")
                precondition(isShort || isLong, "\(context): '\(name)' is neither '-x' nor '--name'")
                precondition(seen.insert(name).inserted, "\(context) declares '\(name)' twice or reserves it")
            }
        }
        for (index, argument) in command.arguments.enumerated() {
            precondition(
                !argument.isRepeating || index == command.arguments.count - 1,
                "\(context): only the last argument may repeat"
            )
        }
        if let defaultName = command.defaultSubcommand {
            precondition(command.subcommand(named: defaultName) != nil, "\(context): no subcommand '\(defaultName)'")
            precondition(
                command.options.isEmpty && command.arguments.isEmpty,
                "\(context) has a default subcommand, so its own options and arguments could never be parsed"
            )
        }
        precondition(
            Set(command.subcommands.map(\.name)).count == command.subcommands.count,
            "\(context) declares a subcommand twice"
        )
        for subcommand in command.subcommands { validate(subcommand, version: version) }
    }
}
