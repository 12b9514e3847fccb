import TrawlCommandLine

/// A small tool shaped like trawl: a root with a default `crawl` subcommand and a `demo` subcommand.
enum Fixtures {
    static let crawl = CommandSpec(
        name: "crawl",
        abstract: "Fetch every URL in a list.",
        arguments: [ArgumentSpec("input", help: "A file of URLs, one per line, or '-' for standard input.")],
        options: [
            .option(
                "-c", "--concurrency", valueName: "n", help: "Requests in flight at once.", defaultDescription: "32"),
            .option(
                "--timeout", valueName: "duration", help: "Give up on a request after this long.",
                defaultDescription: "30s"),
            .option(
                "--body", valueName: "mode", help: "What to record of each body.", defaultDescription: "none",
                allowedValues: ["none", "text", "base64"]
            ),
            .option("-H", "--header", valueName: "header", help: "Add a request header.", isRepeatable: true),
            .option(
                "--retry-on", valueName: "codes", help: "Status codes to retry.", defaultDescription: "408,429,503"),
            .option("--offset", valueName: "n", help: "Shift every line number."),
            .option("--rate", valueName: "n", help: "Most requests per second on one host."),
            .flag("-q", "--quiet", help: "Print no progress."),
            .flag("-v", "--verbose", help: "Print more detail."),
        ]
    )

    static let demo = CommandSpec(
        name: "demo",
        abstract: "Crawl a built-in test site.",
        options: [.option("--port", valueName: "port", help: "The port to listen on.", defaultDescription: "0")]
    )

    static let root = CommandSpec(
        name: "trawl",
        abstract: "A concurrent bulk URL crawler.",
        subcommands: [crawl, demo],
        defaultSubcommand: "crawl"
    )

    static let parser = CommandLineParser(root: root, version: "1.2.3")

    /// Parses `arguments` and returns the command to run, or `nil` for help or version.
    static func run(_ arguments: String...) throws(UsageError) -> ParsedCommand? {
        guard case .run(let command) = try parser.parse(arguments) else { return nil }
        return command
    }

    /// The error parsing `arguments` throws, or `nil` if it succeeds.
    static func error(_ arguments: String...) -> UsageError? {
        do {
            _ = try parser.parse(arguments)
            return nil
        } catch {
            return error
        }
    }
}
