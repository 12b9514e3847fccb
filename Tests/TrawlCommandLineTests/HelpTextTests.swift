import Testing
import TrawlCommandLine

@Suite("Help text")
struct HelpTextTests {
    static let repeatCommand = CommandSpec(
        name: "repeat",
        abstract: "Repeat a phrase.",
        discussion: "Prints the phrase as many times as asked.",
        arguments: [ArgumentSpec("phrase", help: "The phrase to repeat.")],
        options: [
            .option("-n", "--count", valueName: "n", help: "How many times to repeat.", defaultDescription: "2"),
            .option(
                "--style", valueName: "style", help: "How to print each line.", defaultDescription: "plain",
                allowedValues: ["plain", "numbered"]
            ),
            .flag("--include-counter", help: "Prefix each line with its number."),
        ]
    )

    @Test func helpMatchesArgumentParserLayout() {
        let parser = CommandLineParser(root: Self.repeatCommand, version: "1.0")
        #expect(
            parser.helpText(for: ["repeat"]) == """
                OVERVIEW: Repeat a phrase.

                Prints the phrase as many times as asked.

                USAGE: repeat [--count <n>] [--style <style>] [--include-counter] <phrase>

                ARGUMENTS:
                  <phrase>                The phrase to repeat.

                OPTIONS:
                  -n, --count <n>         How many times to repeat. (default: 2)
                  --style <style>         How to print each line. (values: plain, numbered;
                                          default: plain)
                  --include-counter       Prefix each line with its number.
                  --version               Show the version.
                  -h, --help              Show help information.


                """)
    }

    @Test func helpListsSubcommandsAndMarksTheDefault() {
        #expect(
            Fixtures.parser.helpText(for: ["trawl"]) == """
                OVERVIEW: A concurrent bulk URL crawler.

                USAGE: trawl <subcommand>

                OPTIONS:
                  --version               Show the version.
                  -h, --help              Show help information.

                SUBCOMMANDS:
                  crawl (default)         Fetch every URL in a list.
                  demo                    Crawl a built-in test site.

                  See 'trawl help <subcommand>' for detailed help.

                """)
    }

    @Test func subcommandHelpNamesTheFullPath() {
        #expect(
            Fixtures.parser.helpText(for: ["trawl", "demo"]) == """
                OVERVIEW: Crawl a built-in test site.

                USAGE: trawl demo [--port <port>]

                OPTIONS:
                  --port <port>           The port to listen on. (default: 0)
                  --version               Show the version.
                  -h, --help              Show help information.


                """)
    }

    @Test func longHelpWrapsUnderTheHelpColumn() {
        let root = CommandSpec(
            name: "tool",
            options: [
                .flag(
                    "--long",
                    help: "This help text is long enough that it has to wrap onto a second line and then onto a third "
                        + "one, always starting at the help column."
                )
            ]
        )
        let help = CommandLineParser(root: root, version: "").helpText(for: ["tool"])
        #expect(
            help.contains(
                """
                  --long                  This help text is long enough that it has to wrap
                                          onto a second line and then onto a third one, always
                                          starting at the help column.

                """))
        #expect(help.split(separator: "\n").allSatisfy { $0.count <= 80 })
    }

    @Test func longLabelPutsHelpOnTheNextLine() {
        let root = CommandSpec(
            name: "tool",
            options: [.option("--a-very-long-option-name", valueName: "value", help: "Short help.")]
        )
        #expect(
            CommandLineParser(root: root, version: "").helpText(for: ["tool"]).contains(
                """
                  --a-very-long-option-name <value>
                                          Short help.

                """))
    }

    @Test func helpWrapsToTheRequestedWidth() {
        let parser = CommandLineParser(root: Self.repeatCommand, version: "", screenWidth: 50)
        #expect(
            parser.helpText(for: ["repeat"]).contains(
                """
                  -n, --count <n>         How many times to
                                          repeat. (default: 2)

                """))
    }

    @Test func usageShowsRepeatingAndOptionalArguments() {
        let root = CommandSpec(
            name: "cat",
            arguments: [
                ArgumentSpec("first", help: ""),
                ArgumentSpec("rest", help: "", isOptional: true, isRepeating: true),
            ],
            options: [.option("-H", "--header", valueName: "h", help: "", isRepeatable: true)]
        )
        #expect(
            CommandLineParser(root: root, version: "").usageLine(for: ["cat"])
                == "cat [--header <h> ...] <first> [<rest> ...]")
    }

    @Test func usageAbbreviatesManyOptions() {
        let options = (1...13).map { OptionSpec.flag("--flag\($0)", help: "") }
        let withArgument = CommandSpec(name: "tool", arguments: [ArgumentSpec("file", help: "")], options: options)
        #expect(
            CommandLineParser(root: withArgument, version: "").usageLine(for: ["tool"]) == "tool [<options>] <file>")
        let withoutArgument = CommandSpec(name: "tool", options: options)
        #expect(CommandLineParser(root: withoutArgument, version: "").usageLine(for: ["tool"]) == "tool <options>")
    }

    @Test func helpForAPathIgnoresUnknownNames() {
        #expect(Fixtures.parser.helpText(for: ["trawl", "bogus"]) == Fixtures.parser.helpText(for: ["trawl"]))
        #expect(Fixtures.parser.helpText(for: []) == Fixtures.parser.helpText(for: ["trawl"]))
    }
}
