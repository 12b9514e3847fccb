/// Renders a command's help text and usage line in swift-argument-parser's layout:
///
/// ```
/// OVERVIEW: <abstract>
///
/// USAGE: <usage>
///
/// ARGUMENTS:
///   <input>                 <help>
///
/// OPTIONS:
///   -c, --concurrency <n>   <help> (default: 32)
/// ```
struct HelpGenerator {
    /// Indent of every entry in a section.
    static let entryIndent = 2
    /// The column help text starts at, as in swift-argument-parser.
    static let labelColumnWidth = 26
    /// Beyond this many options and arguments, the usage line shows `[<options>]` instead.
    static let maximumUsageElements = 12

    /// The commands from the root to the one being described.
    var commands: [CommandSpec]
    /// The described command.
    var command: CommandSpec
    /// The tool's version, or empty for none (which hides `--version`).
    var version: String
    /// The width to wrap to.
    var screenWidth: Int

    init(commands: [CommandSpec], version: String, screenWidth: Int) {
        precondition(!commands.isEmpty, "a help generator needs at least the root command")
        self.commands = commands
        self.command = commands[commands.count - 1]
        self.version = version
        self.screenWidth = screenWidth
    }

    /// The command's names, root first, joined by spaces: `trawl crawl`.
    var toolName: String { commands.map(\.name).joined(separator: " ") }

    /// The synopsis after `USAGE:`, such as `trawl crawl [--concurrency <n>] <input>`.
    var usage: String {
        let options = command.options.map(\.usageSynopsis)
        let arguments = command.arguments.map(\.usageSynopsis)
        var usage: String
        if options.isEmpty && arguments.isEmpty {
            usage = toolName
        } else if options.count + arguments.count > Self.maximumUsageElements {
            // Every option is optional, so only the arguments stay, as swift-argument-parser does.
            usage =
                arguments.isEmpty
                ? "\(toolName) <options>" : "\(toolName) [<options>] \(arguments.joined(separator: " "))"
        } else {
            usage = ([toolName] + options + arguments).joined(separator: " ")
        }
        if !command.subcommands.isEmpty { usage += " <subcommand>" }
        return usage
    }

    /// The full help text, ending with a newline, ready to write to standard output.
    func rendered() -> String {
        var overview = command.abstract
        if let discussion = command.discussion, !discussion.isEmpty {
            if !overview.isEmpty { overview += "\n" }
            overview += "\n" + discussion
        }
        var text = ""
        if !overview.isEmpty {
            text += "OVERVIEW: \(overview)".wrapped(to: screenWidth) + "\n\n"
        }
        text += "USAGE: \(usage)\n\n"
        text += sections.filter { !$0.entries.isEmpty }.map(render).joined(separator: "\n")
        if !command.subcommands.isEmpty {
            let names = [commands[0].name, "help"] + commands.dropFirst().map(\.name)
            text += "\n  See '\(names.joined(separator: " ")) <subcommand>' for detailed help."
        }
        return text + "\n"
    }

    /// One line (or more, once wrapped) of a section: a label in the left column and help text in the
    /// right.
    struct Entry {
        var label: String
        var abstract: String
    }

    /// A titled list of entries, such as `OPTIONS:`.
    struct Section {
        var title: String
        var entries: [Entry]
    }

    var sections: [Section] {
        let arguments = command.arguments.map {
            Entry(
                label: $0.valueSynopsis, abstract: Self.abstract($0.help, values: nil, default: $0.defaultDescription))
        }
        var options = command.options.map {
            Entry(
                label: $0.helpLabel,
                abstract: Self.abstract($0.help, values: $0.allowedValues, default: $0.defaultDescription)
            )
        }
        if !version.isEmpty {
            options.append(Entry(label: "--version", abstract: "Show the version."))
        }
        options.append(Entry(label: "-h, --help", abstract: "Show help information."))
        let subcommands = command.subcommands.map {
            Entry(label: $0.name + ($0.name == command.defaultSubcommand ? " (default)" : ""), abstract: $0.abstract)
        }
        return [
            Section(title: "ARGUMENTS", entries: arguments),
            Section(title: "OPTIONS", entries: options),
            Section(title: "SUBCOMMANDS", entries: subcommands),
        ]
    }

    /// Help text followed by `(values: a, b; default: a)`, whichever parts there are.
    static func abstract(_ help: String, values: [String]?, default defaultDescription: String?) -> String {
        let values = (values ?? []).filter { !$0.isEmpty }
        let defaultDescription = defaultDescription ?? ""
        let suffix: String
        switch (values.isEmpty, defaultDescription.isEmpty) {
        case (true, true): suffix = ""
        case (false, true): suffix = "(values: \(values.joined(separator: ", ")))"
        case (true, false): suffix = "(default: \(defaultDescription))"
        case (false, false): suffix = "(values: \(values.joined(separator: ", ")); default: \(defaultDescription))"
        }
        return [help, suffix].filter { !$0.isEmpty }.joined(separator: " ")
    }

    func render(_ section: Section) -> String {
        "\(section.title):\n" + section.entries.map(render).joined()
    }

    func render(_ entry: Entry) -> String {
        let label = String(repeating: " ", count: Self.entryIndent) + entry.label
        guard !entry.abstract.isEmpty else { return label + "\n" }
        let wrapped = entry.abstract.wrapped(to: screenWidth, indent: Self.labelColumnWidth)
        if label.count < Self.labelColumnWidth {
            // The wrapped text starts with a full indent; the label takes the place of part of it.
            return label + wrapped.dropFirst(label.count) + "\n"
        }
        return label + "\n" + wrapped + "\n"
    }
}
