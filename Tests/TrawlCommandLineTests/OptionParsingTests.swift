import Testing
import TrawlCommandLine

@Suite("Option parsing")
struct OptionParsingTests {
    @Test func longOptionTakesTheNextWordAsItsValue() throws {
        let command = try #require(try Fixtures.run("crawl", "--concurrency", "8", "urls.txt"))
        #expect(command.value("concurrency") == "8")
        #expect(command.positional("input") == "urls.txt")
    }

    @Test func longOptionAcceptsEqualsSign() throws {
        let command = try #require(try Fixtures.run("--concurrency=8", "urls.txt"))
        #expect(command.value("concurrency") == "8")
    }

    @Test func equalsSignValueMayBeEmptyOrContainEqualsSigns() throws {
        let command = try #require(try Fixtures.run("--header=X-A=b", "--retry-on=", "urls.txt"))
        #expect(command.value("header") == "X-A=b")
        #expect(command.value("retry-on") == "")
    }

    @Test func shortOptionTakesTheNextWordAsItsValue() throws {
        let command = try #require(try Fixtures.run("-c", "8", "urls.txt"))
        #expect(command.value("concurrency") == "8")
    }

    @Test func shortOptionAcceptsAnAttachedValue() throws {
        let command = try #require(try Fixtures.run("-c8", "urls.txt"))
        #expect(command.value("concurrency") == "8")
    }

    @Test func valuesCanBeLookedUpByAnySpelling() throws {
        let command = try #require(try Fixtures.run("-c8", "urls.txt"))
        #expect(command.value("-c") == "8")
        #expect(command.value("--concurrency") == "8")
    }

    @Test func shortFlagsCombine() throws {
        let command = try #require(try Fixtures.run("-qv", "urls.txt"))
        #expect(command.flag("quiet"))
        #expect(command.flag("verbose"))
    }

    @Test func combinedShortFlagsMayEndWithAnOptionAndItsValue() throws {
        let command = try #require(try Fixtures.run("-qc8", "urls.txt"))
        #expect(command.flag("quiet"))
        #expect(command.value("concurrency") == "8")
        let spaced = try #require(try Fixtures.run("-qc", "8", "urls.txt"))
        #expect(spaced.value("concurrency") == "8")
    }

    @Test func flagsThatAreAbsentAreFalse() throws {
        let command = try #require(try Fixtures.run("urls.txt"))
        #expect(!command.flag("quiet"))
        #expect(command.value("concurrency") == nil)
        #expect(command.values("header").isEmpty)
    }

    @Test func repeatedFlagsAreCounted() throws {
        let command = try #require(try Fixtures.run("-vv", "--verbose", "urls.txt"))
        #expect(command.count("verbose") == 3)
    }

    @Test func lastOccurrenceOfAnOptionWins() throws {
        let command = try #require(try Fixtures.run("-c", "4", "--concurrency", "16", "urls.txt"))
        #expect(command.value("concurrency") == "16")
    }

    @Test func repeatableOptionCollectsEveryValueInOrder() throws {
        let command = try #require(try Fixtures.run("-H", "A: 1", "--header", "B: 2", "-HC: 3", "urls.txt"))
        #expect(command.values("header") == ["A: 1", "B: 2", "C: 3"])
    }

    @Test func doubleDashEndsOptions() throws {
        let command = try #require(try Fixtures.run("-q", "--", "--help"))
        #expect(command.flag("quiet"))
        #expect(command.positional("input") == "--help")
    }

    @Test func loneDashIsAPositionalValue() throws {
        let command = try #require(try Fixtures.run("-q", "-"))
        #expect(command.positional("input") == "-")
    }

    @Test func loneDashIsAValueForAnOption() throws {
        let command = try #require(try Fixtures.run("--header", "-", "urls.txt"))
        #expect(command.value("header") == "-")
    }

    @Test func negativeNumberIsAValueForAnOption() throws {
        let command = try #require(try Fixtures.run("--offset", "-1", "urls.txt"))
        #expect(command.value("offset") == "-1")
        let fractional = try #require(try Fixtures.run("--offset", "-0.5", "urls.txt"))
        #expect(fractional.value("offset") == "-0.5")
    }

    @Test func optionsMayFollowPositionalArguments() throws {
        let command = try #require(try Fixtures.run("urls.txt", "-c", "2"))
        #expect(command.positional("input") == "urls.txt")
        #expect(command.value("concurrency") == "2")
    }

    @Test func optionalAndRepeatingArgumentsCollectValues() throws {
        let root = CommandSpec(
            name: "cat",
            arguments: [
                ArgumentSpec("first", help: "The first file."),
                ArgumentSpec("rest", help: "More files.", isOptional: true, isRepeating: true),
            ]
        )
        let parser = CommandLineParser(root: root, version: "")
        guard case .run(let one) = try parser.parse(["a"]) else {
            Issue.record("expected a command to run")
            return
        }
        #expect(one.positional("first") == "a")
        #expect(one.positionals("rest").isEmpty)
        guard case .run(let many) = try parser.parse(["a", "b", "-", "c"]) else {
            Issue.record("expected a command to run")
            return
        }
        #expect(many.positionals("rest") == ["b", "-", "c"])
    }
}
