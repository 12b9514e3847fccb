import Foundation
import Testing
import TrawlTestSite

@Suite(.timeLimit(.minutes(1))) struct CommandLineTests {
    @Test func helpGoesToStdoutAndExitsZero() async throws {
        let output = try await TrawlProcess.run(["--help"])
        #expect(output.status == 0)
        #expect(output.stdout.contains("OVERVIEW:") && output.stdout.contains("USAGE: trawl [crawl]"))
        #expect(output.stdout.contains("--concurrency <n>") && output.stdout.contains("SUBCOMMANDS:"))
        let crawlHelp = try await TrawlProcess.run(["crawl", "--help"])
        #expect(crawlHelp.stdout.contains("--concurrency <n>") && crawlHelp.stdout.contains("(default: 32)"))
    }

    @Test func versionPrintsTheVersion() async throws {
        let output = try await TrawlProcess.run(["--version"])
        #expect(output.status == 0 && output.stdout.first?.isNumber == true)
    }

    @Test func aBadFlagIsAUsageErrorWithASuggestion() async throws {
        let output = try await TrawlProcess.run(["urls.txt", "--concurency", "4"])
        #expect(output.status == 64)
        #expect(output.stdout.isEmpty)
        #expect(output.stderr.hasPrefix("Error: Unknown option '--concurency'"))
        #expect(output.stderr.contains("--concurrency"))
        #expect(output.stderr.contains("Usage: "))
        #expect(output.stderr.contains("See 'trawl --help' for more information."))
    }

    @Test(arguments: [
        ["-", "-c", "zero"], ["-", "-c", "0"], ["-", "--body", "html"], ["-", "--shard", "5/4"],
        ["-", "-H", "NoColon"], ["-", "--resume"], ["-", "--event-loops", "0"],
        ["-", "--event-loops", "2", "--transport", "urlsession"],
    ])
    func badValuesAreUsageErrors(_ arguments: [String]) async throws {
        let output = try await TrawlProcess.run(arguments, stdin: "")
        #expect(output.status == 64, "\(arguments): \(output.stderr)")
        #expect(output.stderr.hasPrefix("Error: "))
    }

    @Test func aMissingInputFileExits66NamingIt() async throws {
        let output = try await TrawlProcess.run(["/nonexistent/urls.txt"])
        #expect(output.status == 66)
        #expect(output.stderr.contains("/nonexistent/urls.txt"))
    }
}
