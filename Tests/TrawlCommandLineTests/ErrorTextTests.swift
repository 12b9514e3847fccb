import Testing
import TrawlCommandLine

@Suite("Usage errors")
struct ErrorTextTests {
    static let crawlPath = ["trawl", "crawl"]

    @Test func unknownLongOptionSuggestsTheClosestName() {
        #expect(
            Fixtures.error("--concurency", "8", "urls.txt")
                == UsageError(
                    message: "Unknown option '--concurency'. Did you mean '--concurrency'?",
                    commandPath: Self.crawlPath
                ))
    }

    @Test func unknownLongOptionSuggestsTheNameItAbbreviates() {
        #expect(Fixtures.error("--conc", "8")?.message == "Unknown option '--conc'. Did you mean '--concurrency'?")
    }

    @Test func unknownLongOptionWithEqualsSignSuggestsToo() {
        #expect(
            Fixtures.error("--timout=3", "urls.txt")?.message == "Unknown option '--timout'. Did you mean '--timeout'?")
    }

    @Test func shortUnknownOptionIsNotCorrectedIntoAnUnrelatedName() {
        #expect(Fixtures.error("--bdx", "urls.txt")?.message == "Unknown option '--bdx'")
        #expect(Fixtures.error("--bdy", "urls.txt")?.message == "Unknown option '--bdy'. Did you mean '--body'?")
    }

    @Test func misspeltHelpIsSuggested() {
        #expect(Fixtures.error("--hlep")?.message == "Unknown option '--hlep'. Did you mean '--help'?")
    }

    @Test func unknownOptionFarFromEveryNameHasNoSuggestion() {
        #expect(Fixtures.error("--xyzzy", "urls.txt")?.message == "Unknown option '--xyzzy'")
    }

    @Test func unknownShortOptionHasNoSuggestion() {
        #expect(Fixtures.error("-x", "urls.txt")?.message == "Unknown option '-x'")
        #expect(Fixtures.error("-qx", "urls.txt")?.message == "Unknown option '-x'")
    }

    @Test func missingValueNamesTheOptionAsSpelt() {
        #expect(
            Fixtures.error("urls.txt", "-c")
                == UsageError(
                    message: "Missing value for '-c <n>'",
                    help: "-c <n>  Requests in flight at once.",
                    commandPath: Self.crawlPath
                ))
        #expect(
            Fixtures.error("urls.txt", "--concurrency", "--quiet")?.message == "Missing value for '--concurrency <n>'")
        #expect(Fixtures.error("urls.txt", "-c", "--")?.message == "Missing value for '-c <n>'")
    }

    @Test func valueForAFlagIsAnError() {
        #expect(
            Fixtures.error("--quiet=yes", "urls.txt")?.message
                == "The option '--quiet' does not take any value, but 'yes' was specified.")
    }

    @Test func extraPositionalIsAnError() {
        #expect(
            Fixtures.error("a.txt", "b.txt")
                == UsageError(message: "Unexpected argument 'b.txt'", commandPath: Self.crawlPath))
        #expect(Fixtures.error("a.txt", "b.txt", "c.txt")?.message == "2 unexpected arguments: 'b.txt', 'c.txt'")
    }

    @Test func missingPositionalIsAnError() {
        #expect(
            Fixtures.error("-q")
                == UsageError(
                    message: "Missing expected argument '<input>'",
                    help: "<input>  A file of URLs, one per line, or '-' for standard input.",
                    commandPath: Self.crawlPath
                ))
    }

    @Test func errorTextMatchesArgumentParserLayout() {
        let parser = CommandLineParser(
            root: CommandSpec(
                name: "tool",
                arguments: [ArgumentSpec("file", help: "")],
                options: [.option("-n", "--count", valueName: "n", help: "How many.")]
            ),
            version: ""
        )
        let unknown = UsageError(message: "Unknown option '--cont'. Did you mean '--count'?", commandPath: ["tool"])
        #expect(
            parser.errorText(for: unknown) == """
                Error: Unknown option '--cont'. Did you mean '--count'?
                Usage: tool [--count <n>] <file>
                  See 'tool --help' for more information.

                """)
        let missing = UsageError(
            message: "Missing value for '-n <n>'", help: "-n <n>  How many.", commandPath: ["tool"])
        #expect(
            parser.errorText(for: missing) == """
                Error: Missing value for '-n <n>'
                Help:  -n <n>  How many.
                Usage: tool [--count <n>] <file>
                  See 'tool --help' for more information.

                """)
    }

    @Test func aLineBreakInAQuotedValueStaysOnTheErrorLine() {
        let parser = Fixtures.parser
        let error = UsageError(message: "The value '1\n2\r\n3' is invalid for '-c <n>'", commandPath: ["trawl"])
        let first = parser.errorText(for: error).split(separator: "\n", omittingEmptySubsequences: false)[0]
        #expect(first == #"Error: The value '1\n2\r\n3' is invalid for '-c <n>'"#)
    }

    @Test func errorTextNamesTheSubcommand() throws {
        let error = try #require(Fixtures.error("demo", "--prt", "1"))
        #expect(
            Fixtures.parser.errorText(for: error) == """
                Error: Unknown option '--prt'. Did you mean '--port'?
                Usage: trawl demo [--port <port>]
                  See 'trawl demo --help' for more information.

                """)
    }
}
