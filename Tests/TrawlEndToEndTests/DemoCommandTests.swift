import Foundation
import Testing

@Suite(.timeLimit(.minutes(1))) struct DemoCommandTests {
    @Test func demoCrawlsItsOwnSiteAndMayOverwriteItsDefaultOutput() async throws {
        let directory = TrawlProcess.temporaryDirectory()
        for _ in 0..<2 {
            let output = try await TrawlProcess.run(
                ["demo", "--urls", "40", "--progress", "never"], directory: directory)
            #expect(output.status == 0, "\(output.stderr)")
            #expect(output.stdout.isEmpty)
            #expect(output.stderr.contains("Records:  trawl-demo.ndjson"))
            let path = directory.appendingPathComponent("trawl-demo.ndjson").path
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            // 40 URLs and one malformed line; the duplicate line is fetched once.
            #expect(lines.count == 41)
        }
    }

    @Test func aRerunReplacesTheDemosOwnFileHoweverItsPathIsSpeltAndKeepsAnyOther() async throws {
        let directory = TrawlProcess.temporaryDirectory()
        let own = directory.appendingPathComponent("trawl-demo.ndjson").path
        for path in ["./trawl-demo.ndjson", own] {
            let output = try await TrawlProcess.run(
                ["demo", "--urls", "10", "-o", path, "-q"], directory: directory)
            #expect(output.status == 0, "\(path): \(output.stderr)")
            #expect(try String(contentsOfFile: own, encoding: .utf8).split(separator: "\n").count == 11)
        }
        let other = directory.appendingPathComponent("mine.ndjson").path
        _ = FileManager.default.createFile(atPath: other, contents: Data("keep me\n".utf8))
        let refused = try await TrawlProcess.run(["demo", "--urls", "10", "-o", other, "-q"])
        #expect(refused.status == 73)
        #expect(refused.stderr.contains("remove it or choose another -o"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("--resume") && !refused.stderr.contains("--force"))
        #expect(try String(contentsOfFile: other, encoding: .utf8) == "keep me\n")
    }

    @Test func anInterruptedDemoDoesNotOfferResume() async throws {
        // The demo has no --resume, and its next run serves other URLs (a new port).
        let directory = TrawlProcess.temporaryDirectory()
        let out = directory.appendingPathComponent("trawl-demo.ndjson").path
        let (process, stdout, stderr) = try TrawlProcess.start(
            ["demo", "--urls", "500", "--progress", "never"], directory: directory)
        _ = await TrawlProcess.signal(process.processIdentifier, [SIGINT]) {
            ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").count > 0
        }
        let output = await TrawlProcess.finish(process, stdout, stderr)
        #expect(output.status == 130, "\(output.stderr)")
        #expect(output.stderr.contains("Interrupted: the records are partial.\n"), "\(output.stderr)")
        #expect(!output.stderr.contains("--resume"), "\(output.stderr)")
    }

    @Test func oneURLIsSingular() async throws {
        let output = try await TrawlProcess.run(["demo", "--urls", "1", "-o", "-", "--progress", "never"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stderr.hasPrefix("trawl demo: crawling 1 URL from "), "\(output.stderr)")
    }

    @Test func dashAsTheOutputIsStandardOutput() async throws {
        let directory = TrawlProcess.temporaryDirectory()
        let output = try await TrawlProcess.run(["demo", "--urls", "10", "-o", "-", "-q"], directory: directory)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(try output.records().count == 11)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }
}
