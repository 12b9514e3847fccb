import Testing
import TrawlCommandLine

@Suite("Command routing")
struct CommandRoutingTests {
    @Test func subcommandWordSelectsTheSubcommand() throws {
        let command = try #require(try Fixtures.run("demo", "--port", "8080"))
        #expect(command.path == ["trawl", "demo"])
        #expect(command.value("port") == "8080")
    }

    @Test func positionalWordRunsTheDefaultSubcommand() throws {
        let command = try #require(try Fixtures.run("urls.txt"))
        #expect(command.path == ["trawl", "crawl"])
        #expect(command.positional("input") == "urls.txt")
    }

    @Test func leadingOptionRunsTheDefaultSubcommand() throws {
        let command = try #require(try Fixtures.run("-c", "3", "urls.txt"))
        #expect(command.path == ["trawl", "crawl"])
        #expect(command.value("concurrency") == "3")
    }

    @Test func doubleDashRunsTheDefaultSubcommand() throws {
        let command = try #require(try Fixtures.run("--", "demo"))
        #expect(command.path == ["trawl", "crawl"])
        #expect(command.positional("input") == "demo")
    }

    @Test func unknownWordIsAnErrorWhenTheDefaultSubcommandTakesNoArgument() {
        let root = CommandSpec(
            name: "tool",
            subcommands: [CommandSpec(name: "serve"), CommandSpec(name: "stop")],
            defaultSubcommand: "serve"
        )
        let parser = CommandLineParser(root: root, version: "")
        #expect(throws: UsageError(message: "Unexpected argument 'bogus'", commandPath: ["tool"])) {
            try parser.parse(["bogus"])
        }
    }

    @Test func unknownWordIsAnErrorWithoutADefaultSubcommand() {
        let root = CommandSpec(name: "tool", subcommands: [CommandSpec(name: "serve")])
        let parser = CommandLineParser(root: root, version: "")
        #expect(throws: UsageError(message: "Unexpected argument 'bogus'", commandPath: ["tool"])) {
            try parser.parse(["bogus"])
        }
    }

    @Test func groupingCommandWithoutADefaultShowsHelpWhenGivenNothing() throws {
        let root = CommandSpec(name: "tool", subcommands: [CommandSpec(name: "serve")])
        let parser = CommandLineParser(root: root, version: "")
        #expect(try parser.parse([]) == .help(parser.helpText(for: ["tool"])))
    }

    @Test func helpFlagShowsHelpForTheRoot() throws {
        let help = ParseOutcome.help(Fixtures.parser.helpText(for: ["trawl"]))
        #expect(try Fixtures.parser.parse(["--help"]) == help)
        #expect(try Fixtures.parser.parse(["-h"]) == help)
        #expect(try Fixtures.parser.parse(["help"]) == help)
    }

    @Test func helpFlagAnywhereShowsHelpForTheSelectedCommand() throws {
        let help = ParseOutcome.help(Fixtures.parser.helpText(for: ["trawl", "crawl"]))
        #expect(try Fixtures.parser.parse(["crawl", "--help"]) == help)
        #expect(try Fixtures.parser.parse(["crawl", "-c", "x", "--bogus", "-h"]) == help)
        #expect(try Fixtures.parser.parse(["urls.txt", "--help"]) == help)
    }

    @Test func helpFlagAfterDoubleDashIsAValue() throws {
        let command = try #require(try Fixtures.run("crawl", "--", "-h"))
        #expect(command.positional("input") == "-h")
    }

    @Test func helpWordShowsHelpForASubcommand() throws {
        let help = ParseOutcome.help(Fixtures.parser.helpText(for: ["trawl", "demo"]))
        #expect(try Fixtures.parser.parse(["help", "demo"]) == help)
        #expect(try Fixtures.parser.parse(["help", "demo", "--help"]) == help)
    }

    @Test func helpWordRejectsAnUnknownSubcommand() {
        #expect(
            Fixtures.error("help", "bogus")
                == UsageError(message: "Unexpected argument 'bogus'", commandPath: ["trawl"]))
    }

    @Test func versionFlagShowsTheVersion() throws {
        #expect(try Fixtures.parser.parse(["--version"]) == .version("1.2.3"))
        #expect(try Fixtures.parser.parse(["demo", "--version"]) == .version("1.2.3"))
    }

    @Test func versionFlagIsUnknownWithoutAVersion() {
        let parser = CommandLineParser(root: CommandSpec(name: "tool"), version: "")
        #expect(throws: UsageError(message: "Unknown option '--version'", commandPath: ["tool"])) {
            try parser.parse(["--version"])
        }
    }
}
