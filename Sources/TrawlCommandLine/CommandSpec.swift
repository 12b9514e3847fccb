/// The declaration of one command: its name, help text, positional arguments, options and subcommands.
///
/// A tool is a tree of `CommandSpec` values; the root is the executable itself. A command with
/// subcommands may name one of them as its default, so `tool file.txt` means `tool crawl file.txt`.
/// A command with a default subcommand declares no arguments or options of its own: everything
/// after the subcommand words belongs to the subcommand.
public struct CommandSpec: Sendable, Equatable {
    /// The word that selects the command, such as `trawl` for the root or `crawl` for a subcommand.
    public var name: String
    /// A one-line summary, shown after `OVERVIEW:` and in the parent's `SUBCOMMANDS:` list.
    public var abstract: String
    /// Further paragraphs shown below the abstract in the command's help, or `nil` for none.
    public var discussion: String?
    /// The positional arguments, in the order they are given.
    public var arguments: [ArgumentSpec]
    /// The options and flags, in the order help lists them.
    public var options: [OptionSpec]
    /// The subcommands, in the order help lists them.
    public var subcommands: [CommandSpec]
    /// The name of the subcommand that runs when no subcommand word is given, or `nil` for none.
    public var defaultSubcommand: String?

    /// Creates a command declaration.
    ///
    /// - Parameters:
    ///   - name: The word that selects the command.
    ///   - abstract: A one-line summary.
    ///   - discussion: Further paragraphs for the command's help.
    ///   - arguments: The positional arguments, in order.
    ///   - options: The options and flags, in help order.
    ///   - subcommands: The subcommands, in help order.
    ///   - defaultSubcommand: The name of the subcommand to run when none is named.
    public init(
        name: String,
        abstract: String = "",
        discussion: String? = nil,
        arguments: [ArgumentSpec] = [],
        options: [OptionSpec] = [],
        subcommands: [CommandSpec] = [],
        defaultSubcommand: String? = nil
    ) {
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
        self.arguments = arguments
        self.options = options
        self.subcommands = subcommands
        self.defaultSubcommand = defaultSubcommand
    }
}

extension CommandSpec {
    /// The subcommand called `name`, if there is one.
    func subcommand(named name: String) -> CommandSpec? {
        subcommands.first { $0.name == name }
    }

    /// The option spelt `spelling` (such as `-c` or `--concurrency`), if there is one.
    func option(spelled spelling: String) -> OptionSpec? {
        options.first { $0.names.contains(spelling) }
    }

    /// The subcommand that runs when no subcommand word is given, if there is one.
    var defaultSubcommandSpec: CommandSpec? {
        defaultSubcommand.flatMap { subcommand(named: $0) }
    }
}
