import Testing
import TrawlCommandLine

@Suite("Typed values")
struct ConversionTests {
    static let crawlPath = ["trawl", "crawl"]

    @Test func intReturnsTheDefaultWhenAbsent() throws {
        let command = try #require(try Fixtures.run("urls.txt"))
        #expect(try command.int("concurrency", default: 32, range: 1...1000) == 32)
    }

    @Test func intParsesTheValue() throws {
        let command = try #require(try Fixtures.run("-c", "8", "urls.txt"))
        #expect(try command.int("concurrency", default: 32, range: 1...1000) == 8)
    }

    @Test func intRejectsANonNumberNamingTheOptionAsSpelt() throws {
        let command = try #require(try Fixtures.run("-c", "abc", "urls.txt"))
        let expected = UsageError(
            message: "The value 'abc' is invalid for '-c <n>'",
            help: "-c <n>  Requests in flight at once.",
            commandPath: Self.crawlPath
        )
        #expect(throws: expected) { try command.int("concurrency", default: 32) }
    }

    @Test func intRejectsAValueOutsideTheRange() throws {
        let command = try #require(try Fixtures.run("--concurrency", "0", "urls.txt"))
        #expect(
            throws: UsageError(
                message: "The value '0' is invalid for '--concurrency <n>': must be between 1 and 1000",
                help: "--concurrency <n>  Requests in flight at once.",
                commandPath: Self.crawlPath
            )
        ) { try command.int("concurrency", default: 32, range: 1...1000) }
        #expect(throws: UsageError.self) { try command.int("concurrency", default: 32, range: 1...Int.max) }
    }

    @Test func intAcceptsANegativeValueInRange() throws {
        let command = try #require(try Fixtures.run("--offset", "-3", "urls.txt"))
        #expect(try command.int("offset", default: 0, range: -10...10) == -3)
    }

    @Test(arguments: [
        ("2", 2.0), ("0.5", 0.5), ("1.5s", 1.5), ("500ms", 0.5), ("2m", 120.0), ("1h", 3600.0), ("0", 0.0),
    ])
    func secondsAcceptsPlainNumbersAndUnits(text: String, seconds: Double) throws {
        let command = try #require(try Fixtures.run("--timeout", text, "urls.txt"))
        #expect(try command.seconds("timeout", default: 30) == seconds)
    }

    @Test(arguments: ["soon", "ms", "1.5x", "-1", "nan", "inf", "0x10", "1 s", ""])
    func secondsRejectsAnythingElse(text: String) throws {
        let command = try #require(try Fixtures.run("--timeout=\(text)", "urls.txt"))
        #expect(
            throws: UsageError(
                message: "The value '\(text)' is invalid for '--timeout <duration>': "
                    + "expected a duration such as 2, 0.5, 1.5s, 500ms or 2m",
                help: "--timeout <duration>  Give up on a request after this long.",
                commandPath: Self.crawlPath
            )
        ) { try command.seconds("timeout", default: 30) }
    }

    @Test func secondsRejectsAValueOutsideTheRange() throws {
        let command = try #require(try Fixtures.run("--timeout", "20m", "urls.txt"))
        #expect(
            Self.message { () throws(UsageError) in _ = try command.seconds("timeout", default: 30, range: 0.1...600) }
                == "The value '20m' is invalid for '--timeout <duration>': must be between 0.1 and 600 seconds"
        )
        #expect(
            Self.message { () throws(UsageError) in _ = try command.seconds("timeout", default: 30, range: 1...1200) }
                == nil
        )
        #expect(
            Self.message { () throws(UsageError) in
                _ = try command.seconds("timeout", default: 30, range: 5000...Double.greatestFiniteMagnitude)
            }
                == "The value '20m' is invalid for '--timeout <duration>': must be at least 5000 seconds"
        )
    }

    @Test(arguments: [("10", 10.0), ("0.5", 0.5), ("2", 2.0)])
    func numberAcceptsAPlainNumber(text: String, value: Double) throws {
        let command = try #require(try Fixtures.run("--rate", text, "urls.txt"))
        #expect(try command.number("rate", default: 0, range: 0.01...1000, unit: "requests per second") == value)
    }

    @Test(arguments: ["2m", "500ms", "1s", "1h", "fast", "-1", "nan", "inf", "1e3", ""])
    func numberRejectsUnitsAndAnythingElseSpeakingOfTheUnit(text: String) throws {
        let command = try #require(try Fixtures.run("--rate=\(text)", "urls.txt"))
        #expect(
            throws: UsageError(
                message: "The value '\(text)' is invalid for '--rate <n>': "
                    + "expected a number of requests per second, such as 10 or 0.5",
                help: "--rate <n>  Most requests per second on one host.",
                commandPath: Self.crawlPath
            )
        ) { try command.number("rate", default: 0, range: 0.01...1000, unit: "requests per second") }
    }

    @Test func numberRejectsAValueOutsideTheRangeInItsUnit() throws {
        let command = try #require(try Fixtures.run("--rate", "0", "urls.txt"))
        #expect(
            Self.message { () throws(UsageError) in
                _ = try command.number("rate", default: 0, range: 0.01...1000, unit: "requests per second")
            }
                == "The value '0' is invalid for '--rate <n>': must be between 0.01 and 1000 requests per second"
        )
    }

    @Test func choiceReturnsTheValueOrTheDefault() throws {
        let given = try #require(try Fixtures.run("--body", "text", "urls.txt"))
        #expect(try given.choice("body", default: "none") == "text")
        let absent = try #require(try Fixtures.run("urls.txt"))
        #expect(try absent.choice("body", default: "none") == "none")
    }

    @Test func choiceOutsideTheAllowedValuesFailsWhileParsing() {
        #expect(
            Fixtures.error("--body", "xml", "urls.txt")
                == UsageError(
                    message:
                        "The value 'xml' is invalid for '--body <mode>'. Please provide one of 'none', 'text' or 'base64'.",
                    help: "--body <mode>  What to record of each body.",
                    commandPath: Self.crawlPath
                ))
    }

    @Test func manyAllowedValuesAreListedOnePerLine() {
        let reason = CommandLineParser(
            root: CommandSpec(
                name: "tool",
                options: [.option("--level", valueName: "l", help: "", allowedValues: ["a", "b", "c", "d", "e", "f"])]
            ),
            version: ""
        )
        #expect(
            throws: UsageError(
                message: "The value 'z' is invalid for '--level <l>'. Please provide one of the following:\n"
                    + "  - a\n  - b\n  - c\n  - d\n  - e\n  - f",
                commandPath: ["tool"]
            )
        ) { try reason.parse(["--level", "z"]) }
    }

    @Test func intListSplitsOnCommas() throws {
        let command = try #require(try Fixtures.run("--retry-on", "408, 429,500", "urls.txt"))
        #expect(try command.intList("retry-on", default: [], range: 100...599) == [408, 429, 500])
    }

    @Test func intListReturnsTheDefaultWhenAbsent() throws {
        let absent = try #require(try Fixtures.run("urls.txt"))
        #expect(try absent.intList("retry-on", default: [503]) == [503])
    }

    @Test(arguments: ["", " ", "  "])
    func intListRejectsAnEmptyValue(text: String) throws {
        let empty = try #require(try Fixtures.run("--retry-on=\(text)", "urls.txt"))
        #expect(
            Self.message { () throws(UsageError) in _ = try empty.intList("retry-on", default: [503]) }
                == "The value '\(text)' is invalid for '--retry-on <codes>': expected at least one integer"
        )
    }

    @Test func intListCollectsEveryOccurrenceOfARepeatableOption() throws {
        let root = CommandSpec(
            name: "tool",
            options: [.option("--code", valueName: "codes", help: "Codes.", isRepeatable: true)]
        )
        guard
            case .run(let command) = try CommandLineParser(root: root, version: "").parse(["--code", "1,2", "--code=3"])
        else {
            Issue.record("expected a command to run")
            return
        }
        #expect(try command.intList("code", default: []) == [1, 2, 3])
    }

    @Test func intListRejectsABadItem() throws {
        let command = try #require(try Fixtures.run("--retry-on", "408,abc", "urls.txt"))
        #expect(
            Self.message { () throws(UsageError) in _ = try command.intList("retry-on", default: []) }
                == "The value '408,abc' is invalid for '--retry-on <codes>': 'abc' is not an integer"
        )
        let outOfRange = try #require(try Fixtures.run("--retry-on", "408,999", "urls.txt"))
        #expect(
            Self.message { () throws(UsageError) in
                _ = try outOfRange.intList("retry-on", default: [], range: 100...599)
            }
                == "The value '408,999' is invalid for '--retry-on <codes>': '999' must be between 100 and 599"
        )
    }

    @Test func typedHelpersReadPositionalArguments() throws {
        let root = CommandSpec(name: "sleep", arguments: [ArgumentSpec("time", help: "How long.")])
        let parser = CommandLineParser(root: root, version: "")
        guard case .run(let command) = try parser.parse(["soon"]) else {
            Issue.record("expected a command to run")
            return
        }
        #expect(
            throws: UsageError(
                message:
                    "The value 'soon' is invalid for '<time>': expected a duration such as 2, 0.5, 1.5s, 500ms or 2m",
                help: "<time>  How long.",
                commandPath: ["sleep"]
            )
        ) { try command.seconds("time", default: 1) }
    }

    /// The message `body` throws, or `nil` if it succeeds.
    static func message(_ body: () throws(UsageError) -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return error.message
        }
    }
}
