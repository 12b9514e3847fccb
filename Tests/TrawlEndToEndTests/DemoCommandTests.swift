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
}
